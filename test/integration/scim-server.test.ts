// The SCIM 2.0 server (scimmy + scimmy-routers over SQLite) over real HTTP: discovery follows the
// feature flags, RFC 7644 paging/filter/PATCH/PUT/ETag semantics hold, the store really holds the
// data, and the request sequence Okta's SCIM client sends for seed 003 leaves the expected state.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScimServer, type ScimServer } from '../../emulators/scim';

const TOKEN = 'scim-test-token';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

// Response bodies are checked by assertions, not by types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

interface Call {
  status: number;
  headers: Headers;
  body: Json;
}

async function call(srv: ScimServer, method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; auth?: string | null } = {}): Promise<Call> {
  const headers: Record<string, string> = { accept: 'application/scim+json', ...opts.headers };
  const auth = opts.auth === undefined ? `Bearer ${TOKEN}` : opts.auth;
  if (auth !== null) headers.authorization = auth;
  if (opts.body !== undefined) headers['content-type'] = 'application/scim+json; charset=utf-8';
  const res = await fetch(`${srv.baseUrl}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Json) : {} };
}

const q = (filter: string) => `filter=${encodeURIComponent(filter)}`;
const patch = (...Operations: Json[]) => ({ schemas: [PATCH_OP], Operations });
const newUser = (userName: string, extra: Json = {}) => ({
  schemas: [USER],
  userName,
  name: { givenName: userName.split('@')[0], familyName: 'Tester' },
  emails: [{ value: userName, type: 'work', primary: true }],
  active: true,
  ...extra,
});

function expectScimError(c: Call, status: number, scimType?: string) {
  expect(c.status).toBe(status);
  expect(c.body.schemas).toEqual([ERROR]);
  expect(c.body.status).toBe(String(status));
  if (scimType) expect(c.body.scimType).toBe(scimType);
  expect(typeof c.body.detail).toBe('string');
}

async function listAll(srv: ScimServer, path: string, count: number): Promise<{ pages: Json[]; ids: string[] }> {
  const pages: Json[] = [];
  const ids: string[] = [];
  for (let start = 1; ; start += count) {
    const sep = path.includes('?') ? '&' : '?';
    const c = await call(srv, 'GET', `${path}${sep}startIndex=${start}&count=${count}`);
    expect(c.status).toBe(200);
    pages.push(c.body);
    ids.push(...(c.body.Resources as Json[]).map((r) => r.id as string));
    if (start + count > c.body.totalResults) break;
  }
  return { pages, ids };
}

describe('SCIM server: default features', () => {
  let srv: ScimServer;
  beforeAll(async () => {
    srv = await startScimServer({ auth: { type: 'bearer', token: TOKEN } });
  });
  afterAll(async () => {
    await srv.close();
  });

  it('serves discovery documents that reflect the flags and scimmy schemas', async () => {
    const spc = await call(srv, 'GET', '/ServiceProviderConfig');
    expect(spc.status).toBe(200);
    expect(spc.body).toMatchObject({
      patch: { supported: true },
      etag: { supported: true },
      filter: { supported: true, maxResults: 1000 },
      bulk: { supported: false },
      sort: { supported: false },
      authenticationSchemes: [{ type: 'oauthbearertoken' }],
    });
    const types = await call(srv, 'GET', '/ResourceTypes');
    expect(types.body.schemas).toEqual([LIST]);
    const byName = Object.fromEntries((types.body.Resources as Json[]).map((r) => [r.name, r]));
    expect(byName.User).toMatchObject({ endpoint: '/Users', schema: USER, schemaExtensions: [{ schema: ENTERPRISE, required: false }] });
    expect(byName.Group).toMatchObject({ endpoint: '/Groups', schema: GROUP });
    const schemas = await call(srv, 'GET', '/Schemas');
    expect((schemas.body.Resources as Json[]).map((s) => s.id)).toEqual(expect.arrayContaining([USER, GROUP, ENTERPRISE]));
    const userSchema = (schemas.body.Resources as Json[]).find((s) => s.id === USER)!;
    expect((userSchema.attributes as Json[]).find((a) => a.name === 'userName')).toMatchObject({ uniqueness: 'server', caseExact: false, required: true });
  });

  it('refuses requests without or with a wrong token (401, SCIM error body)', async () => {
    expectScimError(await call(srv, 'GET', '/Users', { auth: null }), 401);
    expectScimError(await call(srv, 'GET', '/Users', { auth: 'Bearer wrong' }), 401);
    expectScimError(await call(srv, 'GET', '/ServiceProviderConfig', { auth: 'Bearer wrong' }), 401);
    expectScimError(await call(srv, 'POST', '/Users', { auth: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`, body: newUser('nope@example.com') }), 401);
    expect(srv.userByName('nope@example.com')).toBeUndefined();
  });

  it('creates a user into SQLite and reads it back by id', async () => {
    const body = newUser('ada@example.com', {
      externalId: 'okta-00u1',
      displayName: 'Ada Lovelace',
      password: 'Sup3r-secret!',
      [ENTERPRISE]: { employeeNumber: '1815', department: 'Analytical Engines', manager: { value: 'mgr-1' } },
    });
    body.schemas = [USER, ENTERPRISE];
    const created = await call(srv, 'POST', '/Users', { body });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.headers.get('location')).toBe(`${srv.baseUrl}/Users/${id}`);
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(created.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(created.body).toMatchObject({
      userName: 'ada@example.com',
      externalId: 'okta-00u1',
      active: true,
      name: { givenName: 'ada', familyName: 'Tester' },
      [ENTERPRISE]: { employeeNumber: '1815', department: 'Analytical Engines', manager: { value: 'mgr-1' } },
      meta: { resourceType: 'User', version: 'W/"1"', location: `${srv.baseUrl}/Users/${id}` },
    });
    expect(created.body.password).toBeUndefined();
    expect(created.body.meta.created).toBe(created.body.meta.lastModified);

    const row = srv.db.prepare('SELECT user_name, external_id, doc, version FROM users WHERE id = ?').get(id) as Json;
    expect(row).toMatchObject({ user_name: 'ada@example.com', external_id: 'okta-00u1', version: 1 });
    expect(JSON.parse(row.doc as string)).not.toHaveProperty('password');

    const got = await call(srv, 'GET', `/Users/${id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
    expectScimError(await call(srv, 'GET', '/Users/00000000-0000-0000-0000-000000000000'), 404);
  });

  it('answers 409 uniqueness on a taken userName, case-insensitively, and writes nothing', async () => {
    const first = await call(srv, 'POST', '/Users', { body: newUser('grace@example.com') });
    expect(first.status).toBe(201);
    const before = srv.counts().users;
    const dup = await call(srv, 'POST', '/Users', { body: newUser('GRACE@example.com', { externalId: 'other' }) });
    expectScimError(dup, 409, 'uniqueness');
    expect(dup.body.detail).toContain('GRACE@example.com');
    expect(srv.counts().users).toBe(before);
    // Renaming another user onto the taken name is refused too.
    const other = await call(srv, 'POST', '/Users', { body: newUser('hopper@example.com') });
    expectScimError(await call(srv, 'PUT', `/Users/${other.body.id}`, { body: newUser('grace@example.com') }), 409, 'uniqueness');
    expect(srv.getUser(other.body.id as string)!.userName).toBe('hopper@example.com');
  });

  it('refuses a user without userName (400 invalidValue) and a malformed body', async () => {
    const before = srv.counts().users;
    expectScimError(await call(srv, 'POST', '/Users', { body: { schemas: [USER], name: { givenName: 'x' } } }), 400, 'invalidValue');
    const bad = await fetch(`${srv.baseUrl}/Users`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' }, body: '{"userName":' });
    expect(bad.status).toBe(400);
    expect(srv.counts().users).toBe(before);
  });
});

describe('SCIM server: paging and filters', () => {
  let srv: ScimServer;
  let ids: Map<string, string>;
  beforeAll(async () => {
    srv = await startScimServer({ auth: { type: 'bearer', token: TOKEN }, maxResults: 25 });
    const users = Array.from({ length: 47 }, (_, i) => ({
      userName: `user${String(i).padStart(2, '0')}@example.com`,
      externalId: `ext-${i}`,
      name: { givenName: `Given${i}`, familyName: i % 2 ? 'Odd' : 'Even' },
      emails: [{ value: `user${i}@example.com`, type: i % 3 ? 'work' : 'home', primary: true }],
      active: i % 5 !== 0,
    }));
    users.push({ userName: 'zoë.åström@exämple.com', externalId: 'ext-unicode', name: { givenName: 'Zoë', familyName: 'Åström-李' }, emails: [{ value: 'zoe@example.com', type: 'work', primary: true }], active: true });
    const seeded = srv.seed(users, [
      { displayName: 'Engineering', members: ['user01@example.com', 'user02@example.com'] },
      { displayName: 'Empty' },
      { displayName: 'Ünïcode Grüppe ✓', externalId: 'g-uni', members: ['zoë.åström@exämple.com'] },
    ]);
    ids = seeded.users;
  });
  afterAll(async () => {
    await srv.close();
  });

  it('pages with startIndex/count until totalResults, every user once', async () => {
    const { pages, ids: listed } = await listAll(srv, '/Users', 10);
    expect(pages).toHaveLength(5);
    for (const [i, p] of pages.entries()) {
      expect(p.schemas).toEqual([LIST]);
      expect(p.totalResults).toBe(48);
      expect(p.startIndex).toBe(1 + i * 10);
      expect(p.itemsPerPage).toBe(p.Resources.length);
    }
    expect(pages[4].Resources).toHaveLength(8);
    expect(new Set(listed).size).toBe(48);
    expect(new Set(listed)).toEqual(new Set(ids.values()));
  });

  it('caps count at maxResults, answers count=0 with the total only, and past the end with no resources', async () => {
    const capped = await call(srv, 'GET', '/Users?startIndex=1&count=500');
    expect(capped.body.Resources).toHaveLength(25);
    expect(capped.body.totalResults).toBe(48);
    const zero = await call(srv, 'GET', '/Users?count=0');
    expect(zero.body).toMatchObject({ totalResults: 48, itemsPerPage: 0, Resources: [] });
    const past = await call(srv, 'GET', '/Users?startIndex=49&count=10');
    expect(past.body).toMatchObject({ totalResults: 48, startIndex: 49, Resources: [] });
  });

  it('filters userName eq (case-insensitive), externalId eq and Group displayName eq', async () => {
    const byName = await call(srv, 'GET', `/Users?${q('userName eq "USER07@example.com"')}&startIndex=1&count=100`);
    expect(byName.body.totalResults).toBe(1);
    expect(byName.body.Resources[0].id).toBe(ids.get('user07@example.com'));
    const byExt = await call(srv, 'GET', `/Users?${q('externalId eq "ext-12"')}`);
    expect(byExt.body.Resources.map((r: Json) => r.userName)).toEqual(['user12@example.com']);
    const none = await call(srv, 'GET', `/Users?${q('userName eq "nobody@example.com"')}`);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
    const uni = await call(srv, 'GET', `/Users?${q('userName eq "zoë.åström@exämple.com"')}`);
    expect(uni.body.Resources[0].name).toEqual({ givenName: 'Zoë', familyName: 'Åström-李' });
    const group = await call(srv, 'GET', `/Groups?${q('displayName eq "Ünïcode Grüppe ✓"')}`);
    expect(group.body.totalResults).toBe(1);
    expect(group.body.Resources[0].members.map((m: Json) => m.value)).toEqual([ids.get('zoë.åström@exämple.com')]);
  });

  it('filters on attributes without a column through scimmy (and, sub-attributes, booleans)', async () => {
    const odd = await call(srv, 'GET', `/Users?${q('name.familyName eq "Odd" and active eq false')}&count=100`);
    // odd i with i % 5 == 0: 5, 15, 25, 35, 45
    expect(odd.body.Resources.map((r: Json) => r.externalId).sort()).toEqual(['ext-15', 'ext-25', 'ext-35', 'ext-45', 'ext-5']);
    expect(odd.body.totalResults).toBe(5);
    const home = await call(srv, 'GET', `/Users?${q('emails[type eq "home"]')}&count=2&startIndex=3`);
    expect(home.body.totalResults).toBe(16);
    expect(home.body.Resources).toHaveLength(2);
    expect(home.body.startIndex).toBe(3);
  });

  it('returns only what changed with meta.lastModified gt', async () => {
    const all = await call(srv, 'GET', '/Users?count=100&startIndex=26');
    const mark = (all.body.Resources as Json[]).map((r) => r.meta.lastModified as string).sort().at(-1)!;
    await new Promise((r) => setTimeout(r, 5));
    const target = ids.get('user30@example.com')!;
    const p = await call(srv, 'PATCH', `/Users/${target}`, { body: patch({ op: 'replace', path: 'displayName', value: 'Changed' }) });
    expect(p.status).toBe(200);
    const since = await call(srv, 'GET', `/Users?${q(`meta.lastModified gt "${mark}"`)}`);
    expect(since.body.Resources.map((r: Json) => r.id)).toEqual([target]);
    // A timestamp without milliseconds compares as a time, not as a string.
    const secs = new Date(Date.parse(mark) - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const wide = await call(srv, 'GET', `/Users?${q(`meta.lastModified gt "${secs}"`)}`);
    expect(wide.body.totalResults).toBe(48);
    expectScimError(await call(srv, 'GET', `/Users?${q('meta.lastModified gt "yesterday"')}`), 400, 'invalidFilter');
  });

  it('refuses a malformed filter with 400 invalidFilter', async () => {
    expectScimError(await call(srv, 'GET', `/Users?${q('userName zz "x"')}`), 400, 'invalidFilter');
    expectScimError(await call(srv, 'GET', `/Users?${q('(userName eq "x"')}`), 400, 'invalidFilter');
  });

  it('lists groups, empty ones included, with members and user.groups back-references', async () => {
    const groups = await call(srv, 'GET', '/Groups');
    expect(groups.body.totalResults).toBe(3);
    const byName = Object.fromEntries((groups.body.Resources as Json[]).map((g) => [g.displayName, g]));
    expect(byName.Empty.members).toEqual([]);
    expect(byName.Engineering.members).toEqual([
      { value: ids.get('user01@example.com'), display: 'user01@example.com', type: 'User', $ref: `${srv.baseUrl}/Users/${ids.get('user01@example.com')}` },
      { value: ids.get('user02@example.com'), display: 'user02@example.com', type: 'User', $ref: `${srv.baseUrl}/Users/${ids.get('user02@example.com')}` },
    ]);
    const u = await call(srv, 'GET', `/Users/${ids.get('user01@example.com')}`);
    expect(u.body.groups).toEqual([{ value: byName.Engineering.id, display: 'Engineering', type: 'direct', $ref: `${srv.baseUrl}/Groups/${byName.Engineering.id}` }]);
  });
});

describe('SCIM server: PATCH, PUT, DELETE, members and ETags', () => {
  let srv: ScimServer;
  beforeAll(async () => {
    srv = await startScimServer({ auth: { type: 'bearer', token: TOKEN } });
  });
  afterAll(async () => {
    await srv.close();
  });

  it("deactivates and reactivates with Okta's path-less replace, bumping version and lastModified", async () => {
    const c = await call(srv, 'POST', '/Users', { body: newUser('okta.style@example.com') });
    const id = c.body.id as string;
    await new Promise((r) => setTimeout(r, 3));
    const off = await call(srv, 'PATCH', `/Users/${id}`, { body: patch({ op: 'replace', value: { active: false } }) });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect(off.body.meta.version).toBe('W/"2"');
    expect(off.headers.get('etag')).toBe('W/"2"');
    expect(Date.parse(off.body.meta.lastModified)).toBeGreaterThan(Date.parse(c.body.meta.lastModified));
    expect(off.body.meta.created).toBe(c.body.meta.created);
    expect(srv.getUser(id)!.active).toBe(false);
    expect(off.body.name).toEqual(c.body.name);
    const on = await call(srv, 'PATCH', `/Users/${id}`, { body: patch({ op: 'replace', path: 'active', value: true }) });
    expect(on.body.active).toBe(true);
    expect(srv.getUser(id)!.meta).toMatchObject({ version: 'W/"3"' });
  });

  it('patches sub-attributes and the enterprise extension, leaving the rest alone', async () => {
    const body = { ...newUser('ext@example.com'), schemas: [USER, ENTERPRISE], [ENTERPRISE]: { employeeNumber: '42', department: 'Ops' } };
    const id = (await call(srv, 'POST', '/Users', { body })).body.id as string;
    const p = await call(srv, 'PATCH', `/Users/${id}`, {
      body: patch({ op: 'replace', path: 'name.familyName', value: 'Renamed' }, { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Platform' }, { op: 'add', path: 'title', value: 'SRE' }),
    });
    expect(p.status).toBe(200);
    const u = srv.getUser(id)!;
    expect(u.name).toEqual({ givenName: 'ext', familyName: 'Renamed' });
    expect(u[ENTERPRISE]).toEqual({ employeeNumber: '42', department: 'Platform' });
    expect(u.title).toBe('SRE');
    expect(u.emails).toEqual(body.emails);
  });

  it('replaces the whole user on PUT, keeping id and created', async () => {
    const c = await call(srv, 'POST', '/Users', { body: newUser('put@example.com', { title: 'Engineer', externalId: 'x1' }) });
    const id = c.body.id as string;
    const put = await call(srv, 'PUT', `/Users/${id}`, { body: { schemas: [USER], userName: 'put@example.com', name: { givenName: 'Put' }, active: false } });
    expect(put.status).toBe(200);
    expect(put.body.id).toBe(id);
    expect(put.body.meta.created).toBe(c.body.meta.created);
    const u = srv.getUser(id)!;
    expect(u).toMatchObject({ userName: 'put@example.com', name: { givenName: 'Put' }, active: false });
    expect(u.title).toBeUndefined();
    expect(u.externalId).toBeUndefined();
    expect(u.emails).toBeUndefined();
    expectScimError(await call(srv, 'PUT', '/Users/does-not-exist', { body: newUser('ghost@example.com') }), 404);
    expect(srv.userByName('ghost@example.com')).toBeUndefined();
  });

  it('adds and removes group members (members[value eq "…"]), refusing unknown ids', async () => {
    const a = (await call(srv, 'POST', '/Users', { body: newUser('m.a@example.com') })).body.id as string;
    const b = (await call(srv, 'POST', '/Users', { body: newUser('m.b@example.com') })).body.id as string;
    const g = await call(srv, 'POST', '/Groups', { body: { schemas: [GROUP], displayName: 'Pushed', members: [{ value: a }] } });
    expect(g.status).toBe(201);
    const gid = g.body.id as string;
    expect(srv.memberIds(gid)).toEqual([a]);
    const add = await call(srv, 'PATCH', `/Groups/${gid}`, { body: patch({ op: 'add', path: 'members', value: [{ value: b, display: 'm.b@example.com' }] }) });
    expect(add.status).toBe(200);
    expect(srv.memberIds(gid)).toEqual([a, b]);
    const rm = await call(srv, 'PATCH', `/Groups/${gid}`, { body: patch({ op: 'remove', path: `members[value eq "${a}"]` }) });
    expect(rm.status).toBe(200);
    expect(srv.memberIds(gid)).toEqual([b]);
    expect((srv.db.prepare('SELECT member_id FROM members WHERE group_id = ?').all(gid) as Json[]).map((r) => r.member_id)).toEqual([b]);
    const bad = await call(srv, 'PATCH', `/Groups/${gid}`, { body: patch({ op: 'add', path: 'members', value: [{ value: 'no-such-user' }] }) });
    expectScimError(bad, 400, 'invalidValue');
    expect(bad.body.detail).toContain('no-such-user');
    expect(srv.memberIds(gid)).toEqual([b]);
    const rename = await call(srv, 'PATCH', `/Groups/${gid}`, { body: patch({ op: 'replace', value: { displayName: 'Pushed (renamed)' } }) });
    expect(rename.body.displayName).toBe('Pushed (renamed)');
    expect(srv.memberIds(gid)).toEqual([b]);
  });

  it('keeps a big group whole through a member PATCH', async () => {
    const users = Array.from({ length: 1500 }, (_, i) => ({ userName: `big${i}@example.com`, active: true }));
    const seeded = srv.seed(users, [{ displayName: 'Everyone', members: users.map((u) => u.userName) }]);
    const gid = seeded.groups.get('Everyone')!;
    const got = await call(srv, 'GET', `/Groups/${gid}`);
    expect(got.body.members).toHaveLength(1500);
    const victim = seeded.users.get('big700@example.com')!;
    const rm = await call(srv, 'PATCH', `/Groups/${gid}`, { body: patch({ op: 'remove', path: `members[value eq "${victim}"]` }) });
    expect(rm.status).toBe(200);
    const left = srv.memberIds(gid);
    expect(left).toHaveLength(1499);
    expect(left).not.toContain(victim);
    const excluded = await call(srv, 'GET', `/Groups?${q('displayName eq "Everyone"')}&excludedAttributes=members`);
    expect(excluded.body.Resources[0].members).toBeUndefined();
  });

  it('deletes users (dropping their memberships) and groups', async () => {
    const a = (await call(srv, 'POST', '/Users', { body: newUser('del@example.com') })).body.id as string;
    const gid = (await call(srv, 'POST', '/Groups', { body: { schemas: [GROUP], displayName: 'Doomed', members: [{ value: a }] } })).body.id as string;
    const d = await call(srv, 'DELETE', `/Users/${a}`);
    expect(d.status).toBe(204);
    expectScimError(await call(srv, 'GET', `/Users/${a}`), 404);
    expect(srv.memberIds(gid)).toEqual([]);
    expect((await call(srv, 'DELETE', `/Groups/${gid}`)).status).toBe(204);
    expect(srv.getGroup(gid)).toBeUndefined();
    expectScimError(await call(srv, 'DELETE', `/Groups/${gid}`), 404);
  });

  it('answers 412 to a write with a stale If-Match and applies one with the current version', async () => {
    const c = await call(srv, 'POST', '/Users', { body: newUser('etag@example.com') });
    const id = c.body.id as string;
    const v1 = c.headers.get('etag')!;
    const changed = await call(srv, 'PATCH', `/Users/${id}`, { body: patch({ op: 'replace', value: { title: 'First' } }), headers: { 'if-match': v1 } });
    expect(changed.status).toBe(200);
    const v2 = changed.headers.get('etag')!;
    expect(v2).not.toBe(v1);
    expectScimError(await call(srv, 'PATCH', `/Users/${id}`, { body: patch({ op: 'replace', value: { title: 'Stale' } }), headers: { 'if-match': v1 } }), 412);
    expectScimError(await call(srv, 'PUT', `/Users/${id}`, { body: newUser('etag@example.com', { title: 'Stale' }), headers: { 'if-match': v1 } }), 412);
    expectScimError(await call(srv, 'DELETE', `/Users/${id}`, { headers: { 'if-match': v1 } }), 412);
    expect(srv.getUser(id)).toMatchObject({ title: 'First', meta: { version: v2 } });
    const put = await call(srv, 'PUT', `/Users/${id}`, { body: newUser('etag@example.com', { title: 'Second' }), headers: { 'if-match': v2 } });
    expect(put.status).toBe(200);
    expect(srv.getUser(id)!.title).toBe('Second');
    expect((await call(srv, 'DELETE', `/Users/${id}`, { headers: { 'if-match': put.headers.get('etag')! } })).status).toBe(204);
  });
});

describe('SCIM server: features off, basic auth, OAuth, rate limits, file store', () => {
  it('behaves as a server without PATCH, filtering and ETags, and says so in ServiceProviderConfig', async () => {
    const basic = `Basic ${Buffer.from('svc:pässword').toString('base64')}`;
    const srv = await startScimServer({ auth: { type: 'basic', username: 'svc', password: 'pässword' }, features: { patch: false, filter: false, etag: false, bulk: true } });
    try {
      const spc = await call(srv, 'GET', '/ServiceProviderConfig', { auth: basic });
      expect(spc.body).toMatchObject({ patch: { supported: false }, filter: { supported: false }, etag: { supported: false }, bulk: { supported: true }, authenticationSchemes: [{ type: 'httpbasic' }] });
      expectScimError(await call(srv, 'GET', '/Users', { auth: `Basic ${Buffer.from('svc:wrong').toString('base64')}` }), 401);
      expectScimError(await call(srv, 'GET', '/Users', { auth: `Bearer ${TOKEN}` }), 401);
      const c = await call(srv, 'POST', '/Users', { auth: basic, body: newUser('nopatch@example.com') });
      expect(c.status).toBe(201);
      expect(c.body.meta.version).toBeUndefined();
      expect(c.headers.get('etag')).toBeNull();
      const id = c.body.id as string;
      expectScimError(await call(srv, 'PATCH', `/Users/${id}`, { auth: basic, body: patch({ op: 'replace', value: { active: false } }) }), 501);
      expect(srv.getUser(id)!.active).toBe(true);
      expectScimError(await call(srv, 'GET', `/Users?${q('userName eq "nopatch@example.com"')}`, { auth: basic }), 400, 'invalidFilter');
      // Without ETag support If-Match is not checked.
      const put = await call(srv, 'PUT', `/Users/${id}`, { auth: basic, body: newUser('nopatch@example.com', { active: false }), headers: { 'if-match': 'W/"99"' } });
      expect(put.status).toBe(200);
      expect(srv.getUser(id)!.active).toBe(false);
      expectScimError(await call(srv, 'POST', '/Bulk', { auth: basic, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] } }), 501);
      // Flags can change under a running server.
      srv.configure({ features: { patch: true } });
      expect((await call(srv, 'PATCH', `/Users/${id}`, { auth: basic, body: patch({ op: 'replace', value: { active: true } }) })).status).toBe(200);
      expect((await call(srv, 'GET', '/ServiceProviderConfig', { auth: basic })).body.patch).toEqual({ supported: true });
    } finally {
      await srv.close();
    }
  });

  it('issues short-lived OAuth client-credentials tokens and refuses them once expired', async () => {
    const srv = await startScimServer({ auth: { type: 'oauth', clientId: 'tiger', clientSecret: 's3cret', tokenTtlSeconds: 1 } });
    try {
      const form = (id: string, secret: string) => new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret });
      const bad = await fetch(srv.tokenUrl, { method: 'POST', body: form('tiger', 'wrong') });
      expect(bad.status).toBe(401);
      expect(((await bad.json()) as Json).error).toBe('invalid_client');
      const ok = await fetch(srv.tokenUrl, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('tiger:s3cret').toString('base64')}` }, body: new URLSearchParams({ grant_type: 'client_credentials' }) });
      expect(ok.status).toBe(200);
      const tok = (await ok.json()) as Json;
      expect(tok).toMatchObject({ token_type: 'Bearer', expires_in: 1, access_token: expect.any(String) });
      expect(srv.auth.tokensIssued).toBe(1);
      const spc = await call(srv, 'GET', '/ServiceProviderConfig', { auth: `Bearer ${tok.access_token}` });
      expect(spc.body.authenticationSchemes).toMatchObject([{ type: 'oauth2' }]);
      expect((await call(srv, 'GET', '/Users', { auth: `Bearer ${tok.access_token}` })).status).toBe(200);
      expectScimError(await call(srv, 'GET', '/Users', { auth: 'Bearer made-up' }), 401);
      await new Promise((r) => setTimeout(r, 1100));
      const expired = await call(srv, 'GET', '/Users', { auth: `Bearer ${tok.access_token}` });
      expectScimError(expired, 401);
      expect(expired.body.detail).toContain('expired');
    } finally {
      await srv.close();
    }
  });

  it('answers 429 with Retry-After past the rate limit', async () => {
    const srv = await startScimServer({ auth: { type: 'bearer', token: TOKEN }, rateLimit: { requests: 3, windowMs: 30_000 } });
    try {
      for (let i = 0; i < 3; i++) expect((await call(srv, 'GET', '/Users')).status).toBe(200);
      const limited = await call(srv, 'GET', '/Users');
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ schemas: [ERROR], status: '429' });
      const retry = Number(limited.headers.get('retry-after'));
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(30);
      srv.configure({ rateLimit: null });
      expect((await call(srv, 'GET', '/Users')).status).toBe(200);
    } finally {
      await srv.close();
    }
  });

  it('adds the configured latency to every request', async () => {
    const srv = await startScimServer({ auth: { type: 'bearer', token: TOKEN }, latencyMs: 150 });
    try {
      const t0 = performance.now();
      expect((await call(srv, 'GET', '/Users')).status).toBe(200);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
      srv.configure({ latencyMs: 0 });
      const t1 = performance.now();
      await call(srv, 'GET', '/Users');
      expect(performance.now() - t1).toBeLessThan(145);
    } finally {
      await srv.close();
    }
  });

  it('runs two servers in one process without sharing data, tokens or locations', async () => {
    // scimmy's registry is per process: the per-request context must keep the servers apart.
    const a = await startScimServer({ auth: { type: 'bearer', token: TOKEN } });
    const b = await startScimServer({ auth: { type: 'bearer', token: 'other-token' } });
    try {
      const [ca, cb] = await Promise.all([
        call(a, 'POST', '/Users', { body: newUser('same@example.com') }),
        call(b, 'POST', '/Users', { body: newUser('same@example.com', { title: 'in b' }), auth: 'Bearer other-token' }),
      ]);
      expect(ca.status).toBe(201);
      expect(cb.status).toBe(201);
      expect(ca.body.meta.location).toBe(`${a.baseUrl}/Users/${ca.body.id}`);
      expect(cb.body.meta.location).toBe(`${b.baseUrl}/Users/${cb.body.id}`);
      expect(a.userByName('same@example.com')!.title).toBeUndefined();
      expect(b.userByName('same@example.com')!.title).toBe('in b');
      expectScimError(await call(b, 'GET', '/Users'), 401);
      expectScimError(await call(a, 'GET', `/Users/${cb.body.id}`), 404);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('keeps its directory in a SQLite file across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-store-'));
    try {
      const dbPath = join(dir, 'scim.db');
      const first = await startScimServer({ auth: { type: 'bearer', token: TOKEN }, dbPath });
      const id = (await call(first, 'POST', '/Users', { body: newUser('durable@example.com') })).body.id as string;
      await first.close();
      const second = await startScimServer({ auth: { type: 'bearer', token: TOKEN }, dbPath });
      try {
        const got = await call(second, 'GET', `/Users/${id}`);
        expect(got.body.userName).toBe('durable@example.com');
        expectScimError(await call(second, 'POST', '/Users', { body: newUser('durable@example.com') }), 409, 'uniqueness');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Seed 003: Okta provisioning to an app over SCIM 2.0 — push users, update attributes,
// deactivate/reactivate, push groups. The requests below are the ones Okta's SCIM client is
// documented to send (developer.okta.com, "Okta and SCIM Version 2.0"), in its order and shapes.
describe("SCIM server: Okta's SCIM client sequence (seed 003)", () => {
  let srv: ScimServer;
  const okta = (method: string, path: string, body?: unknown) =>
    call(srv, method, path, { body, headers: { 'user-agent': 'Okta SCIM Client 1.0.0', accept: 'application/scim+json; charset=utf-8' } });
  beforeAll(async () => {
    srv = await startScimServer({ auth: { type: 'bearer', token: TOKEN } });
    srv.seed([{ userName: 'already.there@example.com', name: { givenName: 'Already', familyName: 'There' }, active: true }]);
  });
  afterAll(async () => {
    await srv.close();
  });

  it('connects, pushes a user, updates, deactivates and reactivates it, and pushes a group', async () => {
    // "Test API Credentials": fixed query parameters.
    const test = await okta('GET', '/Users?startIndex=1&count=1');
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ schemas: [LIST], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect((await okta('GET', '/Groups?startIndex=1&count=100')).body).toMatchObject({ totalResults: 0, Resources: [] });

    // Assignment: look the user up by userName, then create.
    const lookup = await okta('GET', `/Users?${q('userName eq "test.user@okta.local"')}&startIndex=1&count=100`);
    expect(lookup.body).toMatchObject({ totalResults: 0, Resources: [] });
    const created = await okta('POST', '/Users', {
      schemas: [USER],
      userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(srv.userByName('test.user@okta.local')).toMatchObject({ id, active: true, externalId: '00ujl29u0le5T6Aj10h7', locale: 'en-US', displayName: 'Test User' });
    expect(srv.counts().users).toBe(2);
    // A re-assignment looks up again and now finds the user (Okta links instead of creating).
    const again = await okta('GET', `/Users?${q('userName eq "test.user@okta.local"')}&startIndex=1&count=100`);
    expect(again.body.Resources.map((r: Json) => r.id)).toEqual([id]);

    // Read by id, then "Update User Attributes" as a full PUT of the profile.
    const read = await okta('GET', `/Users/${id}`);
    expect(read.body.name).toEqual({ givenName: 'Test', familyName: 'User' });
    const put = await okta('PUT', `/Users/${id}`, {
      schemas: [USER],
      id,
      userName: 'test.user@okta.local',
      name: { givenName: 'Another', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Another User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      active: true,
      meta: { resourceType: 'User' },
    });
    expect(put.status).toBe(200);
    expect(srv.getUser(id)).toMatchObject({ name: { givenName: 'Another', familyName: 'User' }, displayName: 'Another User', active: true });

    // Unassignment: deactivate with a path-less replace, then reactivate.
    const off = await okta('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(off.status).toBe(200);
    expect(srv.getUser(id)).toMatchObject({ active: false, name: { givenName: 'Another' } });
    expect(srv.counts().users).toBe(2);
    const on = await okta('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: true } }] });
    expect(on.status).toBe(200);
    expect(srv.getUser(id)!.active).toBe(true);

    // Group push: create with no members, then add, rename, remove.
    const other = srv.userByName('already.there@example.com')!.id as string;
    const g = await okta('POST', '/Groups', { schemas: [GROUP], displayName: 'Test SCIMv2', members: [] });
    expect(g.status).toBe(201);
    const gid = g.body.id as string;
    expect(srv.groupByName('Test SCIMv2')).toMatchObject({ id: gid, members: [] });
    expect((await okta('GET', `/Groups/${gid}`)).body.displayName).toBe('Test SCIMv2');
    const add = await okta('PATCH', `/Groups/${gid}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: id, display: 'test.user@okta.local' }, { value: other, display: 'already.there@example.com' }] }],
    });
    expect(add.status).toBe(200);
    expect(srv.memberIds(gid)).toEqual([id, other]);
    const rename = await okta('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: gid, displayName: 'Test SCIMv2 renamed' } }] });
    expect(rename.status).toBe(200);
    expect(srv.getGroup(gid)).toMatchObject({ displayName: 'Test SCIMv2 renamed' });
    const remove = await okta('PATCH', `/Groups/${gid}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }] });
    expect(remove.status).toBe(200);
    expect(srv.memberIds(gid)).toEqual([other]);
    expect(srv.getUser(id)!.groups).toBeUndefined();
    expect(srv.getUser(other)!.groups).toEqual([expect.objectContaining({ value: gid, display: 'Test SCIMv2 renamed' })]);

    // Group push unlinked with "delete the group in the app".
    expect((await okta('DELETE', `/Groups/${gid}`)).status).toBe(204);
    expect(srv.counts()).toEqual({ users: 2, groups: 0, memberships: 0 });
    // Every request Okta sent was answered without a server error.
    expect(srv.requests.filter((r) => r.status >= 500)).toEqual([]);
    expect(srv.requests.map((r) => `${r.method} ${r.path.replace(id, ':uid').replace(gid, ':gid')}`)).toEqual([
      'GET /Users',
      'GET /Groups',
      'GET /Users',
      'POST /Users',
      'GET /Users',
      'GET /Users/:uid',
      'PUT /Users/:uid',
      'PATCH /Users/:uid',
      'PATCH /Users/:uid',
      'POST /Groups',
      'GET /Groups/:gid',
      'PATCH /Groups/:gid',
      'PATCH /Groups/:gid',
      'PATCH /Groups/:gid',
      'DELETE /Groups/:gid',
    ]);
  });
});
