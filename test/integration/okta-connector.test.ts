// The Okta connector against the project's Okta emulator: full reads must equal the org
// exactly (DEPROVISIONED users included), faults must not change the result, a 403 must cost
// only what it forbids, and a delta must carry exactly what an admin changed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOktaEmulator, type OktaEmulator } from '../../emulators/okta';
import { createOktaConnector, oktaConfigSchema, type OktaConnector, type OktaConnectorOptions } from '../../connectors/okta';
import { drainChanges, readAll, testDefinition } from '../support/okta-reading';
import type { Resource, SourceLink, SourceObject, SourceRecord } from '../../connectors/types';

const TOKEN = 'it-okta-token-123';
type Raw = Record<string, unknown> & { id: string };
interface Snapshot {
  users: Raw[];
  groups: Raw[];
  apps: Raw[];
  memberships: { groupId: string; userId: string }[];
  appUsers: (Raw & { appId: string; userId: string })[];
}

let emu: OktaEmulator;
const open: OktaConnector[] = [];

const def = testDefinition;

function connector(extra: Record<string, unknown> = {}, opts: OktaConnectorOptions = {}, url = emu.url): OktaConnector {
  const config = oktaConfigSchema.parse({ domain: url, apiToken: TOKEN, ...extra });
  const c = createOktaConnector(def(), config, { httpOptions: { backoffBaseMs: 1, ...opts.httpOptions } });
  open.push(c);
  return c;
}

async function snapshot(): Promise<Snapshot> {
  const res = await fetch(`${emu.url}/__emulator/snapshot`, { headers: { authorization: `SSWS ${TOKEN}` } });
  return (await res.json()) as Snapshot;
}

async function admin(method: string, path: string, body?: unknown): Promise<Raw> {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: { authorization: `SSWS ${TOKEN}`, 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
  return res.status === 204 ? ({ id: '' } as Raw) : ((await res.json()) as Raw);
}

const objects = (rs: SourceRecord[]) => rs.filter((r): r is SourceObject => r.type === 'object');
const links = (rs: SourceRecord[]) => rs.filter((r): r is SourceLink => r.type === 'link');
const byId = <T extends { id: string }>(xs: T[]) => new Map(xs.map((x) => [x.id, x]));
const pairs = (ls: SourceLink[]) => ls.map((l) => `${l.parentId}/${l.childId}`).sort();

beforeAll(async () => {
  emu = await startOktaEmulator({ port: 0, users: 260, groups: 8, apps: 3, seed: 42, apiToken: TOKEN, membershipsPerGroup: 30 });
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await emu?.close();
});

describe('okta config', () => {
  it('adds https:// to a bare host, allows http:// only for loopback, and names the bad field', () => {
    expect(oktaConfigSchema.parse({ domain: 'company.okta.com', apiToken: 't' })).toMatchObject({ domain: 'https://company.okta.com', useSystemLog: true });
    expect(oktaConfigSchema.parse({ domain: 'http://127.0.0.1:8080', apiToken: 't' }).domain).toBe('http://127.0.0.1:8080');
    const bad = oktaConfigSchema.safeParse({ domain: 'http://company.okta.com' });
    expect(bad.success).toBe(false);
    const issues = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues.some((m) => m.startsWith('domain: uses http://, which is allowed only for 127.0.0.1/localhost'))).toBe(true);
    expect(issues.some((m) => m.startsWith('apiToken: apiToken is required'))).toBe(true);
  });
});

describe('okta connector: full read', () => {
  it('reads every resource exactly as the org holds it, DEPROVISIONED users included', async () => {
    const snap = await snapshot();
    expect(snap.users.some((u) => u.status === 'DEPROVISIONED')).toBe(true);
    const c = connector({ pageSize: 50 }); // small pages so every list and member list follows next links

    for (const r of ['users', 'groups', 'apps'] as const) {
      const { records, warnings } = await readAll(c, r);
      expect(warnings).toEqual([]);
      const got = objects(records);
      expect(got.every((o) => o.resource === r)).toBe(true);
      expect(got.map((o) => o.id).sort()).toEqual(snap[r].map((x) => x.id).sort());
      const want = byId(snap[r]);
      for (const o of got) {
        expect(o.raw).toEqual(want.get(o.id));
        expect(o.updatedAt).toBe(want.get(o.id)!.lastUpdated);
      }
    }

    const members = await readAll(c, 'memberships');
    expect(members.warnings).toEqual([]);
    expect(pairs(links(members.records))).toEqual(snap.memberships.map((m) => `${m.groupId}/${m.userId}`).sort());
    expect(links(members.records).every((l) => l.childKind === 'user')).toBe(true);

    const assigned = await readAll(c, 'appUsers');
    expect(pairs(links(assigned.records))).toEqual(snap.appUsers.map((a) => `${a.appId}/${a.userId}`).sort());
    const wantAppUser = new Map(snap.appUsers.map(({ appId, userId, ...rest }) => [`${appId}/${userId}`, rest]));
    for (const l of links(assigned.records)) expect(l.raw).toEqual(wantAppUser.get(`${l.parentId}/${l.childId}`));
  });

  it('still reads the exact set when ~10 % of requests fail with 5xx, 429 or malformed JSON', async () => {
    const snap = await snapshot();
    const c = connector({ pageSize: 40 }, { httpOptions: { maxAttempts: 8, maxRateLimitWaitMs: 5 } });
    emu.setKnobs({ faultRate: 0.1, faultKinds: ['5xx', '429', 'malformed'] });
    try {
      const users = await readAll(c, 'users');
      const members = await readAll(c, 'memberships');
      expect(objects(users.records).map((o) => o.id).sort()).toEqual(snap.users.map((u) => u.id).sort());
      expect(pairs(links(members.records))).toEqual(snap.memberships.map((m) => `${m.groupId}/${m.userId}`).sort());
    } finally {
      emu.setKnobs({ faultRate: 0 });
    }
    const stats = (await (await fetch(`${emu.url}/__emulator/stats`, { headers: { authorization: `SSWS ${TOKEN}` } })).json()) as { faults: Record<string, number> };
    expect(stats.faults['5xx'] + stats.faults['429'] + stats.faults.malformed).toBeGreaterThan(0);
  });

  it('turns a 403 on apps into warnings naming the missing scope and reads the rest', async () => {
    const snap = await snapshot();
    const c = connector();
    emu.setKnobs({ forbidden: ['apps'] });
    try {
      for (const r of ['apps', 'appUsers'] as const) {
        const { records, warnings } = await readAll(c, r);
        expect(records).toEqual([]);
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatchObject({ resource: r, incomplete: true });
        expect(warnings[0]!.message).toContain('/api/v1/apps');
        expect(warnings[0]!.message).toContain('E0000006');
        expect(warnings[0]!.message).toContain('okta.apps.read');
      }
      const groups = await readAll(c, 'groups');
      expect(groups.warnings).toEqual([]);
      expect(objects(groups.records).map((o) => o.id).sort()).toEqual(snap.groups.map((g) => g.id).sort());
    } finally {
      emu.setKnobs({ forbidden: [] });
    }
  });
});

describe('okta connector: by id, links and test()', () => {
  it('gets objects and links by id, null for an unknown id', async () => {
    const snap = await snapshot();
    const c = connector();
    const gone = snap.users.find((u) => u.status === 'DEPROVISIONED')!;
    expect((await c.getById('users', gone.id))?.raw).toEqual(gone);
    expect(await c.getById('users', '00uDOESNOTEXIST000')).toBeNull();
    expect((await c.getById('apps', snap.apps[0]!.id))?.raw).toEqual(snap.apps[0]);
    const g = snap.groups.find((x) => x.type === 'OKTA_GROUP')!;
    const got = await c.getLinks('memberships', g.id);
    expect(got.map((l) => l.childId).sort()).toEqual(snap.memberships.filter((m) => m.groupId === g.id).map((m) => m.userId).sort());
  });

  it('test() counts users (DEPROVISIONED included) and groups', async () => {
    const snap = await snapshot();
    const r = await connector().test();
    expect(r.status).toBe('success');
    expect(r.details).toMatchObject({ connectorType: 'okta', usersFound: snap.users.length, groupsFound: snap.groups.length });
    expect(r.details.latency).toBeGreaterThanOrEqual(0);
  });

  it('test() names the failing step: a bad token (401) without echoing it, and a refused TCP connection', async () => {
    const bad = createOktaConnector(def(), oktaConfigSchema.parse({ domain: emu.url, apiToken: 'wrong-secret-abc' }));
    open.push(bad);
    const r = await bad.test();
    expect(r.status).toBe('failure');
    expect(r.message).toContain('authentication (401)');
    expect(r.message).toContain('E0000011');
    expect(r.message).toContain('config.apiToken');
    expect(r.message).not.toContain('wrong-secret-abc');

    const refused = connector({}, { httpOptions: { maxAttempts: 1 } }, 'http://127.0.0.1:1');
    const t = await refused.test();
    expect(t.status).toBe('failure');
    expect(t.message).toContain('TCP connection failed');
  });
});

describe('okta connector: deltas from the System Log', () => {
  const ALL: Resource[] = ['users', 'groups', 'memberships', 'apps', 'appUsers'];

  it('yields exactly the admin changes, then nothing more', async () => {
    const c = connector();
    // Everything logged before this point is history: drain it so only this test's writes remain.
    const start = await drainChanges(c, ALL, await c.currentWatermark());

    const snap = await snapshot();
    const active = snap.users.filter((u) => u.status === 'ACTIVE');
    const [updated, deactivated, deleted] = active;
    const okta = snap.groups.filter((g) => g.type === 'OKTA_GROUP');
    const inGroup = new Set(snap.memberships.filter((m) => m.groupId === okta[0]!.id).map((m) => m.userId));
    const joiner = active.find((u) => !inGroup.has(u.id) && ![updated, deactivated, deleted].includes(u))!;
    const leaver = snap.memberships.find((m) => m.groupId === okta[1]!.id && ![updated, deactivated, deleted].some((u) => u!.id === m.userId))!;

    const created = await admin('POST', '/api/v1/users?activate=true', {
      profile: { firstName: 'Delta', lastName: 'Tester', email: 'delta.tester@example.com', login: 'delta.tester@example.com' },
    });
    await admin('POST', `/api/v1/users/${updated!.id}`, { profile: { title: 'Chief Delta Officer' } });
    await admin('POST', `/api/v1/users/${deactivated!.id}/lifecycle/deactivate`);
    await admin('DELETE', `/api/v1/users/${deleted!.id}`);
    await admin('DELETE', `/api/v1/users/${deleted!.id}`);
    await admin('PUT', `/api/v1/groups/${okta[0]!.id}/users/${joiner.id}`);
    await admin('DELETE', `/api/v1/groups/${okta[1]!.id}/users/${leaver.userId}`);

    const delta = await drainChanges(c, ALL, start.watermark);
    const after = await snapshot();
    const now = byId(after.users);

    expect(delta.warnings).toEqual([]);
    expect(objects(delta.records).map((o) => o.id).sort()).toEqual([created.id, updated!.id, deactivated!.id].sort());
    for (const o of objects(delta.records)) expect(o.raw).toEqual(now.get(o.id));
    expect((now.get(updated!.id)!.profile as Record<string, unknown>).title).toBe('Chief Delta Officer');
    expect(now.get(deactivated!.id)!.status).toBe('DEPROVISIONED');
    expect(delta.deletions).toEqual([{ resource: 'users', id: deleted!.id }]);

    expect(delta.linkSets.map((s) => s.parentId).sort()).toEqual([okta[0]!.id, okta[1]!.id].sort());
    for (const s of delta.linkSets) {
      expect(s.resource).toBe('memberships');
      const want = after.memberships.filter((m) => m.groupId === s.parentId).map((m) => m.userId).sort();
      expect(s.links.map((l) => l.childId).sort()).toEqual(want);
    }
    expect(delta.linkSets.find((s) => s.parentId === okta[0]!.id)!.links.some((l) => l.childId === joiner.id)).toBe(true);
    expect(delta.linkSets.find((s) => s.parentId === okta[1]!.id)!.links.some((l) => l.childId === leaver.userId)).toBe(false);

    const again = await drainChanges(c, ALL, delta.watermark);
    expect(again.records).toEqual([]);
    expect(again.deletions).toEqual([]);
    expect(again.linkSets).toEqual([]);
  });

  it('resumes from since + seen uuids when the stored poll link is refused', async () => {
    const c = connector();
    const start = await drainChanges(c, ['users'], await c.currentWatermark());
    const u = (await snapshot()).users.find((x) => x.status === 'ACTIVE')!;
    await admin('POST', `/api/v1/users/${u.id}`, { profile: { title: 'Resumed' } });
    const first = await drainChanges(c, ['users'], start.watermark);
    expect(objects(first.records).map((o) => o.id)).toEqual([u.id]);
    // A broken `after` makes the emulator answer 400, as Okta does for a cursor it no longer knows.
    const wm = JSON.parse(first.watermark) as { next: string };
    wm.next = wm.next.replace(/after=[^&]+/, 'after=bm9wZQ');
    const again = await drainChanges(c, ['users'], JSON.stringify(wm));
    expect(again.records).toEqual([]);
  });

  it('falls back to lastUpdated searches with a warning when the log is forbidden', async () => {
    const c = connector();
    const wm = await c.currentWatermark();
    const snap = await snapshot();
    const u = snap.users.filter((x) => x.status === 'ACTIVE').at(-1)!;
    const g = snap.groups.filter((x) => x.type === 'OKTA_GROUP').at(-1)!;
    const member = snap.users.find((x) => x.status === 'ACTIVE' && !snap.memberships.some((m) => m.groupId === g.id && m.userId === x.id))!;
    await admin('POST', `/api/v1/users/${u.id}`, { profile: { title: 'Searched' } });
    await admin('PUT', `/api/v1/groups/${g.id}/users/${member.id}`);
    emu.setKnobs({ forbidden: ['logs'] });
    try {
      const delta = await drainChanges(c, ['users', 'groups', 'memberships'], wm);
      expect(delta.warnings.length).toBeGreaterThan(0);
      const text = delta.warnings.map((w) => w.message).join('\n');
      expect(text).toContain('okta.logs.read');
      expect(text).toContain('deletions');
      const since = Date.parse((JSON.parse(wm) as { since: string }).since);
      const users = objects(delta.records).filter((o) => o.resource === 'users');
      expect(users.map((o) => o.id)).toContain(u.id);
      expect(users.every((o) => Date.parse(o.updatedAt!) > since)).toBe(true);
      const set = delta.linkSets.find((s) => s.parentId === g.id)!;
      expect(set.links.map((l) => l.childId)).toContain(member.id);
      expect(JSON.parse(delta.watermark).since).toBeTypeOf('string');
    } finally {
      emu.setKnobs({ forbidden: [] });
    }
  });
});
