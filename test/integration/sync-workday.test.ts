// Workday → store end to end on the real Temporal dev server, through `sync/<name>`: a RaaS
// connector (Basic auth, report prompts) and a REST connector (OAuth refresh token) against the
// Workday emulator. Expectations come from the emulator's own snapshot (its `active` is computed
// by the emulator from its own "today", independently of the connector).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS, startWorkdayEmulator, workdayAdmin, type AdminSnapshot, type WorkdayEmulator } from '../../emulators/workday';
import type { ExportData } from '../../store/types';
import { startHarness, uniqueName, type Harness } from '../support/harness';

const START = '2026-05-04T08:00:00.000Z';
const nextSecond = () => new Promise((r) => setTimeout(r, 1100));

let h: Harness;
let emu: WorkdayEmulator;
let admin: ReturnType<typeof workdayAdmin>;

beforeAll(async () => {
  h = await startHarness();
  await h.startWorker();
  emu = await startWorkdayEmulator({ workers: 300, organizations: 10, seed: 21, now: START });
  admin = workdayAdmin(emu.url);
  process.env.TEST_WD_URL = emu.url;
  process.env.TEST_WD_PASSWORD = DEFAULTS.password;
  process.env.TEST_WD_CLIENT_SECRET = DEFAULTS.oauth.clientSecret;
  process.env.TEST_WD_REFRESH_TOKEN = DEFAULTS.oauth.refreshToken;
}, 300_000);
afterAll(async () => {
  await h?.close();
  await emu?.close();
});

function yaml(name: string, mode: 'raas' | 'rest'): string {
  const auth =
    mode === 'raas'
      ? `  auth:\n    type: basic\n    username: ${DEFAULTS.username}\n    password: \${TEST_WD_PASSWORD}\n`
      : `  auth:\n    type: oauth2RefreshToken\n    clientId: ${DEFAULTS.oauth.clientId}\n    clientSecret: \${TEST_WD_CLIENT_SECRET}\n    refreshToken: \${TEST_WD_REFRESH_TOKEN}\n  pageSize: 50\n`;
  const raas =
    mode === 'raas'
      ? `  raas:\n    owner: ${DEFAULTS.reportOwner}\n    workersReport: ${DEFAULTS.workersReport}\n    organizationsReport: ${DEFAULTS.organizationsReport}\n` +
        `    prompts:\n      updatedFrom: Updated_From\n      updatedThrough: Updated_Through\n      effectiveFrom: Effective_From\n      effectiveThrough: Effective_Through\n`
      : '';
  return `name: ${name}\ntype: workday\nconfig:\n  baseUrl: \${TEST_WD_URL}\n  tenant: ${emu.tenant}\n  mode: ${mode}\n${auth}${raas}`;
}

/** What the store must hold, from the emulator's snapshot with the type's default mapping. */
function expected(s: AdminSnapshot) {
  const org = new Map(s.organizations.map((o) => [o.id, o]));
  return {
    users: new Map(s.workers.map((w) => [w.id, { employeeId: w.employeeId, email: w.email, active: w.active, managerId: w.managerId, hireDate: w.hireDate, terminationDate: w.terminationDate, department: w.orgId ? org.get(w.orgId)!.name : null }])),
    groups: new Map(s.organizations.map((o) => [o.id, { name: o.name, code: o.code, managerId: o.managerId }])),
    memberships: new Set(s.workers.filter((w) => w.orgId).map((w) => `${w.orgId} > ${w.id} (user)`)),
  };
}

function comparable(x: ExportData) {
  const a = (o: { attributes: Record<string, unknown> }, k: string) => o.attributes[k] ?? null;
  return {
    users: new Map(x.users.map((u) => [u.id, { employeeId: a(u, 'employeeId'), email: a(u, 'email'), active: a(u, 'active'), managerId: a(u, 'managerId'), hireDate: a(u, 'hireDate'), terminationDate: a(u, 'terminationDate'), department: a(u, 'department') }])),
    groups: new Map(x.groups.map((g) => [g.id, { name: a(g, 'name'), code: a(g, 'code'), managerId: a(g, 'managerId') }])),
    memberships: new Set(x.memberships.map((l) => `${l.parent} > ${l.child} (${l.childKind})`)),
  };
}

/** The entries that differ (empty when equal): readable where a deep-equal of two Maps is not. */
function differences(got: ReturnType<typeof comparable>, want: ReturnType<typeof expected>): string[] {
  const out: string[] = [];
  for (const k of ['users', 'groups'] as const) {
    const g = got[k] as Map<string, unknown>;
    const w = want[k] as Map<string, unknown>;
    for (const id of new Set([...g.keys(), ...w.keys()])) {
      if (JSON.stringify(g.get(id)) !== JSON.stringify(w.get(id))) out.push(`${k} ${id}: store ${JSON.stringify(g.get(id))}, Workday ${JSON.stringify(w.get(id))}`);
    }
  }
  for (const m of got.memberships) if (!want.memberships.has(m)) out.push(`extra membership ${m}`);
  for (const m of want.memberships) if (!got.memberships.has(m)) out.push(`missing membership ${m}`);
  return out;
}

const day = (base: string, n: number) => new Date(Date.parse(`${base}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe('workday sync through the Temporal workflow', () => {
  const names = { raas: uniqueName('wd-raas'), rest: uniqueName('wd-rest') };

  it('a full sync in each mode stores exactly the tenant: future hires and leavers inactive, the empty organisation, managers', async () => {
    const snap = await admin.snapshot();
    for (const mode of ['raas', 'rest'] as const) {
      await h.addConnector(yaml(names[mode], mode));
      const summary = await h.sync(names[mode], 'full');
      expect(summary.status, JSON.stringify(summary)).toBe('succeeded');
      const got = comparable(await h.store.exportData(names[mode], { includeDeleted: false }));
      expect(differences(got, expected(snap))).toEqual([]);
    }
    expect(snap.workers.filter((w) => !w.active).length).toBeGreaterThan(30);
    expect(snap.organizations.some((o) => !snap.workers.some((w) => w.orgId === o.id))).toBe(true);
  });

  it("delta runs after a Workday admin's changes bring both stores to the tenant again", async () => {
    const snap = await admin.snapshot();
    const active = snap.workers.filter((w) => w.active && w.orgId);
    const target = snap.organizations.find((o) => o.id !== active[1]!.orgId && snap.workers.some((w) => w.orgId === o.id))!;
    await nextSecond();
    await admin.updateWorker(active[0]!.id, { email: 'renamed.worker@example.com' });
    await admin.updateWorker(active[1]!.id, { orgId: target.id, managerId: target.managerId });
    await admin.updateWorker(active[2]!.id, { terminationDate: snap.today });
    await admin.hire({ firstName: 'Siân', lastName: 'Ó Briain', email: 'sian@example.com', hireDate: snap.today, orgId: target.id, managerId: target.managerId });
    await admin.updateOrganization(target.id, { name: 'Research & Développement 2' });
    await nextSecond();
    const after = await admin.snapshot();
    for (const mode of ['raas', 'rest'] as const) {
      const summary = await h.sync(names[mode], 'delta');
      expect(summary.status, JSON.stringify(summary)).toBe('succeeded');
      expect(summary.mode).toBe('delta');
      // Only what changed is written: the changed workers, the organisation, the two new
      // memberships, and the members of the renamed organisation (their department changed).
      const renamedMembers = after.workers.filter((w) => w.orgId === target.id).length;
      expect(summary.counts.inserted + summary.counts.updated, JSON.stringify(summary.counts)).toBeLessThanOrEqual(6 + renamedMembers);
      const got = comparable(await h.store.exportData(names[mode], { includeDeleted: false }));
      expect(differences(got, expected(after))).toEqual([]);
      expect(got.users.get(active[2]!.id)!.active).toBe(false);
    }
  });

  it('a scheduled delta on a hire date activates the hire, and on a termination date deactivates the leaver, with no change in Workday', async () => {
    const snap = await admin.snapshot();
    const hire = snap.workers.filter((w) => !w.active && w.hireDate > snap.today && w.terminationDate === null).sort((a, b) => a.hireDate.localeCompare(b.hireDate))[0]!;
    const leaver = await admin.updateWorker(snap.workers.find((w) => w.active && w.terminationDate === null && w.id !== hire.id)!.id, { terminationDate: hire.hireDate });
    await nextSecond();
    // Both stores first learn of the termination while it is still in the future.
    for (const mode of ['raas', 'rest'] as const) {
      expect((await h.sync(names[mode], 'delta')).status).toBe('succeeded');
      expect(comparable(await h.store.exportData(names[mode], { includeDeleted: false })).users.get(leaver.id)!.active).toBe(true);
    }
    await admin.setNow(`${hire.hireDate}T06:00:00.000Z`);
    const after = await admin.snapshot();
    expect(after.workers.find((w) => w.id === hire.id)!.lastUpdated).toBe(hire.lastUpdated);
    for (const mode of ['raas', 'rest'] as const) {
      const summary = await h.sync(names[mode], 'delta');
      expect(summary.status).toBe('succeeded');
      const got = comparable(await h.store.exportData(names[mode], { includeDeleted: false }));
      expect(got.users.get(hire.id)!.active).toBe(true);
      expect(got.users.get(leaver.id)!.active).toBe(false);
      expect(differences(got, expected(after)), mode).toEqual([]);
      expect(summary.counts.updated).toBeGreaterThanOrEqual(2);
    }
    // The day after: nothing left to flip (the earlier days were read already).
    await admin.setNow(`${day(hire.hireDate, 1)}T06:00:00.000Z`);
    const later = await admin.snapshot();
    const summary = await h.sync(names.raas, 'delta');
    expect(differences(comparable(await h.store.exportData(names.raas, { includeDeleted: false })), expected(later))).toEqual([]);
    expect(summary.status).toBe('succeeded');
  });

  it('a worker removed from Workday is deleted by the next full run', async () => {
    const snap = await admin.snapshot();
    const gone = snap.workers.find((w) => w.orgId && w.id !== snap.organizations.find((o) => o.id === w.orgId)!.managerId)!;
    await admin.removeWorker(gone.id);
    const after = await admin.snapshot();
    for (const mode of ['raas', 'rest'] as const) {
      const summary = await h.sync(names[mode], 'full');
      expect(summary.status).toBe('succeeded');
      expect(summary.counts.deleted).toBeGreaterThanOrEqual(2); // the worker and its membership
      expect(differences(comparable(await h.store.exportData(names[mode], { includeDeleted: false })), expected(after))).toEqual([]);
    }
  });
});
