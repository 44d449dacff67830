// Against the real slapd started by scripts/directories.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLdapConnector } from '../../connectors/ldap';
import type { Connector, SourceLink, SourceObject } from '../../connectors/types';
import { ensureDirectories, ldapsearchList, readAll, type Directories } from '../support/directories';

let dirs: Directories;
let ldap: Connector;
const runId = Date.now().toString(36);

beforeAll(async () => {
  dirs = await ensureDirectories();
  ldap = createLdapConnector({ name: 'openldap', type: 'ldap' }, {
    host: '127.0.0.1', port: Number(new URL(dirs.ldap.url).port), baseDn: dirs.ldap.baseDn, bindDn: dirs.ldap.bindDn, bindPassword: dirs.ldap.password,
    userSearchBase: `ou=people,${dirs.ldap.baseDn}`, groupSearchBase: `ou=groups,${dirs.ldap.baseDn}`,
    projection: { targetContainer: `ou={{department}},ou=projected,${dirs.ldap.baseDn}` },
  });
}, 600_000);
afterAll(async () => ldap?.close());

describe('ldap connector on OpenLDAP', () => {
  it('full read equals ldapsearch, entryUUID ids, member and uniqueMember links', async () => {
    const users = (await readAll(ldap, 'users')) as SourceObject[];
    const expected = await ldapsearchList(dirs.ldap, `ou=people,${dirs.ldap.baseDn}`, '(objectClass=inetOrgPerson)', 'entryUUID');
    expect(new Map(users.map((u) => [String(u.raw.dn), u.id]))).toEqual(expected);
    const groups = (await readAll(ldap, 'groups')) as SourceObject[];
    const byName = new Map(groups.map((g) => [String(g.raw.cn), g.id]));
    const links = (await readAll(ldap, 'memberships')) as SourceLink[];
    expect(links.filter((l) => l.parentId === byName.get('All Staff'))).toHaveLength(3000);
    expect(links.filter((l) => l.parentId === byName.get('Auditors'))).toHaveLength(20);
    expect(links.filter((l) => l.parentId === byName.get('Everyone')).every((l) => l.childKind === 'group')).toBe(true);
  }, 120_000);

  it('delta by modifyTimestamp sees a changed user', async () => {
    const u = (await readAll(ldap, 'users'))[0] as SourceObject;
    const wm = await ldap.currentWatermark!();
    const changed = await ldap.readChanges!(['users'], wm, null);
    expect((changed.records as SourceObject[]).some((r) => r.id === u.id)).toBe(false);
    const { execFile } = await import('node:child_process');
    await new Promise<void>((resolve, reject) => {
      const p = execFile('ldapmodify', ['-x', '-H', dirs.ldap.url, '-D', dirs.ldap.bindDn, '-w', dirs.ldap.password], (e) => (e ? reject(e) : resolve()));
      p.stdin!.end(`dn: ${u.raw.dn}\nchangetype: modify\nreplace: title\ntitle: t-${runId}\n`);
    });
    const res = await ldap.readChanges!(['users'], wm, null);
    expect((res.records as SourceObject[]).find((r) => r.id === u.id)?.raw.title).toBe(`t-${runId}`);
  });

  it('projection creates in the templated OU, updates, disables and re-enables (pwdAccountLockedTime)', async () => {
    const target = createLdapConnector({ name: 'openldap-target', type: 'ldap' }, {
      host: '127.0.0.1', port: Number(new URL(dirs.ldap.url).port), baseDn: dirs.ldap.baseDn, bindDn: dirs.ldap.bindDn, bindPassword: dirs.ldap.password,
      userSearchBase: `ou=projected,${dirs.ldap.baseDn}`,
      projection: { targetContainer: `ou={{department}},ou=projected,${dirs.ldap.baseDn}` },
    });
    const created = await target.create!('users', { key: 's1', attributes: { username: `p-${runId}`, displayName: `P ${runId}`, lastName: 'P', department: 'Ops' } });
    expect(created.action).toBe('created');
    const listed = await ldapsearchList(dirs.ldap, `ou=Ops,ou=projected,${dirs.ldap.baseDn}`, `(uid=p-${runId})`, 'entryUUID');
    expect([...listed.values()]).toEqual([created.targetId]);
    expect(await target.getById!('users', '*)(objectClass=*')).toBeNull();
    const upd = await target.updateDelta!('users', created.targetId, { replace: { username: `p-${runId}`, displayName: `P ${runId}`, lastName: 'P', email: 'p@x.org', department: 'Ops' } });
    expect(upd.action).toBe('updated');
    expect(await target.setEnabled!('users', created.targetId, false)).toEqual({ targetId: created.targetId, action: 'disabled' });
    expect((await target.getById!('users', created.targetId))!.raw.active).toBe(false);
    // Re-enabled: the disable attribute is removed (independent check with ldapsearch), once.
    expect(await target.setEnabled!('users', created.targetId, true)).toEqual({ targetId: created.targetId, action: 'enabled' });
    const locked = await ldapsearchList(dirs.ldap, `ou=Ops,ou=projected,${dirs.ldap.baseDn}`, `(uid=p-${runId})`, 'pwdAccountLockedTime');
    expect([...locked.values()]).toEqual(['']);
    expect(await target.setEnabled!('users', created.targetId, true)).toEqual({ targetId: created.targetId, action: 'unchanged' });
    await target.close();
  }, 60_000);

  it('test() counts users and groups', async () => {
    const r = await ldap.test!();
    expect(r.status).toBe('success');
    expect(r.details.usersFound).toBeGreaterThanOrEqual(3500);
  });
});
