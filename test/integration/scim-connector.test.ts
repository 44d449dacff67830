// The SCIM 2.0 connector against the repo's SCIM server (scimmy over SQLite, real HTTP): discovery
// decides PATCH/PUT, If-Match and filtered deltas; full reads are complete over many pages and
// short pages; reads by id equal the listing; deltas see changes (or ask for a full sync when the
// server cannot filter); a 403 marks a read incomplete; creates are idempotent without ever
// adopting a stranger's object; updates touch only what they name; members are linked in batches.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startScimServer, DEFAULT_TOKEN, type ScimServer } from '../../emulators/scim';
import { createScimConnector, type ScimConfigInput } from '../../connectors/scim';
import type { Connector } from '../../connectors/framework/define';
import { decodeDeltaState } from '../../connectors/framework/delta-state';
import type { SourceLink, SourceObject } from '../../connectors/types';
import { readAllPages, readWholeWindow } from '../support/connector-reads';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const FAST = { maxAttempts: 2, backoffBaseMs: 5, backoffMaxMs: 20 };
const open: Connector[] = [];
const servers: ScimServer[] = [];

function connect(srv: { baseUrl: string }, config: Record<string, unknown> = {}, name = 'app'): Connector {
  const c = createScimConnector({ name, type: 'scim' }, { baseUrl: srv.baseUrl, auth: { type: 'bearer', token: DEFAULT_TOKEN }, ...config }, FAST);
  open.push(c);
  return c;
}

async function server(opts: Parameters<typeof startScimServer>[0] = {}): Promise<ScimServer> {
  const s = await startScimServer(opts);
  servers.push(s);
  return s;
}

const person = (i: number, extra: Record<string, unknown> = {}) => ({
  userName: `user${String(i).padStart(4, '0')}@example.com`,
  name: { givenName: `Given${i}`, familyName: `Family${i}` },
  emails: [{ value: `user${i}@example.com`, type: 'work', primary: true }],
  displayName: `User ${i}`,
  active: true,
  [ENTERPRISE]: { employeeNumber: `E${i}` },
  ...extra,
});
const people = (n: number, from = 0) => Array.from({ length: n }, (_, i) => person(from + i));

const objects = (rs: { type: string }[]) => rs.filter((r): r is SourceObject => r.type === 'object');
const links = (rs: { type: string }[]) => rs.filter((r): r is SourceLink => r.type === 'link');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('discovery', () => {
  it('reads the three discovery endpoints once per instance and follows the server flags', async () => {
    const srv = await server({ features: { patch: false, etag: false } });
    const c = connect(srv);
    const t = await c.test!();
    expect(t.status).toBe('success');
    expect(t.message).toContain('PATCH no (PUT)');
    expect(t.message).toContain('ETag no');
    expect(t.message).toContain('filter yes');
    await readAllPages(c, 'users');
    await readAllPages(c, 'groups');
    const discovery = srv.requests.filter((r) => ['/ServiceProviderConfig', '/Schemas', '/ResourceTypes'].includes(r.path));
    expect(discovery.map((r) => r.path).sort()).toEqual(['/ResourceTypes', '/Schemas', '/ServiceProviderConfig']);

    srv.configure({ features: { patch: true, etag: true } });
    const fresh = connect(srv);
    expect((await fresh.test!()).message).toContain('PATCH yes, filter yes, ETag yes, bulk no');
  });

  it('takes seed 004\'s Okta form (scimEndpoint) and refuses plain http off localhost, naming the field', async () => {
    const srv = await server();
    srv.seed(people(3));
    const c = createScimConnector({ name: 'okta-form', type: 'scim' }, { scimEndpoint: srv.baseUrl, auth: { type: 'bearer', token: DEFAULT_TOKEN } }, FAST);
    open.push(c);
    expect(objects((await readAllPages(c, 'users')).records)).toHaveLength(3);
    expect(() => createScimConnector({ name: 'x', type: 'scim' }, { baseUrl: 'http://scim.example.com/v2', auth: { type: 'bearer', token: 't' } })).toThrow(/config\.baseUrl: baseUrl uses http:\/\//);
    expect(() => createScimConnector({ name: 'x', type: 'scim' }, { baseUrl: 'https://scim.example.com/v2', auth: { type: 'bearer' } } as unknown as ScimConfigInput)).toThrow(/config\.auth\.token/);
    expect(() => createScimConnector({ name: 'x', type: 'scim' }, { baseUrl: 'https://scim.example.com/v2', auth: { type: 'bearer', token: 't' }, deleteOnRemoval: true } as unknown as ScimConfigInput)).toThrow(
      /config\.deleteOnRemoval: .*provisioning\.deleteOnRemoval/,
    );
    expect(() => createScimConnector({ name: 'x', type: 'scim' }, { baseUrl: 'https://scim.example.com/v2', auth: { type: 'bearer', token: 't' }, pagesize: 5 } as unknown as ScimConfigInput)).toThrow(
      /unknown field config\.pagesize \(a scim connector takes baseUrl, scimEndpoint, auth, pageSize/,
    );
  });
});

describe('full reads', () => {
  let srv: ScimServer;
  let seeded: Map<string, string>;
  let groupIds: Map<string, string>;
  beforeAll(async () => {
    srv = await server();
    const users = people(257);
    const res = srv.seed(users, [
      { displayName: 'engineering', members: users.slice(0, 120).map((u) => u.userName) },
      { displayName: 'sales', members: users.slice(100, 140).map((u) => u.userName) },
      { displayName: 'empty' },
    ]);
    seeded = res.users;
    groupIds = res.groups;
  });

  it('reads every user over several pages until totalResults, with resumable JSON cursors', async () => {
    const c = connect(srv, { pageSize: 50 });
    srv.requests.length = 0;
    const first = await c.readPage!('users', null);
    expect(JSON.parse(first.nextCursor!)).toMatchObject({ total: 257 });
    // A cursor resumes on another instance (another worker).
    const rest = await readAllPagesFrom(connect(srv, { pageSize: 50 }), 'users', first.nextCursor);
    const ids = [...objects(first.records), ...objects(rest.records)].map((o) => o.id);
    expect(new Set(ids).size).toBe(257);
    expect(new Set(ids)).toEqual(new Set(seeded.values()));
    expect(rest.warnings).toEqual([]);
    const pages = srv.requests.filter((r) => r.path === '/Users');
    expect(pages.map((r) => Number(r.query.startIndex))).toEqual([1, 51, 101, 151, 201, 251]);
  });

  it('is complete when the server sends fewer than count (its own maxResults cap, unknown to the client)', async () => {
    const capped = await server({ maxResults: 30 });
    const res = capped.seed(people(95));
    const c = connect(capped, { pageSize: 50, discover: false });
    const all = await readAllPages(c, 'users');
    expect(new Set(objects(all.records).map((o) => o.id))).toEqual(new Set(res.users.values()));
    expect(all.warnings).toEqual([]);
    expect(capped.requests.filter((r) => r.path === '/Users').map((r) => Number(r.query.startIndex))).toEqual([1, 31, 61, 91]);
  });

  it('stops at an exact multiple of the page size and reads an empty directory in one request', async () => {
    const exact = await server();
    exact.seed(people(100));
    const c = connect(exact, { pageSize: 50 });
    expect(objects((await readAllPages(c, 'users')).records)).toHaveLength(100);
    expect(exact.requests.filter((r) => r.path === '/Users')).toHaveLength(2);
    const none = await readAllPages(c, 'groups');
    expect(none).toEqual({ records: [], warnings: [] });
    expect(exact.requests.filter((r) => r.path === '/Groups')).toHaveLength(1);
  });

  it('marks the read incomplete when objects vanish mid-read (offset pages shift)', async () => {
    const shrinking = await server();
    const res = shrinking.seed(people(120));
    const c = connect(shrinking, { pageSize: 50 });
    const first = await c.readPage!('users', null);
    for (const id of [...res.users.values()].slice(0, 5)) shrinking.store.delete('users', id);
    const rest = await readAllPagesFrom(c, 'users', first.nextCursor);
    expect(rest.warnings).toHaveLength(1);
    expect(rest.warnings[0]).toMatchObject({ resource: 'users', incomplete: true });
    expect(rest.warnings[0].message).toMatch(/totalResults fell from 120 to 115/);
  });

  it('reads groups without members and memberships from group members, and get-by-id equals the listing', async () => {
    const c = connect(srv, { pageSize: 2 });
    const groups = objects((await readAllPages(c, 'groups')).records);
    expect(new Set(groups.map((g) => g.raw.displayName))).toEqual(new Set(['engineering', 'sales', 'empty']));
    expect(groups.every((g) => !('members' in g.raw))).toBe(true);
    const memberships = links((await readAllPages(c, 'memberships')).records);
    expect(memberships).toHaveLength(160);
    const eng = groupIds.get('engineering')!;
    expect(new Set(memberships.filter((l) => l.parentId === eng).map((l) => l.childId))).toEqual(new Set(srv.memberIds(eng)));
    expect(memberships.every((l) => l.childKind === 'user')).toBe(true);
    expect(new Set((await c.getLinks!('memberships', eng)).map((l) => l.childId))).toEqual(new Set(srv.memberIds(eng)));

    const users = objects((await readAllPages(connect(srv, { pageSize: 100 }), 'users')).records);
    for (const listed of [users[0], users[128], users[256], ...groups]) {
      const got = await c.getById!(listed.resource, listed.id);
      expect(got).toEqual(listed);
    }
    const someone = users.find((u) => u.raw.userName === 'user0007@example.com')!;
    expect(someone.raw[ENTERPRISE]).toEqual({ employeeNumber: 'E7' });
    expect(someone.updatedAt).toBe((srv.getUser(someone.id)!.meta as { lastModified: string }).lastModified);
    expect(await c.getById!('users', 'no-such-id')).toBeNull();
  });
});

async function readAllPagesFrom(c: Connector, cls: string, cursor: string | null) {
  const records = [];
  const warnings = [];
  let at = cursor;
  while (at) {
    const p = await c.readPage!(cls, at);
    records.push(...p.records);
    warnings.push(...p.warnings);
    at = p.nextCursor;
  }
  return { records, warnings };
}

describe('deltas', () => {
  it('reads what changed after the per-class marks, memberships from changed groups', async () => {
    const srv = await server();
    const res = srv.seed(people(30), [{ displayName: 'team', members: ['user0001@example.com'] }]);
    // Marks are the server's clock less a second: let the seed fall behind them.
    await sleep(2100);
    const c = connect(srv, { pageSize: 10 });
    const classes = ['users', 'groups', 'memberships'];
    const mark = await c.currentWatermark!(classes);
    expect(Object.keys(decodeDeltaState(mark, classes)).sort()).toEqual(['groups', 'memberships', 'users']);
    expect((await readWholeWindow(c, classes, mark)).records).toEqual([]);

    const alice = res.users.get('user0003@example.com')!;
    const team = res.groups.get('team')!;
    await c.updateDelta!('users', alice, { replace: { 'name.givenName': 'Alice' } });
    await c.link!('memberships', team, [res.users.get('user0004@example.com')!]);
    // The next marks are the server's clock at the window's start: a second on, they must have moved.
    await sleep(1100);
    const w = await readWholeWindow(c, classes, mark);
    expect(w.fullSyncRequired).toBeUndefined();
    expect(objects(w.records).map((o) => [o.resource, o.id])).toEqual([
      ['users', alice],
      ['groups', team],
    ]);
    expect(objects(w.records)[0].raw.name).toMatchObject({ givenName: 'Alice' });
    expect(w.linkSets).toHaveLength(1);
    expect(new Set(w.linkSets[0].links.map((l) => l.childId))).toEqual(new Set(srv.memberIds(team)));
    expect(w.warnings).toEqual([]);
    const next = decodeDeltaState(w.watermark, classes);
    const before = decodeDeltaState(mark, classes);
    for (const cls of classes) expect(next[cls] > before[cls]).toBe(true);

    // Only users asked: only the users mark moves, the others are kept as they were.
    const onlyUsers = await readWholeWindow(c, ['users'], mark);
    expect(objects(onlyUsers.records).map((o) => o.id)).toEqual([alice]);
    expect(srv.requests.filter((r) => r.query.filter).every((r) => String(r.query.filter).startsWith('meta.lastModified gt "'))).toBe(true);
  });

  it('a configured userFilter holds in full reads and in deltas', async () => {
    const srv = await server();
    const res = srv.seed([...people(4), person(9, { active: false })]);
    await sleep(2100);
    const c = connect(srv, { userFilter: 'active eq true' });
    const full = objects((await readAllPages(c, 'users')).records);
    expect(full).toHaveLength(4);
    const mark = await c.currentWatermark!(['users']);
    const inactive = res.users.get('user0009@example.com')!;
    const active = res.users.get('user0001@example.com')!;
    await c.updateDelta!('users', inactive, { replace: { title: 'x' } });
    await c.updateDelta!('users', active, { replace: { title: 'y' } });
    const w = await readWholeWindow(c, ['users'], mark);
    expect(objects(w.records).map((o) => o.id)).toEqual([active]);
  });

  it('asks for a full sync, with the reason, when the server cannot filter', async () => {
    const srv = await server({ features: { filter: false } });
    srv.seed(people(3));
    const c = connect(srv);
    const mark = await c.currentWatermark!(['users']);
    const w = await c.readChanges!(['users'], mark, null);
    expect(w.fullSyncRequired).toMatch(/does not support filtering.*filter\.supported is false/);
    expect(w.watermark).toBe(mark);
    expect(w.records).toEqual([]);
    expect(srv.requests.some((r) => r.query.filter)).toBe(false);
    // A full read still works.
    expect(objects((await readAllPages(c, 'users')).records)).toHaveLength(3);
  });

  it('asks for a full sync for a class that has no mark yet', async () => {
    const srv = await server();
    const c = connect(srv);
    const mark = await c.currentWatermark!(['users']);
    const w = await c.readChanges!(['users', 'groups'], mark, null);
    expect(w.fullSyncRequired).toMatch(/no delta mark for groups/);
  });
});

describe('403 → incomplete', () => {
  let http: Server;
  let baseUrl: string;
  beforeAll(async () => {
    // The SCIM server has no permission model; a tiny real server refuses /Users with a SCIM 403.
    http = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      res.setHeader('content-type', 'application/scim+json');
      res.setHeader('date', new Date().toUTCString());
      if (path.endsWith('/ServiceProviderConfig')) {
        res.end(JSON.stringify({ patch: { supported: true }, filter: { supported: true, maxResults: 100 }, etag: { supported: false }, bulk: { supported: false } }));
      } else if (path.endsWith('/Users')) {
        res.statusCode = 403;
        res.end(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '403', detail: 'the token may not list users' }));
      } else if (path.endsWith('/Groups')) {
        res.end(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [{ id: 'g1', displayName: 'only', members: [] }] }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ status: '404', detail: 'not here' }));
      }
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/scim/v2`;
  });
  afterAll(() => new Promise<void>((r) => http.close(() => r())));

  it('a refused full read ends the class with an incomplete warning; the others still read', async () => {
    const c = connect({ baseUrl });
    const users = await readAllPages(c, 'users');
    expect(users.records).toEqual([]);
    expect(users.warnings).toHaveLength(1);
    expect(users.warnings[0]).toMatchObject({ resource: 'users', incomplete: true });
    expect(users.warnings[0].message).toMatch(/403/);
    expect(objects((await readAllPages(c, 'groups')).records).map((g) => g.id)).toEqual(['g1']);
  });

  it('a refused delta keeps that class at its old mark and says it is incomplete', async () => {
    const c = connect({ baseUrl });
    const mark = await c.currentWatermark!(['users', 'groups']);
    await sleep(1100);
    const w = await readWholeWindow(c, ['users', 'groups'], mark);
    expect(w.warnings).toEqual([expect.objectContaining({ resource: 'users', incomplete: true })]);
    const before = decodeDeltaState(mark, ['users', 'groups']);
    const after = decodeDeltaState(w.watermark, ['users', 'groups']);
    expect(after.users).toBe(before.users);
    expect(after.groups > before.groups).toBe(true);
  });
});

describe('push target', () => {
  let srv: ScimServer;
  beforeAll(async () => {
    srv = await server();
  });

  const attrs = (userName: string) => ({
    userName,
    'name.givenName': 'Ada',
    'name.familyName': 'Lovelace',
    displayName: 'Ada Lovelace',
    'emails[type eq "work"].value': userName,
    [`${ENTERPRISE}:employeeNumber`]: 'E-1815',
  });

  it('creates with externalId = key; a retried create adopts its own object', async () => {
    const c = connect(srv);
    const first = await c.create!('users', { key: 'okta:00u1', attributes: attrs('ada@example.com') });
    expect(first.action).toBe('created');
    const doc = srv.getUser(first.targetId)!;
    expect(doc).toMatchObject({ userName: 'ada@example.com', externalId: 'okta:00u1', active: true, name: { givenName: 'Ada', familyName: 'Lovelace' } });
    expect(doc.emails).toEqual([{ type: 'work', value: 'ada@example.com' }]);
    expect(doc[ENTERPRISE]).toEqual({ employeeNumber: 'E-1815' });

    const again = await connect(srv).create!('users', { key: 'okta:00u1', attributes: attrs('ADA@example.com') });
    expect(again).toEqual({ targetId: first.targetId, action: 'adopted' });
    expect(srv.counts().users).toBe(1);
  });

  it('refuses a stranger\'s object with a clear error and leaves it untouched', async () => {
    const res = srv.seed([person(1, { userName: 'taken@example.com', externalId: 'hr:77' }), person(2, { userName: 'noext@example.com' })]);
    const before = srv.getUser(res.users.get('taken@example.com')!);
    const c = connect(srv);
    await expect(c.create!('users', { key: 'okta:00u2', attributes: attrs('taken@example.com') })).rejects.toThrow(
      /create users for okta:00u2: userName "taken@example.com" is taken in the target by users id \S+ \(externalId "hr:77"\), which is not this identity's object/,
    );
    await expect(c.create!('users', { key: 'okta:00u3', attributes: attrs('noext@example.com') })).rejects.toThrow(/\(no externalId\), which is not this identity's object/);
    expect(srv.getUser(res.users.get('taken@example.com')!)).toEqual(before);
  });

  it('a retried group create adopts its own group (names are not unique, so it looks first)', async () => {
    const c = connect(srv);
    const g = await c.create!('groups', { key: 'okta:00g1', attributes: { displayName: 'Designers' } });
    expect(g.action).toBe('created');
    expect(await c.create!('groups', { key: 'okta:00g1', attributes: { displayName: 'Designers' } })).toEqual({ targetId: g.targetId, action: 'adopted' });
    const other = await c.create!('groups', { key: 'okta:00g2', attributes: { displayName: 'Designers' } });
    expect(other.action).toBe('created');
    expect(other.targetId).not.toBe(g.targetId);
  });

  it('refuses a create without a userName before any request', async () => {
    const c = connect(srv);
    srv.requests.length = 0;
    await expect(c.create!('users', { key: 'k:1', attributes: { 'name.givenName': 'X' } })).rejects.toThrow(/no userName .*nothing was sent/);
    expect(srv.requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('PATCH mode: one attribute changes, the others stay; If-Match carries the version', async () => {
    const c = connect(srv);
    const { targetId } = await c.create!('users', { key: 'okta:patch', attributes: attrs('patch@example.com') });
    const before = srv.getUser(targetId)!;
    srv.requests.length = 0;
    expect(await c.updateDelta!('users', targetId, { replace: { 'name.familyName': 'Byron' } })).toEqual({ targetId, action: 'updated' });
    const after = srv.getUser(targetId)!;
    expect(after.name).toEqual({ givenName: 'Ada', familyName: 'Byron' });
    expect({ ...after, name: undefined, meta: undefined }).toEqual({ ...before, name: undefined, meta: undefined });
    const patches = srv.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0].body).toMatchObject({ Operations: [{ op: 'replace', path: 'name.familyName', value: 'Byron' }] });
    expect(patches[0].ifMatch).toBe((before.meta as { version: string }).version);
    expect(srv.requests.some((r) => r.method === 'PUT')).toBe(false);

    // Extension and value-filter paths; null clears; an empty delta sends nothing.
    await c.updateDelta!('users', targetId, { replace: { [`${ENTERPRISE}:employeeNumber`]: 'E-2', 'emails[type eq "work"].value': 'new@example.com', displayName: null } });
    const third = srv.getUser(targetId)!;
    expect(third[ENTERPRISE]).toEqual({ employeeNumber: 'E-2' });
    expect(third.emails).toEqual([{ type: 'work', value: 'new@example.com' }]);
    expect(third.displayName).toBeUndefined();
    expect(third.name).toEqual({ givenName: 'Ada', familyName: 'Byron' });
    srv.requests.length = 0;
    expect(await c.updateDelta!('users', targetId, {})).toEqual({ targetId, action: 'unchanged' });
    expect(srv.requests).toEqual([]);
  });

  it('a stale version (412) is re-read and the update tried once more', async () => {
    const c = connect(srv);
    const { targetId } = await c.create!('users', { key: 'okta:etag', attributes: attrs('etag@example.com') });
    // Someone else writes after our create: our remembered version is stale now.
    await connect(srv, {}, 'other').updateDelta!('users', targetId, { replace: { title: 'Countess' } });
    srv.requests.length = 0;
    await c.updateDelta!('users', targetId, { replace: { 'name.givenName': 'Augusta' } });
    expect(srv.requests.filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([412, 200]);
    expect(srv.getUser(targetId)).toMatchObject({ title: 'Countess', name: { givenName: 'Augusta', familyName: 'Lovelace' } });
  });

  it('PUT mode (no PATCH): read, merge, PUT — the others stay; without ETags no If-Match', async () => {
    const putSrv = await server({ features: { patch: false, etag: false } });
    const c = connect(putSrv);
    const { targetId } = await c.create!('users', { key: 'okta:put', attributes: attrs('put@example.com') });
    const before = putSrv.getUser(targetId)!;
    putSrv.requests.length = 0;
    await c.updateDelta!('users', targetId, { replace: { 'name.givenName': 'Ava' } });
    expect(putSrv.requests.map((r) => r.method)).toEqual(['GET', 'PUT']);
    expect(putSrv.requests.every((r) => r.ifMatch === undefined)).toBe(true);
    const after = putSrv.getUser(targetId)!;
    expect(after.name).toEqual({ givenName: 'Ava', familyName: 'Lovelace' });
    expect({ ...after, name: undefined, meta: undefined }).toEqual({ ...before, name: undefined, meta: undefined });
    await c.setEnabled!('users', targetId, false);
    expect(putSrv.getUser(targetId)).toMatchObject({ active: false, name: { givenName: 'Ava' }, [ENTERPRISE]: { employeeNumber: 'E-1815' } });
  });

  it('a server whose discovery promised PATCH but answers 501 is written with PUT from then on', async () => {
    const liar = await server();
    const c = connect(liar);
    const { targetId } = await c.create!('users', { key: 'okta:liar', attributes: attrs('liar@example.com') });
    liar.configure({ features: { patch: false } });
    await c.updateDelta!('users', targetId, { replace: { nickName: 'Addy' } });
    expect(liar.getUser(targetId)!.nickName).toBe('Addy');
    liar.requests.length = 0;
    await c.updateDelta!('users', targetId, { replace: { nickName: 'Ada' } });
    expect(liar.requests.map((r) => r.method)).toEqual(['GET', 'PUT']);
    expect(liar.getUser(targetId)).toMatchObject({ nickName: 'Ada', name: { givenName: 'Ada' } });
  });

  it('disables and enables through active only; deletes (a second delete is done too)', async () => {
    const c = connect(srv);
    const { targetId } = await c.create!('users', { key: 'okta:life', attributes: attrs('life@example.com') });
    const before = srv.getUser(targetId)!;
    srv.requests.length = 0;
    expect(await c.setEnabled!('users', targetId, false)).toEqual({ targetId, action: 'disabled' });
    expect(srv.requests.find((r) => r.method === 'PATCH')!.body).toMatchObject({ Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect({ ...srv.getUser(targetId), meta: undefined }).toEqual({ ...before, active: false, meta: undefined });
    expect(await c.setEnabled!('users', targetId, true)).toEqual({ targetId, action: 'enabled' });
    expect(srv.getUser(targetId)!.active).toBe(true);
    expect(await c.delete!('users', targetId)).toEqual({ targetId, action: 'deleted' });
    expect(srv.getUser(targetId)).toBeUndefined();
    expect(await c.delete!('users', targetId)).toEqual({ targetId, action: 'deleted' });
  });

  it('an update of a missing object fails with a per-object error', async () => {
    const c = connect(srv);
    await expect(c.updateDelta!('users', 'missing-id', { replace: { title: 'x' } })).rejects.toThrow(/update users missing-id \(title\)/);
  });

  it('links and unlinks members in bounded batches; a bad id fails alone; removing a non-member is done', async () => {
    const c = connect(srv, { memberBatch: 100 });
    const res = srv.seed(people(250, 5000));
    const ids = [...res.users.values()];
    const { targetId: gid } = await c.create!('groups', { key: 'okta:big', attributes: { displayName: 'Big' } });
    srv.requests.length = 0;
    const linked = await c.link!('memberships', gid, ids);
    expect(linked.every((o) => o.ok)).toBe(true);
    expect(new Set(srv.memberIds(gid))).toEqual(new Set(ids));
    const patches = srv.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(3);
    expect(patches[0].body).toMatchObject({ Operations: [{ op: 'add', path: 'members' }] });

    srv.requests.length = 0;
    const gone = ids.slice(0, 120);
    const unlinked = await c.unlink!('memberships', gid, gone);
    expect(unlinked.every((o) => o.ok)).toBe(true);
    expect(new Set(srv.memberIds(gid))).toEqual(new Set(ids.slice(120)));
    const removes = srv.requests.filter((r) => r.method === 'PATCH');
    expect(removes).toHaveLength(2);
    expect((removes[0].body as { Operations: unknown[] }).Operations[0]).toEqual({ op: 'remove', path: `members[value eq "${gone[0]}"]` });

    const mixed = await c.link!('memberships', gid, [ids[0], 'no-such-user', ids[1]]);
    expect(mixed.filter((o) => o.ok).map((o) => o.childId)).toEqual([ids[0], ids[1]]);
    expect(mixed.find((o) => !o.ok)).toMatchObject({ childId: 'no-such-user', error: expect.stringMatching(/link no-such-user in group/) });
    expect(srv.memberIds(gid)).toEqual(expect.arrayContaining([ids[0], ids[1]]));

    const again = await c.unlink!('memberships', gid, [ids[2], ids[3]]);
    expect(again.every((o) => o.ok)).toBe(true);
  });

  it('PUT mode members: read, merge, PUT', async () => {
    const putSrv = await server({ features: { patch: false } });
    const res = putSrv.seed(people(5), [{ displayName: 'g', members: ['user0000@example.com'] }]);
    const c = connect(putSrv);
    const gid = res.groups.get('g')!;
    const ids = [...res.users.values()];
    expect((await c.link!('memberships', gid, ids.slice(1, 4))).every((o) => o.ok)).toBe(true);
    expect(new Set(putSrv.memberIds(gid))).toEqual(new Set(ids.slice(0, 4)));
    expect((await c.unlink!('memberships', gid, [ids[0]])).every((o) => o.ok)).toBe(true);
    expect(new Set(putSrv.memberIds(gid))).toEqual(new Set(ids.slice(1, 4)));
    expect(putSrv.groupByName('g')!.displayName).toBe('g');
  });
});

describe('rate limits', () => {
  it('a 429 with Retry-After is waited out and the read completes', async () => {
    const srv = await server({ rateLimit: { requests: 4, windowMs: 1000 } });
    const res = srv.seed(people(60));
    const c = connect(srv, { pageSize: 10 });
    const all = await readAllPages(c, 'users');
    expect(new Set(objects(all.records).map((o) => o.id))).toEqual(new Set(res.users.values()));
    expect(srv.requests.some((r) => r.status === 429)).toBe(true);
  });
});

describe('auth', () => {
  it('OAuth client credentials against the server\'s token endpoint, token renewed when it expires', async () => {
    const srv = await server({ auth: { type: 'oauth', clientId: 'tiger', clientSecret: 's3cret-client-value', tokenTtlSeconds: 1 } });
    srv.seed(people(4));
    const c = createScimConnector(
      { name: 'oauth', type: 'scim' },
      { baseUrl: srv.baseUrl, auth: { type: 'oauth2', tokenUrl: srv.tokenUrl, clientId: 'tiger', clientSecret: 's3cret-client-value' } },
      FAST,
    );
    open.push(c);
    expect(objects((await readAllPages(c, 'users')).records)).toHaveLength(4);
    const issued = srv.auth.tokensIssued;
    expect(issued).toBeGreaterThanOrEqual(1);
    await sleep(1200);
    expect(objects((await readAllPages(c, 'users')).records)).toHaveLength(4);
    expect(srv.auth.tokensIssued).toBeGreaterThan(issued);
  });

  it('secrets never appear in errors: a wrong bearer token, a wrong client secret, wrong basic password', async () => {
    const bearer = await server({ auth: { type: 'bearer', token: 'the-right-token' } });
    const wrongToken = 'wrong-token-0123456789';
    const c1 = connect(bearer, { auth: { type: 'bearer', token: wrongToken } });
    const e1 = await c1.readPage!('users', null).catch((e: Error) => e);
    expect(e1).toBeInstanceOf(Error);
    expect((e1 as Error).message).toMatch(/config\.auth/);
    expect((e1 as Error).message).not.toContain(wrongToken);
    expect((await c1.test!()).message).not.toContain(wrongToken);

    const oauth = await server({ auth: { type: 'oauth', clientId: 'tiger', clientSecret: 'right-secret' } });
    const wrongSecret = 'wrong-secret-abcdef';
    const c2 = connect(oauth, { auth: { type: 'oauth2', tokenUrl: oauth.tokenUrl, clientId: 'tiger', clientSecret: wrongSecret } });
    const e2 = await c2.readPage!('users', null).catch((e: Error) => e);
    expect((e2 as Error).message).toMatch(/clientSecret/);
    expect((e2 as Error).message).not.toContain(wrongSecret);

    const basic = await server({ auth: { type: 'basic', username: 'svc', password: 'right-password' } });
    basic.seed(people(2));
    const wrongPassword = 'wrong-password-xyz';
    const c3 = connect(basic, { auth: { type: 'basic', username: 'svc', password: wrongPassword } });
    const e3 = await c3.create!('users', { key: 'k', attributes: { userName: 'x@example.com' } }).catch((e: Error) => e);
    expect((e3 as Error).message).not.toContain(wrongPassword);
    expect((e3 as Error).message).not.toContain(Buffer.from(`svc:${wrongPassword}`).toString('base64'));
    const ok = connect(basic, { auth: { type: 'basic', username: 'svc', password: 'right-password' } });
    expect(objects((await readAllPages(ok, 'users')).records)).toHaveLength(2);
  });
});
