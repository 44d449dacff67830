// Issue 6 item 15 through the real Temporal workflow: an active-directory connector whose user and
// group search bases are the domain root (so CN=Builtin's groups, many of them empty, and the seeded
// empty and exactly-one/two-range-window groups are in scope) finishes a full run through
// `sync/<name>`, and the store equals an independent `ldapsearch` listing.
//
// Other test files may add or remove their own entries under the domain while this run reads it, so
// the store is compared with listings taken before and after the run: everything present in both
// must be stored, nothing outside either may be. With no such churn this is plain equality.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_GROUPS, EXACT_GROUPS } from '../../scripts/directories/make-ldif';
import type { ExportData } from '../../store/types';
import { adExpected, linkKey, type AdExpected } from '../support/ad-expect';
import { ensureDirectories, type Directories } from '../support/directories';
import { startHarness, type Harness } from '../support/harness';

const run = Date.now().toString(36);
let dirs: Directories;
let h: Harness;
let name: string;

beforeAll(async () => {
  dirs = await ensureDirectories();
  process.env.TEST_AD_ROOT_PASSWORD = dirs.ad.password;
  h = await startHarness();
  await h.startWorker();
  const root = dirs.ad.baseDn;
  const def = await h.addConnector(JSON.stringify({
    type: 'active-directory',
    name: `ad-root-${run}`,
    config: {
      host: '127.0.0.1',
      port: 636,
      useSsl: true,
      caFile: dirs.ad.caFile,
      baseDn: root,
      bindDn: dirs.ad.bindDn,
      bindPassword: '${TEST_AD_ROOT_PASSWORD}',
      userSearchBase: root,
      groupSearchBase: root,
    },
  }));
  name = def.name;
}, 600_000);

afterAll(async () => {
  await h?.close();
});

type Keys = { users: Set<string>; groups: Set<string>; links: Set<string> };
const keysOf = (e: AdExpected): Keys => ({
  users: new Set([...e.users.values()].map((u) => `${u.id} ${u.dn.toLowerCase()}`)),
  groups: new Set([...e.groups.values()].map((g) => `${g.id} ${g.dn.toLowerCase()}`)),
  links: e.links,
});
const storeKeys = (x: ExportData): Keys => ({
  users: new Set(x.users.map((u) => `${u.id} ${String(u.attributes.dn).toLowerCase()}`)),
  groups: new Set(x.groups.map((g) => `${g.id} ${String(g.attributes.dn).toLowerCase()}`)),
  links: new Set(x.memberships.map((l) => linkKey(l.parent, l.child, l.childKind))),
});

describe('active-directory connector rooted at the domain, through sync/<name>', () => {
  it('a full run with empty groups (CN=Builtin and the seeded ones) in scope succeeds and stores exactly what ldapsearch lists', async () => {
    const root = dirs.ad.baseDn;
    const before = await adExpected(dirs.ad, { userBase: root, groupBase: root });
    const summary = await h.sync(name, 'full');
    expect(summary.status, JSON.stringify(summary)).toBe('succeeded');
    expect(summary.mode).toBe('full');
    const after = await adExpected(dirs.ad, { userBase: root, groupBase: root });
    const data = await h.store.exportData(name, { includeDeleted: false });

    const got = storeKeys(data);
    const [b, a] = [keysOf(before), keysOf(after)];
    for (const kind of ['users', 'groups', 'links'] as const) {
      expect(got[kind].size, `${kind}: no duplicates`).toBe(kind === 'users' ? data.users.length : kind === 'groups' ? data.groups.length : data.memberships.length);
      const stable = [...b[kind]].filter((k) => a[kind].has(k));
      expect(stable.filter((k) => !got[kind].has(k)), `${kind} listed before and after the run but not stored`).toEqual([]);
      expect([...got[kind]].filter((k) => !b[kind].has(k) && !a[kind].has(k)), `${kind} stored but never listed`).toEqual([]);
    }
    expect(after.users.size).toBeGreaterThanOrEqual(3500);

    // Builtin's groups are stored and several of them have no members at all.
    const membersOf = (id: string) => data.memberships.filter((l) => l.parent === id).length;
    const builtin = data.groups.filter((g) => String(g.attributes.dn).toLowerCase().endsWith(`,cn=builtin,${root.toLowerCase()}`));
    expect(builtin.length).toBeGreaterThan(5);
    expect(builtin.filter((g) => membersOf(g.id) === 0).length).toBeGreaterThan(0);

    // The seeded empty groups are stored with no members, the exact ones with all of theirs.
    const seeded = (cn: string) => {
      const hits = [...after.groups.values()].filter((g) => g.dn.toLowerCase().startsWith(`cn=${cn.toLowerCase()},`));
      expect(hits, cn).toHaveLength(1);
      expect(data.groups.some((g) => g.id === hits[0].id), `${cn} stored`).toBe(true);
      return hits[0].id;
    };
    for (const cn of EMPTY_GROUPS) expect(membersOf(seeded(cn)), cn).toBe(0);
    for (const [cn, n] of Object.entries(EXACT_GROUPS)) expect(membersOf(seeded(cn)), cn).toBe(n);
  }, 300_000);
});
