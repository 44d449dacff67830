// OpenLDAP → store end to end: the real slapd, the real Temporal workflow, an `ldap` connector.
// Expectations come from an independent `ldapsearch` listing (entryUUID ids, member and
// uniqueMember values resolved by DN).
//
// Scope: the seeded people (they all carry employeeNumber) plus this file's own users in an OU of
// their own, so the connector-level tests that list ou=people exactly never see them, and the
// benchmark's ou=bench entries (no employeeNumber) stay out.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportData } from '../../store/types';
import { ensureDirectories, type Directories } from '../support/directories';
import { startHarness, type Harness } from '../support/harness';

const exec = promisify(execFile);
const run = Date.now().toString(36);
// Seeded people carry employeeNumber E…, this file's own T-…; entries other tests write concurrently
// (contract, adoption: X-…) stay out of the scope whatever the timing.
const USER_FILTER = '(&(objectClass=inetOrgPerson)(|(employeeNumber=E*)(employeeNumber=T-*)))';
const GROUP_FILTER = '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))';

let dirs: Directories;
let h: Harness;
let name: string;
let base: string;
let mine: string;

interface Listed {
  dn: string;
  attrs: Map<string, string[]>;
}

/** Every entry with every value of `attrs` (lower-cased names). */
async function ldapsearchAll(searchBase: string, filter: string, attrs: string[]): Promise<Listed[]> {
  const { stdout } = await exec('ldapsearch', ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', dirs.ldap.url, '-D', dirs.ldap.bindDn, '-w', dirs.ldap.password, '-b', searchBase, '-E', 'pr=500/noprompt', filter, ...attrs], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const out: Listed[] = [];
  for (const block of stdout.split(/\n\n+/)) {
    let dn = '';
    const values = new Map<string, string[]>();
    for (const line of block.split('\n')) {
      const m = /^([^:#][^:]*)(::?) ?(.*)$/.exec(line);
      if (!m) continue;
      const attr = m[1].toLowerCase();
      const v = m[2] === '::' ? Buffer.from(m[3], 'base64').toString('utf8') : m[3];
      if (attr === 'dn') dn = v;
      else values.set(attr, [...(values.get(attr) ?? []), v]);
    }
    if (dn) out.push({ dn, attrs: values });
  }
  return out;
}

const first = (e: Listed, a: string): string | null => e.attrs.get(a.toLowerCase())?.[0] ?? null;
const key = (dn: string) => dn.toLowerCase().replace(/,\s+/g, ',');

async function expectedExport(): Promise<{ users: Map<string, unknown>; groups: Map<string, unknown>; memberships: Set<string> }> {
  const users = await ldapsearchAll(base, USER_FILTER, ['entryUUID', 'uid', 'mail', 'pwdAccountLockedTime']);
  const groups = await ldapsearchAll(`ou=groups,${base}`, GROUP_FILTER, ['entryUUID', 'cn', 'member', 'uniqueMember']);
  const byDn = new Map<string, string>();
  for (const u of users) byDn.set(key(u.dn), `${first(u, 'entryUUID')} (user)`);
  for (const g of groups) byDn.set(key(g.dn), `${first(g, 'entryUUID')} (group)`);
  const memberships = new Set<string>();
  for (const g of groups) {
    for (const dn of [...(g.attrs.get('member') ?? []), ...(g.attrs.get('uniquemember') ?? [])]) {
      const child = byDn.get(key(dn));
      if (child) memberships.add(`${first(g, 'entryUUID')} > ${child}`);
    }
  }
  return {
    users: new Map(users.map((u) => [first(u, 'entryUUID')!, { dn: u.dn, username: first(u, 'uid'), email: first(u, 'mail'), active: !u.attrs.has('pwdaccountlockedtime') }])),
    groups: new Map(groups.map((g) => [first(g, 'entryUUID')!, { dn: g.dn, name: first(g, 'cn') }])),
    memberships,
  };
}

function comparable(x: ExportData): Awaited<ReturnType<typeof expectedExport>> {
  return {
    users: new Map(x.users.map((u) => [u.id, { dn: u.attributes.dn, username: u.attributes.username, email: u.attributes.email, active: u.attributes.active }])),
    groups: new Map(x.groups.map((g) => [g.id, { dn: g.attributes.dn, name: g.attributes.name }])),
    memberships: new Set(x.memberships.map((l) => `${l.parent} > ${l.child} (${l.childKind})`)),
  };
}

async function ldapTool(tool: 'ldapadd' | 'ldapmodify' | 'ldapdelete', input: string, args: string[] = []): Promise<void> {
  const p = exec(tool, ['-x', '-H', dirs.ldap.url, '-D', dirs.ldap.bindDn, '-w', dirs.ldap.password, ...args]);
  p.child.stdin!.end(input);
  await p;
}

const userDn = (k: string) => `uid=sy-${k}-${run},${mine}`;
const platform = () => `cn=Platform,ou=groups,${base}`;

beforeAll(async () => {
  dirs = await ensureDirectories();
  base = dirs.ldap.baseDn;
  mine = `ou=tiger-sync-${run},${base}`;
  const user = (k: string) =>
    `dn: ${userDn(k)}\nobjectClass: inetOrgPerson\nuid: sy-${k}-${run}\ncn: Sync ${k}\nsn: ${k}\nmail: sy-${k}@example.org\nemployeeNumber: T-${k}\n`;
  await ldapTool('ldapadd', [`dn: ${mine}\nobjectClass: organizationalUnit\nou: tiger-sync-${run}\n`, ...['mod', 'lck', 'del'].map(user)].join('\n'));
  await ldapTool('ldapmodify', `dn: ${platform()}\nchangetype: modify\nadd: member\nmember: ${userDn('del')}\n`);

  process.env.TEST_LDAP_PASSWORD = dirs.ldap.password;
  h = await startHarness();
  await h.startWorker();
  const def = await h.addConnector(`
name: openldap-${run}
type: ldap
config:
  host: 127.0.0.1
  port: ${new URL(dirs.ldap.url).port}
  useSsl: false
  baseDn: "${base}"
  bindDn: "${dirs.ldap.bindDn}"
  bindPassword: \${TEST_LDAP_PASSWORD}
  userSearchBase: "${base}"
  userSearchFilter: "${USER_FILTER}"
  groupSearchBase: "ou=groups,${base}"
  groupSearchFilter: "${GROUP_FILTER}"
  attributeMapping:
    username: uid
    email: mail
    firstName: givenName
    lastName: sn
    displayName: cn
    employeeId: employeeNumber
`);
  name = def.name;
}, 600_000);

afterAll(async () => {
  await h?.close();
  // slapd has no referential integrity here: take the Platform value out before the users go.
  if (mine) {
    await ldapTool('ldapmodify', `dn: ${platform()}\nchangetype: modify\ndelete: member\nmember: ${userDn('del')}\n`).catch(() => undefined);
    await ldapTool('ldapdelete', '', ['-r', mine]).catch(() => undefined);
  }
});

describe('ldap (OpenLDAP) sync through the Temporal workflow', () => {
  it('a full sync stores exactly what ldapsearch lists', async () => {
    const summary = await h.sync(name, 'full');
    expect(summary.status).toBe('succeeded');
    const expected = await expectedExport();
    const got = comparable(await h.store.exportData(name, { includeDeleted: false }));
    expect(expected.users.size).toBeGreaterThanOrEqual(3503);
    expect(got).toEqual(expected);
    const groupIds = new Map([...got.groups].map(([id, g]) => [(g as { name: string }).name, id]));
    const of = (group: string) => [...got.memberships].filter((m) => m.startsWith(`${groupIds.get(group)} > `));
    expect(of('All Staff')).toHaveLength(3000);
    expect(of('Auditors')).toHaveLength(20); // uniqueMember
    expect(of('Everyone')).toHaveLength(5);
    expect(of('Everyone').every((m) => m.endsWith('(group)'))).toBe(true);
  });

  it('a modification shows after a delta run', async () => {
    const before = await h.store.exportData(name, { includeDeleted: false });
    const idOf = (k: string) => before.users.find((u) => u.attributes.username === `sy-${k}-${run}`)!.id;
    await ldapTool('ldapmodify', [
      `dn: ${userDn('mod')}\nchangetype: modify\nreplace: mail\nmail: sy-mod-new@example.org\n`,
      `dn: ${userDn('lck')}\nchangetype: modify\nreplace: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n`,
    ].join('\n'));
    const summary = await h.sync(name, 'delta');
    expect(summary.status).toBe('succeeded');
    expect(summary.mode).toBe('delta');
    expect(summary.counts.fetched).toBeLessThan(100);
    const after = new Map((await h.store.exportData(name, { includeDeleted: false })).users.map((u) => [u.id, u.attributes]));
    expect(after.get(idOf('mod'))!.email).toBe('sy-mod-new@example.org');
    expect(after.get(idOf('lck'))!.active).toBe(false);
    expect(after.get(idOf('del'))!.active).toBe(true);
  });

  it('a deletion shows after a full run', async () => {
    const before = await h.store.exportData(name, { includeDeleted: false });
    const del = before.users.find((u) => u.attributes.username === `sy-del-${run}`)!.id;
    const platformId = before.groups.find((g) => g.attributes.name === 'Platform')!.id;
    expect(before.memberships.some((l) => l.parent === platformId && l.child === del)).toBe(true);
    await ldapTool('ldapmodify', `dn: ${platform()}\nchangetype: modify\ndelete: member\nmember: ${userDn('del')}\n`);
    await ldapTool('ldapdelete', '', [userDn('del')]);

    const summary = await h.sync(name, 'full');
    expect(summary.status).toBe('succeeded');
    expect(summary.counts.deleted).toBeGreaterThanOrEqual(2); // the user and its membership
    const after = await h.store.exportData(name, { includeDeleted: false });
    expect(after.users.some((u) => u.id === del)).toBe(false);
    expect(after.memberships.some((l) => l.child === del)).toBe(false);
    const withDeleted = await h.store.exportData(name, { includeDeleted: true });
    expect(withDeleted.users.find((u) => u.id === del)?.deletedAt).toEqual(expect.any(String));
    expect(comparable(after)).toEqual(await expectedExport());
  });

  it('a failing run names the fields, never the values that came from references', async () => {
    const secrets = { TEST_REF_LDAP_HOST: '127.0.0.1', TEST_REF_LDAP_BIND: dirs.ldap.bindDn, TEST_REF_LDAP_PASSWORD: `not-the-password-${run}` };
    Object.assign(process.env, secrets);
    const clean = (text: string) => {
      for (const v of Object.values(secrets)) expect(text).not.toContain(v);
    };
    for (const [suffix, port, why] of [['auth', new URL(dirs.ldap.url).port, /config\.bindDn/], ['tcp', '1', /TCP failed/]] as const) {
      const def = await h.addConnector(`
name: refs-${suffix}-${run}
type: ldap
retryPolicy: { maxAttempts: 1 }
config:
  host: \${TEST_REF_LDAP_HOST}
  port: ${port}
  baseDn: "${base}"
  bindDn: \${TEST_REF_LDAP_BIND}
  bindPassword: \${TEST_REF_LDAP_PASSWORD}
  userSearchBase: "${base}"
  attributeMapping:
    username: uid
`);
      const summary = await h.sync(def.name, 'full');
      expect(summary.status).toBe('failed');
      expect(summary.error).toMatch(why);
      expect(summary.error).toContain('config.host');
      clean(summary.error ?? '');
      const logs = await h.store.listLogs(def.name, { limit: 100 });
      expect(logs.length).toBeGreaterThan(0);
      for (const l of logs) clean(l.message);
      clean(JSON.stringify(await h.store.listRuns(def.name, 10)));
    }
  });
});
