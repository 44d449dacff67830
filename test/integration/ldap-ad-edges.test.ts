// Edges of the active-directory connector on the real Samba AD DC: a connector rooted at the domain
// (CN=Builtin's empty groups included), empty and exactly-one/two-window groups, AD deltas read in
// several calls with the window bounded by one USN snapshot, and no referenced value in errors.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLdapConnector } from '../../connectors/ldap';
import type { Connector, SourceLink, SourceObject } from '../../connectors/types';
import { EMPTY_GROUPS, EXACT_GROUPS } from '../../scripts/directories/make-ldif';
import { adExpected, linkKey } from '../support/ad-expect';
import { ensureDirectories, readAll, readAllChanges, type Directories } from '../support/directories';

const exec = promisify(execFile);
const run = Date.now().toString(36);
let dirs: Directories;
const open: Connector[] = [];

function adConfig(extra: Record<string, unknown> = {}) {
  return { host: '127.0.0.1', port: 636, useSsl: true, caFile: dirs.ad.caFile, baseDn: dirs.ad.baseDn, bindDn: dirs.ad.bindDn, bindPassword: dirs.ad.password, ...extra };
}
function connector(config: ReturnType<typeof adConfig>, raw?: Record<string, unknown>): Connector {
  const c = createLdapConnector({ name: 'edge-ad', type: 'active-directory', config: raw }, config);
  open.push(c);
  return c;
}

async function ldapTool(tool: 'ldapadd' | 'ldapmodify' | 'ldapdelete', input: string, args: string[] = []): Promise<void> {
  const p = exec(tool, ['-x', '-H', dirs.ad.url, '-D', dirs.ad.bindDn, '-w', dirs.ad.password, ...args], { env: { ...process.env, LDAPTLS_CACERT: dirs.ad.caFile }, maxBuffer: 16 * 1024 * 1024 });
  p.child.stdin!.end(input);
  await p;
}

const mine = () => `OU=edges-${run},${dirs.ad.baseDn}`;

beforeAll(async () => {
  dirs = await ensureDirectories();
  await ldapTool('ldapadd', `dn: ${mine()}\nobjectClass: organizationalUnit\n`);
}, 600_000);
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  if (dirs) await ldapTool('ldapdelete', '', ['-r', mine()]).catch(() => undefined);
});

describe('active-directory connector rooted at the domain', () => {
  it('reads users, groups and memberships equal to ldapsearch, empty groups (CN=Builtin and our own) included', async () => {
    const root = dirs.ad.baseDn;
    const ad = connector(adConfig({ userSearchBase: root, groupSearchBase: root }));
    const users = (await readAll(ad, 'users')) as SourceObject[];
    const groups = (await readAll(ad, 'groups')) as SourceObject[];
    const links = (await readAll(ad, 'memberships')) as SourceLink[];

    const expected = await adExpected(dirs.ad, { userBase: root, groupBase: root });
    expect(new Set(users.map((u) => u.id))).toEqual(new Set([...expected.users.values()].map((u) => u.id)));
    expect(new Set(groups.map((g) => g.id))).toEqual(new Set([...expected.groups.values()].map((g) => g.id)));
    // Builtin's groups are in scope and several of them have no members at all.
    const builtin = groups.filter((g) => String(g.raw.dn).toLowerCase().endsWith(`,cn=builtin,${root.toLowerCase()}`));
    expect(builtin.length).toBeGreaterThan(5);

    const got = links.map((l) => linkKey(l.parentId, l.childId, l.childKind));
    expect(got.length).toBe(new Set(got).size);
    expect(new Set(got)).toEqual(expected.links);

    const byName = new Map(groups.map((g) => [String(g.raw.cn), g.id]));
    const count = (name: string) => links.filter((l) => l.parentId === byName.get(name)).length;
    for (const name of EMPTY_GROUPS) expect(count(name)).toBe(0);
    for (const [name, n] of Object.entries(EXACT_GROUPS)) expect(count(name)).toBe(n);
    expect(builtin.some((g) => count(String(g.raw.cn)) === 0)).toBe(true);
  }, 170_000);

  it('getLinks of an empty and of an exactly-1,500-member group ends', async () => {
    const ad = connector(adConfig({ groupSearchBase: `OU=Groups,${dirs.ad.baseDn}` }));
    const groups = (await readAll(ad, 'groups')) as SourceObject[];
    const id = (name: string) => groups.find((g) => g.raw.cn === name)!.id;
    expect(await ad.getLinks!('memberships', id(EMPTY_GROUPS[0]))).toEqual([]);
    expect(await ad.getLinks!('memberships', id('Exactly 1500'))).toHaveLength(1500);
    expect(await ad.getLinks!('memberships', id('Exactly 3000'))).toHaveLength(3000);
  }, 120_000);
});

describe('active-directory delta', () => {
  it('a big delta is read in several bounded calls and misses nothing', async () => {
    const ad = connector(adConfig({ userSearchBase: mine(), groupSearchBase: mine(), pageSize: 25 }));
    const wm = await ad.currentWatermark!();
    const names = Array.from({ length: 120 }, (_, i) => `big-${i}-${run}`);
    await ldapTool('ldapadd', names.map((n) => `dn: CN=${n},${mine()}\nobjectClass: user\nsAMAccountName: ${n.slice(0, 20)}\nuserAccountControl: 544\n`).join('\n'));
    const res = await readAllChanges(ad, ['users', 'groups', 'memberships'], wm);
    expect(res.fullSyncRequired).toBeUndefined();
    expect(res.calls).toBeGreaterThanOrEqual(5);
    const objects = res.records.filter((r) => r.type === 'object') as SourceObject[];
    expect(new Set(objects.map((o) => String(o.raw.cn)))).toEqual(new Set(names));
    const ids = new Set(objects.map((o) => o.id));
    expect(res.deletions.filter((d) => ids.has(d.id))).toEqual([]);
    // The window's watermark covers every one of them.
    const again = await readAllChanges(ad, ['users'], res.watermark);
    expect(again.records).toEqual([]);
  }, 120_000);

  it('an object changed or deleted between the changes query and the deletion queries is neither taken for deleted nor lost', async () => {
    const ad = connector(adConfig({ userSearchBase: mine(), groupSearchBase: mine(), pageSize: 10 }));
    const dn = (k: string) => `CN=${k}-${run},${mine()}`;
    await ldapTool('ldapadd', ['stay', 'mod', 'del', 'z'].map((k) => `dn: ${dn(k)}\nobjectClass: user\nsAMAccountName: ${k}-${run}\nuserAccountControl: 544\n`).join('\n'));
    const full = (await readAll(ad, 'users')) as SourceObject[];
    const idOf = (k: string) => full.find((u) => u.raw.cn === `${k}-${run}`)!.id;
    const wm = await ad.currentWatermark!();
    await ldapTool('ldapmodify', `dn: ${dn('z')}\nchangetype: modify\nreplace: title\ntitle: in-window\n`);

    // Drive the window call by call; once its object phases are done, change and delete under it.
    const records: SourceObject[] = [];
    const deletions: { resource: string; id: string }[] = [];
    let cursor: string | null = null;
    let hooked = false;
    let calls = 0;
    let watermark = wm;
    do {
      const r = await ad.readChanges!(['users', 'groups', 'memberships'], wm, cursor);
      calls++;
      records.push(...(r.records as SourceObject[]));
      deletions.push(...r.deletions);
      watermark = r.watermark;
      cursor = r.nextCursor;
      if (!hooked && records.some((o) => o.raw.cn === `z-${run}`)) {
        hooked = true;
        await ldapTool('ldapmodify', `dn: ${dn('mod')}\nchangetype: modify\nreplace: title\ntitle: between\n`);
        await ldapTool('ldapdelete', '', [dn('del')]);
      }
    } while (cursor);
    expect(hooked).toBe(true);
    // The hook ran while the window still had queries to make.
    expect(calls).toBeGreaterThan(1);
    expect(deletions.map((d) => d.id)).not.toContain(idOf('mod'));
    expect(deletions.map((d) => d.id)).not.toContain(idOf('stay'));
    expect(records.map((o) => o.raw.cn)).toEqual([`z-${run}`]);

    // The next window brings both: the change and the deletion.
    const next = await readAllChanges(ad, ['users', 'groups', 'memberships'], watermark);
    const changed = (next.records as SourceObject[]).find((o) => o.id === idOf('mod'));
    expect(changed?.raw.title).toBe('between');
    expect(next.deletions).toContainEqual({ resource: 'users', id: idOf('del') });
    expect(next.deletions.map((d) => d.id)).not.toContain(idOf('mod'));
    expect(next.deletions.map((d) => d.id)).not.toContain(idOf('stay'));
  }, 120_000);
});

describe('referenced values never appear in errors', () => {
  it('host, bindDn and password that came from references are named, not shown', async () => {
    const secretPassword = `wrong-${run}-pw`;
    const raw = { host: '${EDGE_HOST}', bindDn: '${EDGE_BIND_DN}', bindPassword: '{{secret:edge}}', baseDn: dirs.ad.baseDn, port: 636, useSsl: true, caFile: dirs.ad.caFile };
    const bindDn = `CN=Administrator,CN=Users,${dirs.ad.baseDn}`;
    const values = ['127.0.0.1', bindDn, secretPassword];
    const clean = (text: string) => {
      for (const v of values) expect(text).not.toContain(v);
    };

    const badPassword = connector(adConfig({ bindDn, bindPassword: secretPassword }), raw);
    const e1 = await badPassword.readPage!('users', null).then(() => null, (e: Error) => e);
    expect(e1?.message).toMatch(/bind as config\.bindDn was refused/);
    expect(e1?.message).toContain('config.host');
    clean(e1!.message);
    clean(e1!.stack ?? '');
    const t1 = await badPassword.test!();
    expect(t1.status).toBe('failure');
    clean(t1.message);

    const noServer = connector(adConfig({ port: 1, bindDn }), raw);
    const e2 = await noServer.readPage!('users', null).then(() => null, (e: Error) => e);
    expect(e2?.message).toMatch(/TCP failed/);
    clean(e2!.message);
    const t2 = await noServer.test!();
    expect(t2.message).toMatch(/^TCP/);
    clean(t2.message);

    // Written literally, the same host may be shown: it is not a secret.
    const literal = connector(adConfig({ port: 1 }), { ...raw, host: '127.0.0.1' });
    const e3 = await literal.readPage!('users', null).then(() => null, (e: Error) => e);
    expect(e3?.message).toContain('127.0.0.1');
  }, 60_000);
});
