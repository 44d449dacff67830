// The Graph emulator against Microsoft's own SDK (@microsoft/microsoft-graph-client) and raw HTTP:
// the seeded tenant must come back exactly through PageIterator and through delta rounds that
// follow @odata.nextLink and then @odata.deltaLink, and the error bodies, 410 on expired tokens,
// @removed reasons, members@delta, throttling and change notifications must be Graph's.

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, PageIterator } from '@microsoft/microsoft-graph-client';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphEmulator, type GraphEmulator } from '../../emulators/graph';

// Response bodies are checked by assertions, not by types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const USER_SELECT = ['displayName', 'userPrincipalName', 'accountEnabled', 'jobTitle'];
let emu: GraphEmulator;
let tls: Agent;
let client: Client;

async function token(clientId = emu.clientId, secret = emu.clientSecret): Promise<{ status: number; body: Json }> {
  const form = new URLSearchParams({ client_id: clientId, client_secret: secret, scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials' });
  const res = await request(emu.tokenUrl, { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, dispatcher: tls });
  return { status: res.statusCode, body: (await res.body.json()) as Json };
}

let cachedToken = '';
async function bearer(): Promise<string> {
  if (!cachedToken) cachedToken = (await token()).body.access_token as string;
  return cachedToken;
}

async function api(method: string, path: string, opts: { body?: unknown; auth?: string | null; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: Json }> {
  const auth = opts.auth === undefined ? `Bearer ${await bearer()}` : opts.auth;
  const res = await request(path.startsWith('http') ? path : `${emu.graphUrl}${path}`, {
    method: method as 'GET',
    headers: { ...(auth ? { authorization: auth } : {}), ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    dispatcher: tls,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body: text ? (JSON.parse(text) as Json) : {} };
}

/** Follows nextLinks to the deltaLink with the SDK; returns the entries in order and the deltaLink. */
async function deltaRound(start: string): Promise<{ entries: Json[]; deltaLink: string; pages: number }> {
  const entries: Json[] = [];
  let page = (await client.api(start).get()) as Json;
  let pages = 1;
  for (;;) {
    entries.push(...(page.value as Json[]));
    if (page['@odata.nextLink']) {
      page = (await client.api(page['@odata.nextLink'] as string).get()) as Json;
      pages++;
      continue;
    }
    expect(page['@odata.deltaLink']).toMatch(/\/v1\.0\/(users|groups)\/delta\?\$deltatoken=/);
    return { entries, deltaLink: page['@odata.deltaLink'] as string, pages };
  }
}

/** What a sync client keeps: users by id, merged across rounds; `@removed` drops them. */
function applyUsers(model: Map<string, Json>, entries: Json[]): void {
  for (const e of entries) {
    if (e['@removed']) model.delete(e.id as string);
    else model.set(e.id as string, { ...(model.get(e.id as string) ?? {}), ...e });
  }
}

/** Groups and their members; a group may come in several entries (members@delta split over pages). */
function applyGroups(groups: Map<string, Json>, members: Map<string, Set<string>>, entries: Json[]): void {
  for (const e of entries) {
    const id = e.id as string;
    if (e['@removed']) {
      groups.delete(id);
      members.delete(id);
      continue;
    }
    const { ['members@delta']: delta, ...props } = e;
    groups.set(id, { ...(groups.get(id) ?? {}), ...props });
    const set = members.get(id) ?? new Set<string>();
    for (const m of (delta ?? []) as Json[]) {
      if (m['@removed']) set.delete(m.id as string);
      else set.add(m.id as string);
    }
    members.set(id, set);
  }
}

function snapshotMembers(): Map<string, Set<string>> {
  const snap = emu.admin.snapshot();
  const out = new Map<string, Set<string>>(snap.groups.map((g) => [g.id as string, new Set<string>()]));
  for (const m of snap.memberships) out.get(m.groupId)!.add(m.memberId);
  return out;
}

function expectUsersEqualTenant(model: Map<string, Json>): void {
  const snap = emu.admin.snapshot();
  expect(model.size).toBe(snap.users.length);
  for (const u of snap.users) {
    const got = model.get(u.id as string);
    expect(got, `user ${u.id as string}`).toBeDefined();
    for (const p of USER_SELECT) expect(got![p], `${u.id as string}.${p}`).toEqual(u[p]);
  }
}

beforeAll(async () => {
  // tls: the SDK only talks HTTPS (it sends the token to https hosts only and rewrites nextLinks).
  emu = await startGraphEmulator({ users: 1300, groups: 30, apps: 4, seed: 7, tls: true, deltaPageSize: 50, membersPerDeltaEntry: 100 });
  tls = new Agent({ connect: { ca: emu.ca } });
  client = Client.init({
    baseUrl: emu.url,
    customHosts: new Set([new URL(emu.url).hostname]),
    // Node's fetch takes an undici dispatcher; the SDK passes fetchOptions through to it.
    fetchOptions: { dispatcher: tls } as unknown as RequestInit,
    authProvider: (done) => {
      token().then((t) => done(null, t.body.access_token as string), (e: unknown) => done(e, null));
    },
  });
});

afterAll(async () => {
  await emu?.close();
  await tls?.close();
});

describe('the official Graph SDK', () => {
  it('pages through every user and the big group with PageIterator', async () => {
    const snap = emu.admin.snapshot();
    const seen = new Map<string, Json>();
    const first = (await client.api('/users').top(97).select(['id', ...USER_SELECT]).get()) as Json;
    expect(first['@odata.nextLink']).toContain('$skiptoken=');
    await new PageIterator(client, first as never, (u: Json) => {
      expect(seen.has(u.id as string)).toBe(false);
      seen.set(u.id as string, u);
      return true;
    }).iterate();
    expectUsersEqualTenant(seen);
    expect(snap.users.filter((u) => u.accountEnabled === false).length).toBeGreaterThan(0);
    expect(snap.users.some((u) => /[^ -~]/.test(String(u.displayName)))).toBe(true);

    const big = snap.groups.find((g) => (snapshotMembers().get(g.id as string)?.size ?? 0) >= 1200)!;
    expect(big).toBeDefined();
    const members: Json[] = [];
    const firstMembers = (await client.api(`/groups/${big.id as string}/members`).top(999).get()) as Json;
    await new PageIterator(client, firstMembers as never, (m: Json) => (members.push(m), true)).iterate();
    expect(new Set(members.map((m) => m.id))).toEqual(snapshotMembers().get(big.id as string));
    expect(members.every((m) => m['@odata.type'] === '#microsoft.graph.user')).toBe(true);
  });

  it('runs delta rounds that follow nextLink then deltaLink and end equal to the tenant', async () => {
    const users = new Map<string, Json>();
    const r0 = await deltaRound(`/users/delta?$select=${USER_SELECT.join(',')}`);
    expect(r0.pages).toBeGreaterThan(20);
    applyUsers(users, r0.entries);
    expectUsersEqualTenant(users);

    const groups = new Map<string, Json>();
    const members = new Map<string, Set<string>>();
    const g0 = await deltaRound('/groups/delta?$select=displayName,description,members');
    applyGroups(groups, members, g0.entries);
    expect(members).toEqual(snapshotMembers());

    // Round 1: create, update, soft delete, hard delete, membership changes, nesting.
    const snap = emu.admin.snapshot();
    const [u1, u2, u3] = snap.users.slice(5, 8).map((u) => u.id as string);
    const created = emu.admin.createUser({ displayName: 'Ōtake Ærø', userPrincipalName: 'otake.aero@contoso.onmicrosoft.com', accountEnabled: false, jobTitle: 'New' });
    emu.admin.updateUser(u1!, { jobTitle: 'Promoted', displayName: 'Renamed Person' });
    emu.admin.deleteUser(u2!);
    emu.admin.deleteUser(u3!, { permanent: true });
    const empty = snap.groups.find((g) => snapshotMembers().get(g.id as string)!.size === 0)!;
    const newGroup = emu.admin.createGroup({ displayName: 'Nested child' }, [created.id as string]);
    emu.admin.addMembers(empty.id as string, [...snap.users.slice(100, 350).map((u) => u.id as string), newGroup.id as string]);
    const u1Groups = [...snapshotMembers()].filter(([, s]) => s.has(u1!)).map(([g]) => g);
    for (const g of u1Groups) emu.admin.removeMembers(g, [u1!]);

    const r1 = await deltaRound(r0.deltaLink);
    expect(r1.entries.find((e) => e.id === u2)).toEqual({ id: u2, '@removed': { reason: 'changed' } });
    expect(r1.entries.find((e) => e.id === u3)).toEqual({ id: u3, '@removed': { reason: 'deleted' } });
    expect(r1.entries.filter((e) => e.id === u1)).toHaveLength(1);
    // Only what changed since the token: 4 users, not the tenant.
    expect(r1.entries).toHaveLength(4);
    applyUsers(users, r1.entries);
    expectUsersEqualTenant(users);

    const g1 = await deltaRound(g0.deltaLink);
    const emptyEntries = g1.entries.filter((e) => e.id === empty.id);
    expect(emptyEntries.length).toBeGreaterThanOrEqual(3);
    expect(emptyEntries[0]!.displayName).toBe(empty.displayName);
    expect(emptyEntries[1]).not.toHaveProperty('displayName');
    const removedU2 = g1.entries.flatMap((e) => (e['members@delta'] ?? []) as Json[]).filter((m) => m.id === u2);
    for (const m of removedU2) expect(m['@removed']).toEqual({ reason: 'deleted' });
    applyGroups(groups, members, g1.entries);
    expect(members).toEqual(snapshotMembers());
    expect(members.get(empty.id as string)!.has(newGroup.id as string)).toBe(true);

    // Round 2: restore the soft-deleted user; it comes back as a change, with its memberships.
    emu.admin.restore(u2!);
    const r2 = await deltaRound(r1.deltaLink);
    expect(r2.entries).toEqual([expect.objectContaining({ id: u2, displayName: expect.any(String) })]);
    applyUsers(users, r2.entries);
    expectUsersEqualTenant(users);
    const g2 = await deltaRound(g1.deltaLink);
    applyGroups(groups, members, g2.entries);
    expect(members).toEqual(snapshotMembers());
    expect([...members.values()].some((s) => s.has(u2!))).toBe(true);
  });
});

describe('raw protocol', () => {
  it('answers token-endpoint errors as Entra ID does', async () => {
    const bad = await token(emu.clientId, 'wrong');
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    expect(bad.body.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided\./);
    const unknown = await token('00000000-1111-2222-3333-444444444444', 'x');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });
    expect(unknown.body.error_description).toMatch(/^AADSTS700016: Application with identifier '00000000-1111-2222-3333-444444444444' was not found/);
    const ok = await token();
    expect(ok.body).toEqual({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) });
  });

  it('checks the bearer on every call: empty, revoked, expired', async () => {
    const none = await api('GET', '/users', { auth: null });
    expect(none.status).toBe(401);
    expect(none.body.error).toEqual({ code: 'InvalidAuthenticationToken', message: 'Access token is empty.', innerError: { date: expect.any(String), 'request-id': none.headers['request-id'], 'client-request-id': expect.any(String) } });

    const t = (await token()).body.access_token as string;
    expect((await api('GET', '/users?$top=1', { auth: `Bearer ${t}` })).status).toBe(200);
    expect(emu.admin.revokeTokens(emu.clientId)).toBeGreaterThan(0);
    cachedToken = '';
    const revoked = await api('GET', '/users?$top=1', { auth: `Bearer ${t}` });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe('InvalidAuthenticationToken');

    emu.admin.setOptions({ tokenTtlSeconds: 1 });
    const short = await token();
    expect(short.body.expires_in).toBe(1);
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await api('GET', '/users?$top=1', { auth: `Bearer ${short.body.access_token as string}` });
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toBe('Lifetime validation failed, the token is expired.');
    emu.admin.setOptions({ tokenTtlSeconds: 3599 });
  });

  it('refuses an app without the permission with 403 Authorization_RequestDenied', async () => {
    emu.admin.setClient({ clientId: 'aaaaaaaa-0000-0000-0000-000000000001', clientSecret: 's1', permissions: ['User.Read.All'] });
    const t = (await token('aaaaaaaa-0000-0000-0000-000000000001', 's1')).body.access_token as string;
    expect((await api('GET', '/users?$top=1', { auth: `Bearer ${t}` })).status).toBe(200);
    const res = await api('GET', '/groups', { auth: `Bearer ${t}` });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: {
        code: 'Authorization_RequestDenied',
        message: 'Insufficient privileges to complete the operation.',
        innerError: { date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/), 'request-id': res.headers['request-id'], 'client-request-id': expect.any(String) },
      },
    });
  });

  it('validates $top and $select and answers 404 for unknown ids', async () => {
    const top = await api('GET', '/users?$top=1000');
    expect(top.status).toBe(400);
    expect(top.body.error.message).toBe("Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");
    const sel = await api('GET', '/users?$select=nope');
    expect(sel.status).toBe(400);
    expect(sel.body.error.message).toBe("Could not find a property named 'nope' on type 'microsoft.graph.user'.");
    const missing = await api('GET', '/users/5b0c3c1e-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
    // Without $select, users come with Graph's small default set: no accountEnabled.
    const plain = await api('GET', '/users?$top=1');
    expect(plain.body.value[0]).not.toHaveProperty('accountEnabled');
    expect(plain.body.value[0]).toHaveProperty('userPrincipalName');
  });

  it('pages through empty pages when asked to produce them', async () => {
    emu.admin.setOptions({ emptyPageRate: 0.4 });
    try {
      let url: string | undefined = `${emu.graphUrl}/users?$top=200&$select=id`;
      const ids = new Set<string>();
      let empties = 0;
      while (url) {
        const r = await api('GET', url);
        if (r.body.value.length === 0 && r.body['@odata.nextLink']) empties++;
        for (const u of r.body.value as Json[]) ids.add(u.id as string);
        url = r.body['@odata.nextLink'] as string | undefined;
      }
      expect(ids.size).toBe(emu.admin.snapshot().users.length);
      expect(empties).toBeGreaterThan(0);
    } finally {
      emu.admin.setOptions({ emptyPageRate: 0 });
    }
  });

  it('keeps $select from the first call only and answers 410 once tokens expire', async () => {
    let first = await api('GET', '/users/delta?$deltatoken=latest&$select=displayName');
    expect(first.body.value).toEqual([]);
    const link = first.body['@odata.deltaLink'] as string;
    const target = emu.admin.snapshot().users[20]!.id as string;
    emu.admin.updateUser(target, { jobTitle: 'Changed title', displayName: 'Changed name' });
    const next = await api('GET', link);
    expect(next.body.value).toEqual([{ id: target, displayName: 'Changed name' }]);

    // A round in progress and an old deltaLink both die with the expiry.
    first = await api('GET', '/users/delta?$top=10');
    const skip = first.body['@odata.nextLink'] as string;
    emu.admin.expireDeltaTokens('resyncRequired');
    for (const stale of [skip, link]) {
      const gone = await api('GET', stale);
      expect(gone.status).toBe(410);
      expect(gone.body.error.code).toBe('resyncRequired');
      expect(gone.body.error.innerError['request-id']).toBe(gone.headers['request-id']);
    }
    emu.admin.expireDeltaTokens('syncStateNotFound');
    expect((await api('GET', (await api('GET', '/groups/delta?$deltatoken=latest')).body['@odata.deltaLink'] as string)).status).toBe(200);
    expect((await api('GET', next.body['@odata.deltaLink'] as string)).body.error.code).toBe('syncStateNotFound');
  });

  it('splits a big members@delta change over entries and pages, removals carrying @removed', async () => {
    const start = (await api('GET', '/groups/delta?$deltatoken=latest&$select=displayName,members')).body['@odata.deltaLink'] as string;
    const snap = emu.admin.snapshot();
    const g = emu.admin.createGroup({ displayName: 'Big change' });
    const added = snap.users.slice(400, 650).map((u) => u.id as string);
    emu.admin.addMembers(g.id as string, added);
    const userMembers = new Map<string, string[]>();
    for (const m of emu.admin.snapshot().memberships) if (m.memberType === 'user') userMembers.set(m.groupId, [...(userMembers.get(m.groupId) ?? []), m.memberId]);
    const [victimGroup, victims] = [...userMembers].find(([, s]) => s.length >= 3 && s.length < 100)!;
    const gone = victims.slice(0, 2);
    emu.admin.removeMembers(victimGroup, gone);

    const entries: Json[] = [];
    let url: string | undefined = start;
    let pages = 0;
    while (url) {
      const r = await api('GET', url);
      pages++;
      entries.push(...(r.body.value as Json[]));
      url = (r.body['@odata.nextLink'] as string | undefined) ?? undefined;
      if (!url) expect(r.body['@odata.deltaLink']).toBeDefined();
    }
    const mine = entries.filter((e) => e.id === g.id);
    expect(mine.length).toBe(3);
    expect(mine[0]!.displayName).toBe('Big change');
    expect(Object.keys(mine[1]!).sort()).toEqual(['id', 'members@delta']);
    expect(mine.flatMap((e) => (e['members@delta'] as Json[]).map((m) => m.id))).toEqual(added);
    const victimEntry = entries.find((e) => e.id === victimGroup)!;
    expect(victimEntry['members@delta']).toEqual(gone.map((id) => ({ '@odata.type': '#microsoft.graph.user', id, '@removed': { reason: 'deleted' } })));
    expect(pages).toBeGreaterThanOrEqual(1);
  });

  it('throttles per app with 429/503 and Retry-After, fractional when asked', async () => {
    emu.admin.setThrottle({ limit: 3, windowMs: 60_000, fractional: true });
    try {
      for (let i = 0; i < 3; i++) expect((await api('GET', '/users?$top=1')).status).toBe(200);
      const limited = await api('GET', '/users?$top=1');
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('TooManyRequests');
      const after = Number(limited.headers['retry-after']);
      expect(after).toBeGreaterThan(50);
      expect(after).toBeLessThanOrEqual(60);
      // Another app has its own bucket.
      emu.admin.setClient({ clientId: 'aaaaaaaa-0000-0000-0000-000000000002', clientSecret: 's2' });
      const t2 = (await token('aaaaaaaa-0000-0000-0000-000000000002', 's2')).body.access_token as string;
      expect((await api('GET', '/users?$top=1', { auth: `Bearer ${t2}` })).status).toBe(200);
    } finally {
      emu.admin.setThrottle(null);
    }
    emu.admin.failNext(1, 503, 0.25);
    const unavailable = await api('GET', '/users?$top=1');
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers['retry-after']).toBe('0.25');
    expect((await api('GET', '/users?$top=1')).status).toBe(200);
  });

  describe('change notifications', () => {
    let hook: Server;
    let hookUrl = '';
    const received: Array<{ query: URLSearchParams; contentType: string | undefined; body: string }> = [];
    let mode: 'echo' | 'wrong' = 'echo';

    beforeAll(async () => {
      hook = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const q = new URL(req.url ?? '/', 'http://x').searchParams;
          received.push({ query: q, contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
          const v = q.get('validationToken');
          if (v !== null) {
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.end(mode === 'echo' ? v : 'not the token');
            return;
          }
          res.writeHead(202);
          res.end();
        });
      });
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
      hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/webhooks/graph/test`;
    });
    afterAll(() => new Promise<void>((r) => hook.close(() => r())));

    it('validates the endpoint, delivers changes with clientState, renews and deletes', async () => {
      const expiration = new Date(Date.now() + 60 * 60_000).toISOString();
      const created = await api('POST', '/subscriptions', { body: { changeType: 'updated,deleted', notificationUrl: hookUrl, resource: 'users', expirationDateTime: expiration, clientState: 'secret-state' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ resource: 'users', changeType: 'updated,deleted', clientState: 'secret-state', notificationUrl: hookUrl, applicationId: emu.clientId });
      const validation = received.find((r) => r.query.has('validationToken'))!;
      expect(validation.query.get('validationToken')).toMatch(/^Validation: Testing client application reachability for subscription Request-Id: [0-9a-f-]{36}$/);
      expect(validation.contentType).toMatch(/^text\/plain/);

      const target = emu.admin.snapshot().users[30]!.id as string;
      emu.admin.updateUser(target, { jobTitle: 'Notified' });
      emu.admin.deleteUser(target, { permanent: true });
      await emu.admin.flushNotifications();
      const deliveries = received.filter((r) => !r.query.has('validationToken')).map((r) => JSON.parse(r.body) as Json);
      const items = deliveries.flatMap((d) => d.value as Json[]);
      expect(items).toEqual([
        expect.objectContaining({ subscriptionId: created.body.id, clientState: 'secret-state', changeType: 'updated', resource: `Users/${target}`, tenantId: emu.tenantId, resourceData: expect.objectContaining({ id: target, '@odata.type': '#Microsoft.Graph.User' }) }),
        // Graph sends `updated` for a soft delete and `deleted` only when the object is gone for good.
        expect.objectContaining({ changeType: 'updated', resource: `Users/${target}` }),
        expect.objectContaining({ changeType: 'deleted', resource: `Users/${target}` }),
      ]);

      const renewed = await api('PATCH', `/subscriptions/${created.body.id as string}`, { body: { expirationDateTime: new Date(Date.now() + 4000 * 60_000).toISOString() } });
      expect(renewed.status).toBe(200);
      expect(Date.parse(renewed.body.expirationDateTime as string)).toBeGreaterThan(Date.parse(expiration));
      const tooLong = await api('PATCH', `/subscriptions/${created.body.id as string}`, { body: { expirationDateTime: new Date(Date.now() + 4300 * 60_000).toISOString() } });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.error.message).toBe('Subscription expiration can only be 4230 minutes in the future.');
      expect((await api('DELETE', `/subscriptions/${created.body.id as string}`)).status).toBe(204);
      expect((await api('GET', `/subscriptions/${created.body.id as string}`)).status).toBe(404);
    });

    it('refuses a subscription whose endpoint does not echo the validation token', async () => {
      mode = 'wrong';
      try {
        const res = await api('POST', '/subscriptions', { body: { changeType: 'updated', notificationUrl: hookUrl, resource: 'groups', expirationDateTime: new Date(Date.now() + 60_000 * 10).toISOString(), clientState: 'x' } });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('InvalidRequest');
        expect(res.body.error.message).toMatch(/validation/i);
      } finally {
        mode = 'echo';
      }
    });
  });
});

describe('delta tokens under random changes', () => {
  it('a token from before any mix of changes returns exactly what a client needs to equal the tenant', async () => {
    // Small pages, few members per entry and empty pages, with changes landing mid-round.
    const small = await startGraphEmulator({ users: 120, groups: 15, apps: 1, seed: 3, deltaPageSize: 7, membersPerDeltaEntry: 4, emptyPageRate: 0.2 });
    try {
      const form = new URLSearchParams({ client_id: small.clientId, client_secret: small.clientSecret, scope: 'https://graph.microsoft.com/.default', grant_type: 'client_credentials' });
      const tok = ((await (await fetch(small.tokenUrl, { method: 'POST', body: form })).json()) as Json).access_token as string;
      const get = async (url: string): Promise<Json> => {
        const r = await fetch(url, { headers: { authorization: `Bearer ${tok}` } });
        expect(r.status).toBe(200);
        return (await r.json()) as Json;
      };
      let seed = 12345;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const pick = <T>(xs: T[]): T | undefined => (xs.length ? xs[rand(xs.length)] : undefined);
      const mutate = (count: number) => {
        for (let k = 0; k < count; k++) {
          const snap = small.admin.snapshot();
          const users = snap.users.map((u) => u.id as string);
          const groups = snap.groups.map((g) => g.id as string);
          const deleted = snap.deletedItems;
          try {
            switch (rand(11)) {
              case 0: small.admin.createUser({ displayName: `Neu ${k} ü`, userPrincipalName: `neu${seed}@contoso.onmicrosoft.com` }); break;
              case 1: small.admin.updateUser(pick(users)!, { jobTitle: `T${seed}`, accountEnabled: rand(2) === 0 }); break;
              case 2: small.admin.deleteUser(pick(users)!); break;
              case 3: small.admin.deleteUser(pick(users)!, { permanent: true }); break;
              case 4: if (deleted.length) small.admin.restore(pick(deleted)!); break;
              case 5: if (deleted.length) small.admin.purge(pick(deleted)!); break;
              case 6: small.admin.createGroup({ displayName: `G${seed}` }, [pick(users)!]); break;
              case 7: small.admin.deleteGroup(pick(groups)!, { permanent: rand(2) === 0 }); break;
              case 8: small.admin.addMembers(pick(groups)!, Array.from({ length: 1 + rand(9) }, () => pick(users)!)); break;
              case 9: small.admin.addMembers(pick(groups)!, [pick(groups)!]); break;
              default: {
                const g = pick(groups)!;
                const members = snap.memberships.filter((m) => m.groupId === g).map((m) => m.memberId);
                small.admin.removeMembers(g, members.slice(0, 1 + rand(6)));
              }
            }
          } catch {
            // A random pick may be refused (cycle, nothing to restore); the tenant is unchanged then.
          }
        }
      };
      const round = async (start: string, midRound: number) => {
        const entries: Json[] = [];
        let page = await get(start);
        let first = true;
        for (;;) {
          entries.push(...(page.value as Json[]));
          if (first) mutate(midRound);
          first = false;
          if (!page['@odata.nextLink']) return { entries, deltaLink: page['@odata.deltaLink'] as string };
          page = await get(page['@odata.nextLink'] as string);
        }
      };
      const users = new Map<string, Json>();
      const groups = new Map<string, Json>();
      const members = new Map<string, Set<string>>();
      let u = await round(`${small.graphUrl}/users/delta?$select=${USER_SELECT.join(',')}`, 3);
      let g = await round(`${small.graphUrl}/groups/delta?$select=displayName,members`, 3);
      applyUsers(users, u.entries);
      applyGroups(groups, members, g.entries);
      for (let iteration = 0; iteration < 8; iteration++) {
        mutate(10);
        for (const midRound of [4, 0]) {
          u = await round(u.deltaLink, midRound);
          applyUsers(users, u.entries);
          g = await round(g.deltaLink, midRound);
          applyGroups(groups, members, g.entries);
        }
        const snap = small.admin.snapshot();
        expect(new Set(users.keys())).toEqual(new Set(snap.users.map((x) => x.id as string)));
        for (const x of snap.users) for (const p of USER_SELECT) expect(users.get(x.id as string)![p]).toEqual(x[p]);
        const want = new Map<string, Set<string>>(snap.groups.map((x) => [x.id as string, new Set<string>()]));
        for (const m of snap.memberships) want.get(m.groupId)!.add(m.memberId);
        expect(members).toEqual(want);
        for (const x of snap.groups) expect(groups.get(x.id as string)!.displayName).toBe(x.displayName);
      }
    } finally {
      await small.close();
    }
  });
});
