// Against the real Samba AD DC started by scripts/directories.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectIdentities } from '../../activities/project-writes';
import { createLdapConnector } from '../../connectors/ldap';
import type { Connector, SourceLink, SourceObject } from '../../connectors/types';
import { ensureDirectories, ldapsearchList, readAll, readAllChanges, type Directories } from '../support/directories';

const run = promisify(execFile);
let dirs: Directories;
let ad: Connector;
const run_id = Date.now().toString(36);

function adConfig(d: Directories, extra: Record<string, unknown> = {}) {
  return {
    host: '127.0.0.1', port: 636, useSsl: true, caFile: d.ad.caFile, baseDn: d.ad.baseDn, bindDn: d.ad.bindDn, bindPassword: d.ad.password,
    userSearchBase: `OU=Users,${d.ad.baseDn}`, groupSearchBase: `OU=Groups,${d.ad.baseDn}`,
    projection: { targetContainer: `OU={{department}},OU=Projected,${d.ad.baseDn}` },
    ...extra,
  };
}

async function ldapmodify(ldif: string, add = false): Promise<void> {
  const p = run(add ? 'ldapadd' : 'ldapmodify', ['-x', '-H', dirs.ad.url, '-D', dirs.ad.bindDn, '-w', dirs.ad.password], { env: { ...process.env, LDAPTLS_CACERT: dirs.ad.caFile } });
  p.child.stdin!.end(ldif);
  await p;
}

beforeAll(async () => {
  dirs = await ensureDirectories();
  ad = createLdapConnector({ name: 'corp-ad', type: 'active-directory' }, adConfig(dirs));
}, 600_000);
afterAll(async () => ad?.close());

describe('active-directory connector on Samba', () => {
  it('full read equals an independent ldapsearch listing', async () => {
    const users = (await readAll(ad, 'users')) as SourceObject[];
    const expected = await ldapsearchList(dirs.ad, `OU=Users,${dirs.ad.baseDn}`, '(&(objectClass=user)(objectCategory=person))', 'objectGUID');
    expect(users.length).toBeGreaterThanOrEqual(3500);
    expect(new Set(users.map((u) => String(u.raw.dn)))).toEqual(new Set(expected.keys()));
    const u7 = users.find((u) => u.raw.sAMAccountName === 'u00007')!;
    expect(u7.raw.active).toBe(false);
    expect(users.find((u) => u.raw.sAMAccountName === 'u00008')!.raw.active).toBe(true);
    // ids are GUID strings rendered from the same bytes ldapsearch shows
    const hex = expected.get(String(u7.raw.dn))!;
    const b = Buffer.from(hex, 'hex');
    const le = (x: Buffer) => x.toString('hex').match(/../g)!.reverse().join('');
    expect(u7.id).toBe(`${le(b.subarray(0, 4))}-${le(b.subarray(4, 6))}-${le(b.subarray(6, 8))}-${b.subarray(8, 10).toString('hex')}-${b.subarray(10).toString('hex')}`);
  }, 120_000);

  it('reads the 3,000-member group whole (ranged member retrieval) and nested groups as group links', async () => {
    const groups = (await readAll(ad, 'groups')) as SourceObject[];
    const byName = new Map(groups.map((g) => [String(g.raw.cn), g.id]));
    const links = (await readAll(ad, 'memberships')) as SourceLink[];
    const allStaff = links.filter((l) => l.parentId === byName.get('All Staff'));
    expect(allStaff).toHaveLength(3000);
    expect(new Set(allStaff.map((l) => l.childId)).size).toBe(3000);
    const nested = links.filter((l) => l.parentId === byName.get('Everyone'));
    expect(nested.map((l) => l.childKind)).toEqual(Array(5).fill('group'));
    expect(links.some((l) => l.parentId === byName.get('Engineering') && l.childId === byName.get('Platform') && l.childKind === 'group')).toBe(true);
    const viaLinks = await ad.getLinks!('memberships', byName.get('All Staff')!);
    expect(viaLinks).toHaveLength(3000);
  }, 120_000);

  it('delta: a user changed, disabled, moved and deleted shows up in readChanges', async () => {
    const names = ['chg', 'dis', 'mov', 'del'].map((k) => `d-${k}-${run_id}`);
    await ldapmodify(names.map((n) => `dn: CN=${n},OU=Sales,OU=Users,${dirs.ad.baseDn}\nobjectClass: user\nsAMAccountName: ${n}\nuserAccountControl: 544\ntitle: before\n`).join('\n'), true);
    const created = (await readAllChanges(ad, ['users'], JSON.stringify({ ...JSON.parse(await ad.currentWatermark!()), usn: 0 }))).records as SourceObject[];
    const ids = new Map(created.filter((r) => names.includes(String(r.raw.sAMAccountName))).map((r) => [String(r.raw.sAMAccountName), r.id]));
    expect(ids.size).toBe(4);
    const wm = await ad.currentWatermark!();
    const [chg, dis, mov, del] = names;
    await ldapmodify(`dn: CN=${chg},OU=Sales,OU=Users,${dirs.ad.baseDn}\nchangetype: modify\nreplace: title\ntitle: after\n\ndn: CN=${dis},OU=Sales,OU=Users,${dirs.ad.baseDn}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 546\n\ndn: CN=${mov},OU=Sales,OU=Users,${dirs.ad.baseDn}\nchangetype: modrdn\nnewrdn: CN=${mov}\ndeleteoldrdn: 1\nnewsuperior: OU=Finance,OU=Users,${dirs.ad.baseDn}\n\ndn: CN=${del},OU=Sales,OU=Users,${dirs.ad.baseDn}\nchangetype: delete\n`);
    const res = await readAllChanges(ad, ['users', 'groups', 'memberships'], wm);
    expect(res.fullSyncRequired).toBeUndefined();
    const byId = new Map((res.records.filter((r) => r.type === 'object') as SourceObject[]).map((r) => [r.id, r]));
    expect(byId.get(ids.get(chg)!)!.raw.title).toBe('after');
    expect(byId.get(ids.get(dis)!)!.raw.active).toBe(false);
    expect(String(byId.get(ids.get(mov)!)!.raw.dn)).toBe(`CN=${mov},OU=Finance,OU=Users,${dirs.ad.baseDn}`);
    expect(res.deletions).toContainEqual({ resource: 'users', id: ids.get(del)! });
    expect(byId.has(ids.get(del)!)).toBe(false);
    // an untouched seed user is not in the window
    expect([...byId.values()].some((r) => r.raw.sAMAccountName === 'u00001')).toBe(false);
    // the next window from the returned watermark holds none of these
    const again = await readAllChanges(ad, ['users'], res.watermark);
    expect(again.records.filter((r) => r.type === 'object' && names.includes(String(r.raw.sAMAccountName)))).toHaveLength(0);
  }, 120_000);

  it('asks for a full sync when the DC invocationId differs from the watermark', async () => {
    const wm = JSON.parse(await ad.currentWatermark!());
    const res = await ad.readChanges!(['users'], JSON.stringify({ ...wm, invocationId: '00000000-0000-0000-0000-000000000000' }), null);
    expect(res.fullSyncRequired).toMatch(/invocationId changed/);
  });

  it('projects identities into the templated OU; an unresolved token fails that object alone', async () => {
    const dept = `Proj${run_id}`;
    const target = createLdapConnector({ name: 'corp-ad-target', type: 'active-directory' }, adConfig(dirs, { userSearchBase: `OU=Projected,${dirs.ad.baseDn}` }));
    const { results } = await projectIdentities(target, [
      { id: 's1', attributes: { username: `p1-${run_id}`, displayName: `Proj One ${run_id}`, email: 'p1@example.com', department: dept, firstName: 'Proj', lastName: 'One' } },
      { id: 's2', attributes: { username: `p2-${run_id}`, displayName: `Proj Two ${run_id}` } },
      { id: 's3', attributes: { username: `p3-${run_id}`, displayName: `Proj, Three ${run_id}`, department: dept, active: false } },
    ]);
    expect(results.map((r) => [r.id, r.ok, r.action])).toEqual([['s1', true, 'created'], ['s2', false, undefined], ['s3', true, 'created']]);
    expect(results[1].error).toMatch(/unresolved \{\{department\}\}/);
    const listed = await ldapsearchList(dirs.ad, `OU=${dept},OU=Projected,${dirs.ad.baseDn}`, '(objectClass=user)', 'userAccountControl');
    expect(new Map(listed)).toEqual(new Map([[`CN=Proj One ${run_id},OU=${dept},OU=Projected,${dirs.ad.baseDn}`, '512'], [`CN=Proj\\, Three ${run_id},OU=${dept},OU=Projected,${dirs.ad.baseDn}`, '514']]));
    const id1 = results[0].targetId!;
    // A retried create (its answer lost to a crash) adopts its own entry; a stranger's is refused.
    const again = await target.create!('users', { key: 's1', attributes: { username: `p1-${run_id}`, displayName: `Proj One ${run_id}`, email: 'p1@example.com', department: dept, firstName: 'Proj', lastName: 'One' } });
    expect(again.targetId).toBe(id1);
    await expect(
      target.create!('users', { key: 'other', attributes: { username: `x-${run_id}`, displayName: `Proj One ${run_id}`, email: 'someone.else@example.com', department: dept } }),
    ).rejects.toThrow(/already exists and is not this identity/);
    const moved = await target.updateDelta!('users', id1, { replace: { username: `p1-${run_id}`, displayName: `Proj One ${run_id}`, email: 'p1-new@example.com', department: `${dept}b` } });
    expect(moved.action).toBe('moved');
    const after = (await target.getById!('users', id1))!;
    expect(after.raw.dn).toBe(`CN=Proj One ${run_id},OU=${dept}b,OU=Projected,${dirs.ad.baseDn}`);
    expect(after.raw.mail).toBe('p1-new@example.com');
    expect(await target.delete!('users', id1)).toEqual({ targetId: id1, action: 'disabled' });
    expect((await target.getById!('users', id1))!.raw.active).toBe(false);
    await target.close();
  }, 60_000);

  it('an injection attempt in a filter value matches nothing extra', async () => {
    expect(await ad.getById!('users', '*)(objectClass=*')).toBeNull();
    const { escapeFilterValue } = await import('../../connectors/ldap/escape');
    const listed = await ldapsearchList(dirs.ad, dirs.ad.baseDn, `(sAMAccountName=${escapeFilterValue('*)(objectClass=*')})`, 'dn');
    expect(listed.size).toBe(0);
  });

  it('test() reports counts and names the failing step', async () => {
    const ok = await ad.test!();
    expect(ok.status).toBe('success');
    expect(ok.details.usersFound).toBeGreaterThanOrEqual(3500);
    expect(ok.details.groupsFound).toBeGreaterThanOrEqual(8);
    const bad = createLdapConnector({ name: 'bad', type: 'active-directory' }, adConfig(dirs, { bindPassword: 'wrong-secret-xyz' }));
    const r = await bad.test!();
    expect(r.status).toBe('failure');
    expect(r.message).toMatch(/^bind failed/);
    expect(r.message).not.toContain('wrong-secret-xyz');
    const noTcp = await createLdapConnector({ name: 'bad', type: 'active-directory' }, adConfig(dirs, { port: 1 })).test!();
    expect(noTcp.message).toMatch(/^TCP/);
    const noCa = await createLdapConnector({ name: 'bad', type: 'active-directory' }, adConfig(dirs, { caFile: undefined })).test!();
    expect(noCa.message).toMatch(/^TLS/);
    const noBase = await createLdapConnector({ name: 'bad', type: 'active-directory' }, adConfig(dirs, { baseDn: 'OU=Nope,DC=corp,DC=example,DC=com' })).test!();
    expect(noBase.message).toMatch(/^search base/);
    await bad.close();
  }, 60_000);
});
