// The Workday connector against the Workday emulator, in both of its modes (RaaS custom reports
// with Basic auth, the REST workers API with the OAuth refresh-token grant): full reads equal the
// tenant, delta rounds carry what an admin changed, effective dates flip `active` on their day
// with no change in the source, errors name the field to fix, and 429s are waited out.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkdayConnector, type WorkdayConfigInput } from '../../connectors/workday';
import type { Connector } from '../../connectors/framework/define';
import type { SourceLink, SourceObject } from '../../connectors/types';
import { DEFAULTS, startWorkdayEmulator, workdayAdmin, type AdminSnapshot, type WorkdayEmulator } from '../../emulators/workday';
import { readAllPages, readWholeWindow } from '../support/connector-reads';

const START = '2026-03-10T12:00:00.000Z';
const CLASSES = ['workers', 'organizations', 'memberships'];
/** Workday's Date header has whole seconds and a window's start is inclusive: changes made in
 *  the second a mark was taken are read again. Exactness checks start on a fresh second. */
const NON_ASCII = /[^ -~]/;
const nextSecond = () => new Promise((r) => setTimeout(r, 1100));
type Mode = 'raas' | 'rest';

function configFor(emu: WorkdayEmulator, mode: Mode, extra: Partial<WorkdayConfigInput> = {}): WorkdayConfigInput {
  const base = { baseUrl: emu.url, tenant: emu.tenant };
  if (mode === 'rest') {
    const { clientId, clientSecret, refreshToken } = DEFAULTS.oauth;
    return { ...base, mode, auth: { type: 'oauth2RefreshToken', clientId, clientSecret, refreshToken }, pageSize: 25, ...extra } as WorkdayConfigInput;
  }
  return {
    ...base,
    mode,
    auth: { type: 'basic', username: DEFAULTS.username, password: DEFAULTS.password },
    raas: {
      owner: DEFAULTS.reportOwner,
      workersReport: DEFAULTS.workersReport,
      organizationsReport: DEFAULTS.organizationsReport,
      prompts: { updatedFrom: 'Updated_From', updatedThrough: 'Updated_Through', effectiveFrom: 'Effective_From', effectiveThrough: 'Effective_Through' },
    },
    ...extra,
  } as WorkdayConfigInput;
}

const opened: Connector[] = [];
function open(emu: WorkdayEmulator, mode: Mode, extra: Partial<WorkdayConfigInput> = {}, http: Record<string, unknown> = {}): Connector {
  const c = createWorkdayConnector({ name: `wd-${mode}`, type: 'workday' }, configFor(emu, mode, extra), { maxAttempts: 3, backoffBaseMs: 5, backoffMaxMs: 20, ...http });
  opened.push(c);
  return c;
}
afterAll(async () => {
  for (const c of opened) await c.close();
});

const objects = (rs: unknown[]) => rs as SourceObject[];
const pairs = (ls: SourceLink[]) => ls.map((l) => `${l.parentId}>${l.childId}`).sort();
const expectedPairs = (s: AdminSnapshot) => s.workers.filter((w) => w.orgId).map((w) => `${w.orgId}>${w.id}`).sort();
const idOf = (o: SourceObject) => o.id;
const emailOf = (m: Mode, o: SourceObject) => (m === 'raas' ? o.raw.Email_Address : o.raw.primaryWorkEmail) ?? null;

describe.each(['raas', 'rest'] as const)('workday connector (%s)', (mode) => {
  let emu: WorkdayEmulator;
  let admin: ReturnType<typeof workdayAdmin>;
  let c: Connector;

  beforeAll(async () => {
    emu = await startWorkdayEmulator({ workers: 150, organizations: 8, seed: 11, now: START });
    admin = workdayAdmin(emu.url);
    c = open(emu, mode);
  });
  afterAll(async () => emu?.close());

  it('a full read equals the tenant: every worker with its active state, every organisation (the empty one too), every membership', async () => {
    const snap = await admin.snapshot();
    const workers = objects((await readAllPages(c, 'workers')).records);
    expect(workers.map(idOf).sort()).toEqual(snap.workers.map((w) => w.id).sort());
    const byId = new Map(workers.map((o) => [o.id, o]));
    for (const w of snap.workers) {
      const got = byId.get(w.id)!;
      expect({ active: got.raw.active, email: emailOf(mode, got) }).toEqual({ active: w.active, email: w.email });
    }
    // The generator's edge cases are all there, so the comparison above covered them.
    expect(snap.workers.some((w) => w.hireDate > snap.today)).toBe(true);
    expect(snap.workers.some((w) => w.terminationDate !== null && w.terminationDate <= snap.today)).toBe(true);
    expect(snap.workers.some((w) => NON_ASCII.test(w.firstName + w.lastName))).toBe(true);
    if (mode === 'raas') expect(workers.find((o) => NON_ASCII.test(String(o.raw.Worker)))).toBeDefined();

    const orgs = objects((await readAllPages(c, 'organizations')).records);
    expect(orgs.map((o) => o.id).sort()).toEqual(snap.organizations.map((o) => o.id).sort());
    const empty = snap.organizations.filter((o) => !snap.workers.some((w) => w.orgId === o.id));
    expect(empty.length).toBeGreaterThan(0);
    const links = (await readAllPages(c, 'memberships')).records as SourceLink[];
    expect(pairs(links)).toEqual(expectedPairs(snap));
    expect(links.every((l) => l.childKind === 'user')).toBe(true);
    // The big organisation holds more than a page of REST results.
    const sizes = [...new Set(links.map((l) => l.parentId))].map((p) => links.filter((l) => l.parentId === p).length);
    expect(Math.max(...sizes)).toBeGreaterThan(40);
  });

  it('delta rounds carry exactly what changed, with whole member sets, then nothing new', async () => {
    const snap = await admin.snapshot();
    await nextSecond();
    const wm0 = await c.currentWatermark!(CLASSES);
    const [changed, moved] = snap.workers.filter((w) => w.active && w.orgId);
    const target = snap.organizations.find((o) => o.id !== moved!.orgId && snap.workers.some((w) => w.orgId === o.id))!;
    await admin.updateWorker(changed!.id, { email: `changed-${mode}@example.com` });
    await admin.updateWorker(moved!.id, { orgId: target.id });
    const hired = await admin.hire({ firstName: 'Ærwyn', lastName: 'Nuñez', email: `hire-${mode}@example.com`, hireDate: snap.today, orgId: target.id });

    // A window ends at the last whole second of Workday's clock: changes in this second come next time.
    await nextSecond();
    const round1 = await readWholeWindow(c, CLASSES, wm0);
    expect(round1.fullSyncRequired).toBeUndefined();
    const workers = objects(round1.records).filter((r) => r.resource === 'workers');
    const got = new Map(workers.map((o) => [o.id, o]));
    expect(emailOf(mode, got.get(changed!.id)!)).toBe(`changed-${mode}@example.com`);
    expect(got.get(hired.id)?.raw.active).toBe(true);
    if (mode === 'raas') expect([...got.keys()].sort()).toEqual([changed!.id, moved!.id, hired.id].sort());
    const after = await admin.snapshot();
    const setOf = (org: string) => pairs(round1.linkSets.filter((s) => s.parentId === org).at(-1)!.links);
    const want = (org: string) => expectedPairs(after).filter((p) => p.startsWith(`${org}>`));
    expect(setOf(target.id)).toEqual(want(target.id));
    expect(setOf(moved!.orgId!)).toEqual(want(moved!.orgId!));
    expect(setOf(target.id)).toContain(`${target.id}>${moved!.id}`);
    expect(setOf(moved!.orgId!)).not.toContain(`${moved!.orgId}>${moved!.id}`);
    expect(round1.watermark > wm0).toBe(true);

    const round2 = await readWholeWindow(c, CLASSES, round1.watermark);
    if (mode === 'raas') {
      expect(round2.records.filter((r) => r.resource === 'workers')).toEqual([]);
      expect(round2.linkSets).toEqual([]);
    } else {
      // The REST API has no change filter: its delta is the whole list, equal to the tenant.
      expect(objects(round2.records).filter((r) => r.resource === 'workers').map((o) => o.id).sort()).toEqual(after.workers.map((w) => w.id).sort());
    }
  });

  it('a future-dated hire becomes active on its hire date, with no change in the source', async () => {
    const snap = await admin.snapshot();
    const future = snap.workers.filter((w) => w.hireDate > snap.today && w.terminationDate === null).sort((a, b) => a.hireDate.localeCompare(b.hireDate));
    const hire = future[0]!;
    const later = future.find((w) => w.hireDate > hire.hireDate)!;
    expect(later).toBeDefined();
    const before = await c.getById!('workers', hire.id);
    expect(before!.raw.active).toBe(false);
    await nextSecond();
    const wm = await c.currentWatermark!(CLASSES);
    await admin.setNow(`${hire.hireDate}T09:30:00.000Z`);
    const window = await readWholeWindow(c, ['workers'], wm);
    const got = new Map(objects(window.records).map((o) => [o.id, o]));
    expect(got.get(hire.id)?.raw.active).toBe(true);
    // Same document as before, apart from the computed flag: the source did not change.
    expect({ ...got.get(hire.id)!.raw, active: false }).toEqual(before!.raw);
    if (mode === 'raas') expect(got.has(later.id)).toBe(false);
    else expect(got.get(later.id)?.raw.active).toBe(false);
    expect(window.watermark.slice(0, 10)).toBe(hire.hireDate);
  });

  it('a termination makes the worker inactive on its termination date', async () => {
    const snap = await admin.snapshot();
    const leaving = snap.workers.filter((w) => w.active && w.terminationDate !== null && w.terminationDate > snap.today).sort((a, b) => a.terminationDate!.localeCompare(b.terminationDate!))[0];
    // Terminate someone in two days if the generator left no one leaving later than today.
    const day = (n: number) => new Date(Date.parse(`${snap.today}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    const worker = leaving ?? (await admin.updateWorker(snap.workers.find((w) => w.active)!.id, { terminationDate: day(2) }));
    const wm = await c.currentWatermark!(CLASSES);
    // A round on the day before: still active.
    await admin.setNow(`${day(-1 + Math.round((Date.parse(worker.terminationDate!) - Date.parse(snap.today)) / 86_400_000))}T23:00:00.000Z`);
    const eve = await readWholeWindow(c, ['workers'], wm);
    const seenEve = objects(eve.records).find((o) => o.id === worker.id);
    if (seenEve) expect(seenEve.raw.active).toBe(true);
    await admin.setNow(`${worker.terminationDate}T00:30:00.000Z`);
    const onTheDay = await readWholeWindow(c, ['workers'], eve.watermark);
    expect(objects(onTheDay.records).find((o) => o.id === worker.id)?.raw.active).toBe(false);
    const snapAfter = await admin.snapshot();
    expect(snapAfter.workers.find((w) => w.id === worker.id)!.active).toBe(false);
  });

  it('errors name the field to fix and never the secret', async () => {
    const secret = `wrong-${mode}-secret`;
    const bad = mode === 'raas'
      ? open(emu, mode, { auth: { type: 'basic', username: DEFAULTS.username, password: secret } })
      : open(emu, mode, { auth: { type: 'oauth2RefreshToken', clientId: DEFAULTS.oauth.clientId, clientSecret: DEFAULTS.oauth.clientSecret, refreshToken: secret } });
    const err = (await bad.readPage!('workers', null).catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(mode === 'raas' ? /config\.auth/ : /config\.auth\.refreshToken/);
    expect(err.message).not.toContain(secret);

    if (mode === 'raas') {
      const wrongPrompt = open(emu, mode, { raas: { ...configFor(emu, 'raas').raas!, prompts: { updatedFrom: 'Changed_Since', updatedThrough: 'Updated_Through' } } });
      const wm = await c.currentWatermark!(CLASSES);
      await expect(readWholeWindow(wrongPrompt, ['workers'], wm)).rejects.toThrow(/config\.raas\.prompts.*Changed_Since|Changed_Since.*config\.raas\.prompts/);
      const wrongReport = open(emu, mode, { raas: { ...configFor(emu, 'raas').raas!, workersReport: 'No_Such_Report' } });
      await expect(wrongReport.readPage!('workers', null)).rejects.toThrow(/config\.raas\.workersReport/);
      const noPrompts = open(emu, mode, { raas: { ...configFor(emu, 'raas').raas!, prompts: undefined } });
      expect((await readWholeWindow(noPrompts, ['workers'], wm)).fullSyncRequired).toMatch(/config\.raas\.prompts/);
    } else {
      // Workday's own validation body names the query parameter; the message carries it.
      await expect(c.readPage!('workers', JSON.stringify({ offset: -5 }))).rejects.toThrow(/offset: must be a whole number/);
      expect(() => open(emu, mode, { pageSize: 500 })).toThrow(/config\.pageSize must be at most 100/);
    }
    expect(() => open(emu, mode, { tenant: 'a/b' })).toThrow(/config\.tenant/);
    expect(() => createWorkdayConnector({ name: 'x', type: 'workday' }, { ...configFor(emu, 'raas'), raas: undefined })).toThrow(/config\.raas is required/);
  });

  it('429 with Retry-After is waited out and the read is still whole', async () => {
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return new Promise<void>((r) => setTimeout(r, ms));
    };
    const limited = open(emu, mode, mode === 'rest' ? { pageSize: 20 } : {}, { sleep, maxAttempts: 4 });
    await admin.setKnobs({ rateLimit: { requests: mode === 'raas' ? 1 : 3, windowMs: 1000 } });
    const throttledBefore = emu.stats().throttled;
    try {
      const snap = await admin.snapshot();
      const a = objects((await readAllPages(limited, 'workers')).records);
      const b = objects((await readAllPages(limited, 'organizations')).records);
      expect(a.map((o) => o.id).sort()).toEqual(snap.workers.map((w) => w.id).sort());
      expect(b.map((o) => o.id).sort()).toEqual(snap.organizations.map((o) => o.id).sort());
    } finally {
      await admin.setKnobs({ rateLimit: null });
    }
    expect(emu.stats().throttled).toBeGreaterThan(throttledBefore);
    expect(waits.length).toBeGreaterThan(0);
    // Retry-After says whole seconds: the client waited that, not its own short backoff.
    expect(waits.every((ms) => ms >= 1000)).toBe(true);
  });
});
