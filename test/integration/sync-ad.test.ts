// Active Directory → store end to end: the real Samba AD DC, the real Temporal workflow, a
// connector written in seed 004's JSON shape. Every expectation comes from an independent
// `ldapsearch` listing, never from the connector's own reading code.
//
// Scope: the seeded users (they all carry employeeNumber) plus this file's own users, which live in
// an OU of their own outside OU=Users, so the connector-level tests that list OU=Users exactly
// never see them, and objects other tests create (no employeeNumber) never enter this scope.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportData } from '../../store/types';
import { ensureDirectories, type Directories } from '../support/directories';
import { startHarness, type Harness } from '../support/harness';

const exec = promisify(execFile);
const run = Date.now().toString(36);
// Seeded users carry employeeNumber E…, this file's own T-…; users other tests write concurrently
// (contract, adoption: X-…) stay out of the scope whatever the timing.
const USER_FILTER = '(&(objectClass=user)(objectCategory=person)(|(employeeNumber=E*)(employeeNumber=T-*)))';
const GROUP_FILTER = '(objectClass=group)';

let dirs: Directories;
let h: Harness;
let name: string;
let base: string;
let mine: string;
let groupsBase: string;

interface Listed {
  dn: string;
  attrs: Map<string, string[]>;
}

/** Every entry with every value of `attrs` (lower-cased names); objectGUID comes back as hex. */
async function ldapsearchAll(searchBase: string, filter: string, attrs: string[]): Promise<Listed[]> {
  const { stdout } = await exec('ldapsearch', ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', dirs.ad.url, '-D', dirs.ad.bindDn, '-w', dirs.ad.password, '-b', searchBase, '-E', 'pr=500/noprompt', filter, ...attrs], {
    env: { ...process.env, LDAPTLS_CACERT: dirs.ad.caFile },
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
      const v = m[2] === '::' ? Buffer.from(m[3], 'base64').toString(attr === 'objectguid' ? 'hex' : 'utf8') : m[3];
      if (attr === 'dn') dn = v;
      else values.set(attr, [...(values.get(attr) ?? []), v]);
    }
    if (dn) out.push({ dn, attrs: values });
  }
  return out;
}

/** objectGUID bytes → the registry-style string (first three fields little-endian). */
function guidOf(hex: string): string {
  const b = Buffer.from(hex, 'hex');
  const le = (x: Buffer) => Buffer.from(x).reverse().toString('hex');
  return `${le(b.subarray(0, 4))}-${le(b.subarray(4, 6))}-${le(b.subarray(6, 8))}-${b.subarray(8, 10).toString('hex')}-${b.subarray(10).toString('hex')}`;
}

const first = (e: Listed, a: string): string | null => e.attrs.get(a.toLowerCase())?.[0] ?? null;
const key = (dn: string) => dn.toLowerCase();

/** What the store must hold, built from ldapsearch: memberships from each member's memberOf. */
async function expectedExport(): Promise<{ users: Map<string, unknown>; groups: Map<string, unknown>; memberships: Set<string> }> {
  const users = await ldapsearchAll(base, USER_FILTER, ['objectGUID', 'sAMAccountName', 'mail', 'userAccountControl', 'memberOf']);
  const groups = await ldapsearchAll(groupsBase, GROUP_FILTER, ['objectGUID', 'cn', 'memberOf']);
  const groupId = new Map(groups.map((g) => [key(g.dn), guidOf(first(g, 'objectGUID')!)]));
  const memberships = new Set<string>();
  for (const [kind, list] of [['user', users], ['group', groups]] as const) {
    for (const e of list) {
      for (const parentDn of e.attrs.get('memberof') ?? []) {
        const parent = groupId.get(key(parentDn));
        if (parent) memberships.add(`${parent} > ${guidOf(first(e, 'objectGUID')!)} (${kind})`);
      }
    }
  }
  return {
    users: new Map(users.map((u) => [guidOf(first(u, 'objectGUID')!), {
      dn: u.dn,
      username: first(u, 'sAMAccountName'),
      email: first(u, 'mail'),
      active: (Number(first(u, 'userAccountControl')) & 0x2) === 0,
    }])),
    groups: new Map(groups.map((g) => [guidOf(first(g, 'objectGUID')!), { dn: g.dn, name: first(g, 'cn') }])),
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
  const p = exec(tool, ['-x', '-H', dirs.ad.url, '-D', dirs.ad.bindDn, '-w', dirs.ad.password, ...args], { env: { ...process.env, LDAPTLS_CACERT: dirs.ad.caFile } });
  p.child.stdin!.end(input);
  await p;
}

const userDn = (k: string, ou = 'A') => `CN=sy-${k}-${run},OU=${ou},${mine}`;
const PLATFORM = () => `CN=Platform,${groupsBase}`;

beforeAll(async () => {
  dirs = await ensureDirectories();
  base = dirs.ad.baseDn;
  groupsBase = `OU=Groups,${base}`;
  mine = `OU=tiger-sync-${run},${base}`;
  // Four users of our own: changed, disabled, moved and deleted after the full run. Two of them
  // are also members of the seeded Platform group (deleting them later takes them out again).
  const ou = (dn: string) => `dn: ${dn}\nobjectClass: organizationalUnit\n`;
  const user = (k: string) =>
    `dn: ${userDn(k)}\nobjectClass: user\nsAMAccountName: sy-${k}-${run}\nuserAccountControl: 544\nmail: sy-${k}@example.com\nemployeeNumber: T-${k}\n`;
  await ldapTool('ldapadd', [ou(mine), ou(`OU=A,${mine}`), ou(`OU=B,${mine}`), ...['chg', 'dis', 'mov', 'del'].map(user)].join('\n'));
  await ldapTool('ldapmodify', `dn: ${PLATFORM()}\nchangetype: modify\nadd: member\nmember: ${userDn('chg')}\nmember: ${userDn('del')}\n`);

  process.env.TEST_AD_PASSWORD = dirs.ad.password;
  h = await startHarness();
  await h.startWorker();
  const def = await h.addConnector(JSON.stringify({
    type: 'active-directory',
    name: `Corporate AD ${run}`,
    config: {
      host: '127.0.0.1',
      port: 636,
      useSsl: true,
      caFile: dirs.ad.caFile,
      baseDn: base,
      bindDn: dirs.ad.bindDn,
      bindPassword: '${TEST_AD_PASSWORD}',
      userSearchBase: base,
      userSearchFilter: USER_FILTER,
      groupSearchBase: groupsBase,
      groupSearchFilter: GROUP_FILTER,
      attributeMapping: { username: 'sAMAccountName', email: 'mail', firstName: 'givenName', lastName: 'sn', displayName: 'displayName', employeeId: 'employeeNumber' },
    },
  }));
  name = def.name;
}, 600_000);

afterAll(async () => {
  await h?.close();
  // Removes this file's users (and with them their Platform memberships).
  if (mine) await ldapTool('ldapdelete', '', ['-r', mine]).catch(() => undefined);
});

describe('active-directory sync through the Temporal workflow', () => {
  it('a full sync stores exactly what ldapsearch lists', async () => {
    const summary = await h.sync(name, 'full');
    expect(summary.status).toBe('succeeded');
    expect(summary.mode).toBe('full');
    const expected = await expectedExport();
    const got = comparable(await h.store.exportData(name, { includeDeleted: false }));
    expect(expected.users.size).toBeGreaterThanOrEqual(3504);
    expect(got.users.size).toBe(expected.users.size);
    expect(got.groups.size).toBe(expected.groups.size);
    expect(got).toEqual(expected);

    const ids = new Map([...got.users].map(([id, u]) => [(u as { username: string }).username, id]));
    const groupIds = new Map([...got.groups].map(([id, g]) => [(g as { name: string }).name, id]));
    expect(ids.get('u00007')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((got.users.get(ids.get('u00007')!) as { active: boolean }).active).toBe(false);
    expect((got.users.get(ids.get('u00008')!) as { active: boolean }).active).toBe(true);
    // The 3,000-member group came back whole through ranged retrieval.
    const allStaff = [...got.memberships].filter((m) => m.startsWith(`${groupIds.get('All Staff')} > `));
    expect(allStaff).toHaveLength(3000);
    // Nested groups are group → group links.
    const everyone = [...got.memberships].filter((m) => m.startsWith(`${groupIds.get('Everyone')} > `));
    expect(everyone).toHaveLength(5);
    expect(everyone.every((m) => m.endsWith('(group)'))).toBe(true);
    expect(got.memberships).toContain(`${groupIds.get('Engineering')} > ${groupIds.get('Platform')} (group)`);
    expect(got.memberships).toContain(`${groupIds.get('Platform')} > ${ids.get(`sy-del-${run}`)} (user)`);
  });

  it('a delta run after a change, a disable, a move and a delete in AD brings the store to AD again', async () => {
    const before = await h.store.exportData(name, { includeDeleted: false });
    const idOf = (k: string) => before.users.find((u) => u.attributes.username === `sy-${k}-${run}`)!.id;
    const [chg, dis, mov, del] = ['chg', 'dis', 'mov', 'del'].map(idOf);
    const platform = before.groups.find((g) => g.attributes.name === 'Platform')!.id;

    await ldapTool('ldapmodify', [
      `dn: ${userDn('chg')}\nchangetype: modify\nreplace: mail\nmail: sy-chg-new@example.com\n`,
      `dn: ${userDn('dis')}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 546\n`,
      `dn: ${userDn('mov')}\nchangetype: modrdn\nnewrdn: CN=sy-mov-${run}\ndeleteoldrdn: 1\nnewsuperior: OU=B,${mine}\n`,
    ].join('\n'));
    await ldapTool('ldapdelete', '', [userDn('del')]);

    const summary = await h.sync(name, 'delta');
    expect(summary.status).toBe('succeeded');
    expect(summary.mode).toBe('delta');
    // A delta reads the window, not the directory.
    expect(summary.counts.fetched).toBeLessThan(100);

    const after = await h.store.exportData(name, { includeDeleted: false });
    const byId = new Map(after.users.map((u) => [u.id, u.attributes]));
    expect(byId.get(chg)!.email).toBe('sy-chg-new@example.com');
    expect(byId.get(dis)!.active).toBe(false);
    expect(byId.get(mov)!.dn).toBe(userDn('mov', 'B'));
    expect(byId.has(del)).toBe(false);
    expect(after.memberships.some((l) => l.parent === platform && l.child === del)).toBe(false);
    expect(after.memberships.some((l) => l.parent === platform && l.child === chg)).toBe(true);

    const withDeleted = await h.store.exportData(name, { includeDeleted: true });
    const gone = withDeleted.users.find((u) => u.id === del);
    expect(gone?.deletedAt).toEqual(expect.any(String));
    expect(withDeleted.users.find((u) => u.id === chg)?.deletedAt).toBeNull();

    // And the whole store equals the directory again.
    expect(comparable(after)).toEqual(await expectedExport());
  });
});
