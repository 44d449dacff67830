// The generic REST connector against the REST test server (emulators/rest, real HTTP): every
// paging style and auth style reads everything exactly once; deltas by the incremental field lose
// nothing (shared timestamps, late commits); a 403 makes a read incomplete; 429 is waited out;
// config mistakes are errors that name the field.
import { afterEach, describe, expect, it } from 'vitest';
import type { Connector } from '../../connectors/framework/define';
import { decodeDeltaState } from '../../connectors/framework/delta-state';
import { createRestConnector, restManifest, restType, type RestConfigInput } from '../../connectors/rest';
import type { SourceLink, SourceObject } from '../../connectors/types';
import { DEFAULT_REST_TOKEN, startRestServer, type RestPagingStyle, type RestServer, type RestServerAuth, type RestServerOptions } from '../../emulators/rest';
import { readAllPages, readWholeWindow } from '../support/connector-reads';
import { restConfig } from '../support/rest-config';

const FAST = { maxAttempts: 3, backoffBaseMs: 5, backoffMaxMs: 20 };
const open: { srv: RestServer; c?: Connector }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.c?.close();
    await o.srv.close();
  }
});

async function setUp(server: RestServerOptions, config: (srv: RestServer) => RestConfigInput, http: object = FAST): Promise<{ srv: RestServer; c: Connector }> {
  const srv = await startRestServer(server);
  const entry: { srv: RestServer; c?: Connector } = { srv };
  open.push(entry);
  const c = createRestConnector({ name: 'rest-test', type: 'rest' }, config(srv), http);
  entry.c = c;
  return { srv, c };
}

const duplicates = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i);
const ids = (records: unknown[]) => (records as SourceObject[]).map((r) => r.id);
const linkKeys = (records: unknown[]) => (records as SourceLink[]).map((l) => `${l.parentId}>${l.childId}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything a full read returns equals the server's data, each record once. */
async function expectExactRead(srv: RestServer, c: Connector): Promise<void> {
  const snap = srv.data.snapshot();
  const users = await readAllPages(c, 'users');
  const groups = await readAllPages(c, 'groups');
  const links = await readAllPages(c, 'memberships');
  for (const r of [users, groups, links]) expect(r.warnings).toEqual([]);
  expect(duplicates(ids(users.records))).toEqual([]);
  expect(ids(users.records).sort()).toEqual(snap.people.map((p) => p.id));
  expect((users.records as SourceObject[]).map((r) => r.raw)).toEqual(snap.people);
  expect(ids(groups.records).sort()).toEqual(snap.teams.map((t) => t.id));
  expect(duplicates(linkKeys(links.records))).toEqual([]);
  expect(linkKeys(links.records).sort()).toEqual(snap.memberships.map((m) => `${m.teamId}>${m.personId}`).sort());
  expect((links.records as SourceLink[]).every((l) => l.childKind === 'user' && l.resource === 'memberships')).toBe(true);
}

describe('rest connector: every paging style and auth style reads everything exactly once', () => {
  const combos: { style: RestPagingStyle; server: RestServerAuth; client: (srv: RestServer) => RestConfigInput['auth']; maxPageSize?: number }[] = [
    { style: 'link', server: { type: 'bearer', token: 'tok-1' }, client: () => ({ type: 'bearer', token: 'tok-1' }) },
    { style: 'cursor', server: { type: 'basic', username: 'svc', password: 'pw:1' }, client: () => ({ type: 'basic', username: 'svc', password: 'pw:1' }) },
    { style: 'offset', server: { type: 'apiKey', in: 'header', name: 'X-API-Key', value: 'k-1' }, client: () => ({ type: 'apiKey', in: 'header', name: 'X-API-Key', value: 'k-1' }) },
    { style: 'page', server: { type: 'apiKey', in: 'query', name: 'api_key', value: 'k-2' }, client: () => ({ type: 'apiKey', in: 'query', name: 'api_key', value: 'k-2' }) },
    // The server caps pages below what is asked: short pages do not end the read.
    { style: 'page', server: { type: 'bearer', token: DEFAULT_REST_TOKEN }, client: () => ({ type: 'bearer', token: DEFAULT_REST_TOKEN }), maxPageSize: 3 },
    { style: 'offset', server: { type: 'bearer', token: DEFAULT_REST_TOKEN }, client: () => ({ type: 'bearer', token: DEFAULT_REST_TOKEN }), maxPageSize: 3 },
    {
      style: 'link',
      server: { type: 'oauth', clientId: 'cid', clientSecret: 'sec-1' },
      client: (srv) => ({ type: 'oauth2', tokenUrl: srv.tokenUrl, clientId: 'cid', clientSecret: 'sec-1' }),
    },
    {
      style: 'cursor',
      server: { type: 'oauth', clientId: 'cid', clientSecret: 'sec:2' },
      client: (srv) => ({ type: 'oauth2', tokenUrl: srv.tokenUrl, clientId: 'cid', clientSecret: 'sec:2', clientAuth: 'client_secret_basic' }),
    },
  ];
  for (const k of combos) {
    it(`${k.style} paging with ${k.server.type}${'in' in k.server ? ` (${k.server.in})` : ''} auth${k.maxPageSize ? `, server capping pages at ${k.maxPageSize}` : ''}`, async () => {
      const { srv, c } = await setUp({ paging: k.style, auth: k.server, people: 23, teams: 6, maxPageSize: k.maxPageSize }, (s) => restConfig(s.url, k.style, k.client(s)));
      await expectExactRead(srv, c);
      // Paging itself was exercised, and every request carried the credential.
      expect(srv.requests.filter((r) => r.path === '/api/people').length).toBeGreaterThan(5);
      expect(srv.requests.filter((r) => r.status === 401)).toEqual([]);
      if (k.server.type === 'apiKey' && k.server.in === 'query') expect(srv.requests.every((r) => r.query.api_key === 'k-2')).toBe(true);
    });
  }

  it('get by id equals the listed record; an id that is not there is null', async () => {
    const { c } = await setUp({ paging: 'link', people: 9, teams: 2 }, (s) => restConfig(s.url, 'link', { type: 'bearer', token: DEFAULT_REST_TOKEN }));
    const users = (await readAllPages(c, 'users')).records as SourceObject[];
    expect(await c.getById!('users', users[4]!.id)).toEqual(users[4]);
    expect(await c.getById!('users', 'p99999')).toBeNull();
    const links = (await readAllPages(c, 'memberships')).records as SourceLink[];
    const parent = links[0]!.parentId;
    expect(await c.getLinks!('memberships', parent)).toEqual(links.filter((l) => l.parentId === parent));
  });

  it('a wrong credential fails with an auth error that names config.auth and not the value', async () => {
    const { c } = await setUp({ paging: 'link', people: 3 }, (s) => restConfig(s.url, 'link', { type: 'bearer', token: 'not-the-token' }));
    const err = await c.readPage!('users', null).catch((e: Error & { kind?: string }) => e);
    expect(err).toMatchObject({ kind: 'auth' });
    expect((err as Error).message).toContain('config.auth');
    expect((err as Error).message).not.toContain('not-the-token');
  });
});

describe('rest connector: deltas by the incremental field', () => {
  const bearer = { type: 'bearer', token: DEFAULT_REST_TOKEN } as const;

  it('a window brings changed users, changed groups and the whole member list of a group whose members changed', async () => {
    const { srv, c } = await setUp({ paging: 'cursor', people: 14, teams: 5 }, (s) => restConfig(s.url, 'cursor', bearer));
    await sleep(2200);
    const wm = await c.currentWatermark!(['users', 'groups', 'memberships']);
    const quiet = await readWholeWindow(c, ['users', 'groups', 'memberships'], wm);
    expect(quiet.records).toEqual([]);
    expect(quiet.linkSets).toEqual([]);

    const people = srv.data.snapshot().people;
    srv.data.updatePerson(people[3]!.id, { email: 'changed@example.com' });
    const hire = srv.data.addPerson({ userName: 'new.hire@example.com' });
    const team = srv.data.snapshot().teams[2]!;
    srv.data.addMember(team.id, hire.id);
    // Past the lag: the marks are then the largest values seen, not the server-clock bound.
    await sleep(2200);
    const window = await readWholeWindow(c, ['users', 'groups', 'memberships'], wm);
    expect(window.fullSyncRequired).toBeUndefined();
    expect(window.warnings).toEqual([]);
    const users = (window.records as SourceObject[]).filter((r) => r.resource === 'users');
    expect(users.map((u) => u.id).sort()).toEqual([people[3]!.id, hire.id].sort());
    expect(users.find((u) => u.id === people[3]!.id)!.raw.email).toBe('changed@example.com');
    expect((window.records as SourceObject[]).filter((r) => r.resource === 'groups').map((g) => g.id)).toEqual([team.id]);
    expect(window.linkSets).toHaveLength(1);
    expect(window.linkSets[0]!.links.map((l) => l.childId).sort()).toEqual(srv.data.memberIds(team.id));

    // The new mark is the largest value seen, per class (groups and memberships share theirs).
    const after = decodeDeltaState(window.watermark, ['users', 'groups', 'memberships']);
    expect(after.users).toBe(srv.data.people.get(hire.id)!.meta.updated);
    expect(after.groups).toBe(srv.data.teams.get(team.id)!.meta.updated);
    expect(after.memberships).toBe(after.groups);
  });

  it('records sharing the mark, or committed late with an earlier time, are read by the next window', async () => {
    const { srv, c } = await setUp({ paging: 'link', people: 6 }, (s) => ({ ...restConfig(s.url, 'link', bearer), links: {}, classes: { users: restConfig(s.url, 'link', bearer).classes.users } }));
    await sleep(2200);
    const wm = await c.currentWatermark!(['users']);
    const changed = srv.data.updatePerson(srv.data.snapshot().people[1]!.id, { department: 'moved' });
    const first = await readWholeWindow(c, ['users'], wm);
    expect(ids(first.records)).toEqual([changed.id]);
    const mark = decodeDeltaState(first.watermark, ['users']).users!;
    // The window was read within the lag of the change: its mark stays behind the change, on the
    // server's clock, instead of jumping to the largest value seen.
    expect(Date.parse(mark)).toBeLessThan(Date.parse(changed.meta.updated));
    // Committed after that read: one stamped exactly at the mark, one stamped before the change
    // the window saw (a transaction that took its time), both found by the next window.
    const same = srv.data.addPerson({ userName: 'same.instant@example.com' }, new Date(mark));
    const late = srv.data.addPerson({ userName: 'late.commit@example.com' }, new Date(Math.floor((Date.parse(mark) + Date.parse(changed.meta.updated)) / 2)));
    await sleep(2200);
    const second = await readWholeWindow(c, ['users'], first.watermark);
    expect(ids(second.records).sort()).toEqual([changed.id, same.id, late.id].sort());
    // Past the lag, the mark is the largest value seen: `>=` reads the record at it once more, no other.
    const third = await readWholeWindow(c, ['users'], second.watermark);
    expect(decodeDeltaState(second.watermark, ['users']).users).toBe(changed.meta.updated);
    expect(ids(third.records)).toEqual([changed.id]);
  });

  it('a sequence field with scan start: the first mark is the largest value, windows select by version', async () => {
    const { srv, c } = await setUp({ paging: 'offset', people: 11 }, (s) => ({
      baseUrl: s.url,
      auth: bearer,
      pageSize: 4,
      paging: { style: 'offset', totalPath: 'meta.total' },
      classes: { users: { path: '/api/people', records: 'data.items', delta: { param: 'version_since', field: 'meta.version', start: 'scan' } } },
    }));
    const wm = await c.currentWatermark!(['users']);
    const max = Math.max(...srv.data.snapshot().people.map((p) => p.meta.version));
    expect(decodeDeltaState(wm, ['users']).users).toBe(String(max));
    const changed = srv.data.updatePerson('p00004', { active: false });
    const window = await readWholeWindow(c, ['users'], wm);
    // `>=`: the record at the old mark comes again (applied twice, changing nothing), the change is there.
    expect(ids(window.records)).toContain(changed.id);
    expect(ids(window.records).length).toBeLessThanOrEqual(2);
    expect(decodeDeltaState(window.watermark, ['users']).users).toBe(String(changed.meta.version));
  });

  it('a class without delta config has no delta capability, and a delta asked anyway wants a full sync', async () => {
    const cfg = (s: RestServer): RestConfigInput => {
      const base = restConfig(s.url, 'link', bearer);
      const { delta: _d, ...users } = base.classes.users!;
      return { ...base, classes: { ...base.classes, users } };
    };
    const { c } = await setUp({ paging: 'link', people: 3, teams: 1 }, cfg);
    expect(c.manifest.objectClasses.users!.delta).toBe('none');
    expect(c.manifest.objectClasses.groups!.delta).toBe('watermark');
    const wm = await c.currentWatermark!(['groups']);
    const r = await c.readChanges!(['users', 'groups'], wm, null);
    expect(r.fullSyncRequired).toMatch(/config\.classes\.users\.delta/);
  });
});

describe('rest connector: 403 and 429', () => {
  const bearer = { type: 'bearer', token: DEFAULT_REST_TOKEN } as const;

  it('a 403 part-way through a list makes that read incomplete, naming the endpoint and the scope', async () => {
    const { srv, c } = await setUp({ paging: 'page', people: 20, teams: 4 }, (s) => restConfig(s.url, 'page', bearer));
    srv.setFaults({ forbidden: [{ prefix: '/api/people', fromPage: 3 }] });
    const cut = await readAllPages(c, 'users');
    expect(cut.records).toHaveLength(8);
    expect(cut.warnings).toHaveLength(1);
    expect(cut.warnings[0]).toMatchObject({ resource: 'users', incomplete: true });
    expect(cut.warnings[0]!.message).toContain('/api/people');
    expect(cut.warnings[0]!.message).toContain('directory:read');

    srv.setFaults({ forbidden: [{ prefix: '/api/teams/t0002/members' }] });
    const links = await readAllPages(c, 'memberships');
    expect(links.warnings.map((w) => [w.resource, w.incomplete])).toEqual([['memberships', true]]);
    srv.setFaults({});
    await expectExactRead(srv, c);
  });

  it('a 403 on a delta window keeps that class at its old mark', async () => {
    const { srv, c } = await setUp({ paging: 'link', people: 5, teams: 2 }, (s) => restConfig(s.url, 'link', bearer));
    await sleep(2200);
    const wm = await c.currentWatermark!(['users', 'groups']);
    srv.data.updatePerson('p00002', { department: 'x' });
    srv.data.updateTeam('t0001', { displayName: 'renamed' });
    srv.setFaults({ forbidden: [{ prefix: '/api/people' }] });
    await sleep(2200);
    const window = await readWholeWindow(c, ['users', 'groups'], wm);
    expect(window.warnings.map((w) => [w.resource, w.incomplete])).toEqual([['users', true]]);
    const before = decodeDeltaState(wm, ['users', 'groups']);
    const after = decodeDeltaState(window.watermark, ['users', 'groups']);
    expect(after.users).toBe(before.users);
    expect(after.groups).toBe(srv.data.teams.get('t0001')!.meta.updated);
    expect(after.groups).not.toBe(before.groups);
  });

  it("429 with Retry-After is waited out as the server says, and the read is still exact", async () => {
    const waits: number[] = [];
    const { srv, c } = await setUp({ paging: 'offset', people: 17, teams: 3 }, (s) => restConfig(s.url, 'offset', bearer), {
      ...FAST,
      maxAttempts: 4,
      sleep: (ms: number) => (waits.push(ms), sleep(Math.min(ms, 30))),
    });
    srv.setFaults({ rateLimit: { every: 3, retryAfterSeconds: 2 } });
    await expectExactRead(srv, c);
    expect(srv.requests.filter((r) => r.status === 429).length).toBeGreaterThan(3);
    expect(waits.filter((w) => w === 2000).length).toBe(srv.requests.filter((r) => r.status === 429).length);
  });
});

describe('rest connector: config', () => {
  const parse = (config: unknown) => {
    try {
      restType.open({ name: 'bad', type: 'rest' }, config);
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  };
  const good = restConfig('https://hr.example.com', 'link', { type: 'bearer', token: 't' });

  it('names the field of each mistake', () => {
    expect(parse({ ...good, paging: undefined })).toMatch(/config\.classes\.users\.paging/);
    expect(parse({ ...good, classes: { ...good.classes, users: { ...good.classes.users, path: 'api/people' } } })).toMatch(/config\.classes\.users\.path/);
    expect(parse({ ...good, classes: { ...good.classes, people: { path: '/x' } } })).toMatch(/unknown class config\.classes\.people/);
    expect(parse({ ...good, classes: { users: { ...good.classes.users, delta: { param: 'since', template: 'x' } } }, links: {} })).toMatch(/config\.classes\.users\.delta\.template must contain \{\{watermark\}\}/);
    expect(parse({ ...good, classes: { users: good.classes.users } })).toMatch(/config\.links\.memberships needs config\.classes\.groups/);
    expect(parse({ ...good, links: { memberships: { path: '/api/teams/members' } } })).toMatch(/config\.links\.memberships\.path must contain \{id\}/);
    expect(parse({ ...good, baseUrl: 'http://hr.example.com' })).toMatch(/config\.baseUrl uses http:\/\//);
    expect(parse({ ...good, auth: { type: 'apiKey', value: 'k' } })).toMatch(/config\.auth\.name is required/);
    expect(parse({ ...good, classes: { ...good.classes, users: { ...good.classes.users, kind: 'group' } } })).toMatch(/config\.classes\.users\.kind must be user/);
    expect(parse({ ...good, paging: { style: 'cursor' } })).toMatch(/config\.paging\.cursorPath/);
    expect(parse({ ...good, timeout: 5 })).toMatch(/unknown field config\.timeout/);
  });

  it('a records path or id path that does not fit the answers is an error naming that field', async () => {
    const { c } = await setUp({ paging: 'link', people: 3, teams: 2 }, (s) => {
      const base = restConfig(s.url, 'link', { type: 'bearer', token: DEFAULT_REST_TOKEN });
      return { ...base, classes: { ...base.classes, users: { ...base.classes.users!, records: 'data.people' }, groups: { ...base.classes.groups!, id: 'uuid' } } };
    });
    await expect(c.readPage!('users', null)).rejects.toThrow(/config\.classes\.users\.records/);
    await expect(c.readPage!('groups', null)).rejects.toThrow(/config\.classes\.groups\.id/);
  });

  it('an instance manifest holds only the configured classes', () => {
    const users = restManifest({ ...good, classes: { users: { ...good.classes.users!, get: undefined } }, links: {} });
    expect(Object.keys(users.objectClasses)).toEqual(['users']);
    expect(users.linkClasses).toEqual({});
    expect(users.objectClasses.users).toMatchObject({ read: true, delta: 'watermark', get: false });
    const all = restManifest(good);
    expect(Object.keys(all.objectClasses)).toEqual(['users', 'groups']);
    expect(all.linkClasses.memberships).toMatchObject({ children: ['users'], delta: 'watermark', get: true });
  });
});
