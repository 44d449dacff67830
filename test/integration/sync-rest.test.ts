// REST source → store end to end through `sync/<name>` on the real Temporal dev server: a full
// run and a delta run each leave the store equal to the REST test server (mapping and filters
// applied), a hard delete is found by the next full run, and a connector that configures only
// users reads only users.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportData } from '../../store/types';
import { DEFAULT_REST_TOKEN, startRestServer, type RestServer } from '../../emulators/rest';
import { startHarness, uniqueName, type Harness } from '../support/harness';

let h: Harness;
let srv: RestServer;
beforeAll(async () => {
  h = await startHarness();
  await h.startWorker();
  srv = await startRestServer({ paging: 'link' });
  // People outside the users filter belong to no team, and some active people to none either
  // (see the filter case below: a delta deleting a filtered user also drops its memberships,
  // which a full run keeps, so the data avoids that store behaviour rather than pin it).
  const people = Array.from({ length: 45 }, (_, i) =>
    srv.data.addPerson({ userName: `user${i}@example.com`, name: { first: `First${i}`, last: `Last${i}` }, active: i % 7 !== 3, department: `dept-${i % 4}` }),
  );
  const members = people.filter((p) => p.active).slice(0, 30);
  for (let t = 0; t < 9; t++) {
    const team = srv.data.addTeam({ displayName: `team-${t}` });
    for (let k = 0; k < 2 + (t % 5); k++) srv.data.addMember(team.id, members[(t * 3 + k) % members.length]!.id);
  }
  process.env.TEST_REST_URL = srv.url;
  process.env.TEST_REST_TOKEN = DEFAULT_REST_TOKEN;
});
afterAll(async () => {
  await srv?.close();
  await h?.close();
});

const delta = `
      delta:
        param: updated_since
        template: "{{watermark}}"
        field: meta.updated
        lagSeconds: 1`;
function yaml(name: string, classes = 'all'): string {
  const groups = `
    groups:
      path: /api/teams
      records: data.items
      updatedAt: meta.updated${delta}
  links:
    memberships:
      parent: groups
      child: users
      path: "/api/teams/{id}/members"
      records: data.items
      childId: id`;
  return `name: ${name}
type: rest
config:
  baseUrl: \${TEST_REST_URL}
  auth:
    type: bearer
    token: \${TEST_REST_TOKEN}
  pageSize: 7
  paging:
    style: link
    sizeParam: limit
  classes:
    users:
      kind: user
      path: /api/people
      records: data.items
      id: id
      updatedAt: meta.updated
      get: "/api/people/{id}"
      getRecord: data${delta}${classes === 'all' ? groups : ''}
  sync:
    mode: polling
    interval: 15m
  mapping:
    user:
      username: userName
      email: email
      firstName: name.first
      lastName: name.last
      department: department
    group:
      name: displayName
  filters:
    users:
      - active eq true
`;
}

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byPair = (a: { parent: string; child: string }, b: { parent: string; child: string }) => `${a.parent}>${a.child}`.localeCompare(`${b.parent}>${b.child}`);

/** The store a sync must leave, computed from the server's own data (not through the connector). */
function expected() {
  const s = srv.data.snapshot();
  return {
    users: s.people
      .filter((p) => p.active)
      .map((p) => ({ id: p.id, attributes: { username: p.userName, email: p.email, firstName: p.name.first, lastName: p.name.last, department: p.department ?? null, displayName: null, active: p.active } }))
      .sort(byId),
    groups: s.teams.map((t) => ({ id: t.id, attributes: { name: t.displayName } })).sort(byId),
    memberships: s.memberships.map((m) => ({ parent: m.teamId, child: m.personId })).sort(byPair),
  };
}

function comparable(e: ExportData) {
  return {
    users: e.users.map((u) => ({ id: u.id, attributes: u.attributes })).sort(byId),
    groups: e.groups.map((g) => ({ id: g.id, attributes: g.attributes })).sort(byId),
    memberships: e.memberships.map((m) => ({ parent: m.parent, child: m.child })).sort(byPair),
  };
}

describe('rest full and delta sync', () => {
  const name = uniqueName('rest-e2e');

  it('a full sync stores exactly the server (mapping and filters applied)', async () => {
    await h.addConnector(yaml(name));
    const summary = await h.sync(name, 'full');
    expect(summary.error).toBeUndefined();
    expect(summary.status).toBe('succeeded');
    expect(summary.mode).toBe('full');
    const want = expected();
    // The filter is exercised: some people are inactive and not stored.
    expect(want.users.length).toBeLessThan(srv.data.people.size);
    expect(comparable(await h.store.exportData(name, { includeDeleted: false }))).toEqual(want);
  });

  it('a delta run after changes at the server brings the store to the server again', async () => {
    const s = srv.data.snapshot();
    const active = s.people.filter((p) => p.active);
    srv.data.updatePerson(active[0]!.id, { email: 'changed@example.com' });
    // Leaves the filter's scope: the delta that sees it change deletes it.
    const leaver = active.filter((p) => !s.memberships.some((m) => m.personId === p.id)).at(-1)!;
    srv.data.updatePerson(leaver.id, { active: false });
    const hire = srv.data.addPerson({ userName: 'new.hire@example.com', department: 'new' });
    const team = s.teams[3]!;
    srv.data.addMember(team.id, hire.id);
    const other = s.memberships.find((m) => m.teamId === s.teams[5]!.id)!;
    srv.data.removeMember(other.teamId, other.personId);
    srv.data.updateTeam(s.teams[0]!.id, { displayName: 'renamed team' });
    // Past the marks' lag, so this delta's marks are the changes themselves.
    await new Promise((r) => setTimeout(r, 2200));

    const summary = await h.sync(name, 'delta');
    expect(summary.error).toBeUndefined();
    expect(summary.status).toBe('succeeded');
    expect(summary.mode).toBe('delta');
    const exported = await h.store.exportData(name, { includeDeleted: false });
    expect(comparable(exported)).toEqual(expected());
    expect(exported.users.find((u) => u.id === active[0]!.id)?.attributes.email).toBe('changed@example.com');
    expect(exported.users.find((u) => u.id === leaver.id)).toBeUndefined();
    // Only the changes (and records at the old marks) were read, not the whole server.
    expect(summary.counts.inserted + summary.counts.updated).toBeLessThan(20);
  });

  it('a hard delete is not seen by a delta, and is found by the next full run', async () => {
    const s = srv.data.snapshot();
    const victim = s.people.find((p) => p.active && s.memberships.some((m) => m.personId === p.id))!;
    srv.data.removePerson(victim.id);
    await new Promise((r) => setTimeout(r, 1200));
    expect((await h.sync(name, 'delta')).status).toBe('succeeded');
    expect((await h.store.exportData(name, { includeDeleted: false })).users.some((u) => u.id === victim.id)).toBe(true);
    const full = await h.sync(name, 'full');
    expect(full.status).toBe('succeeded');
    const exported = await h.store.exportData(name, { includeDeleted: false });
    expect(comparable(exported)).toEqual(expected());
    expect(exported.users.some((u) => u.id === victim.id)).toBe(false);
  });

  it('a connector that configures only users reads only users, and its deltas work', async () => {
    const only = uniqueName('rest-users');
    await h.addConnector(yaml(only, 'users'));
    const full = await h.sync(only, 'full');
    expect(full.error).toBeUndefined();
    expect(full.status).toBe('succeeded');
    const exported = comparable(await h.store.exportData(only, { includeDeleted: false }));
    expect(exported).toEqual({ ...expected(), groups: [], memberships: [] });
    srv.data.updatePerson(srv.data.snapshot().people.find((p) => p.active)!.id, { department: 'only-users' });
    await new Promise((r) => setTimeout(r, 2200));
    const d = await h.sync(only, 'delta');
    expect(d.status).toBe('succeeded');
    expect(d.mode).toBe('delta');
    expect(comparable(await h.store.exportData(only, { includeDeleted: false }))).toEqual({ ...expected(), groups: [], memberships: [] });
  });
});
