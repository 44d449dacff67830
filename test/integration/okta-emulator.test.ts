// The Okta emulator against Okta's own Node SDK and raw HTTP: the seeded org must come back
// exactly, with Okta's paging, error bodies, rate-limit headers, System Log and event hooks.

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as okta from '@okta/okta-sdk-nodejs';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startOktaEmulator, type OktaEmulator } from '../../emulators/okta';

const TOKEN = 'emulator-test-token';
let emu: OktaEmulator;

// Response bodies are checked by assertions, not by types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

async function api(method: string, path: string, body?: unknown, token = TOKEN) {
  const res = await request(path.startsWith('http') ? path : `${emu.url}${path}`, {
    method: method as 'GET',
    headers: { authorization: `SSWS ${token}`, 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.statusCode, headers: res.headers, body: text ? (JSON.parse(text) as any) : undefined };
}

const linkLines = (h: IncomingHttpHeaders | Record<string, string | string[] | undefined>): string[] => {
  const v = h.link;
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};
const nextOf = (lines: string[]) => lines.map((l) => /^<([^>]+)>; rel="next"$/.exec(l)?.[1]).find(Boolean);

function expectOktaError(body: Json, code: string, summary: string) {
  expect(body).toEqual({ errorCode: code, errorSummary: summary, errorLink: code, errorId: expect.stringMatching(/^oae\w{22}$/), errorCauses: expect.any(Array) });
}

beforeAll(async () => {
  emu = await startOktaEmulator({ users: 450, groups: 12, apps: 3, seed: 11, apiToken: TOKEN, membershipsPerGroup: 40 });
});

afterAll(async () => {
  await emu?.close();
});

describe('okta emulator: seeded org through the official SDK', () => {
  it('lists exactly the seeded users: a plain list omits DEPROVISIONED, a search includes them', async () => {
    // SDK v7 does not check the scheme or domain of orgUrl, so the plain http URL works as is.
    const client = new okta.Client({ orgUrl: emu.url, token: TOKEN });
    const live = emu.state.liveUsers();
    expect(live.some((u) => u.status === 'DEPROVISIONED')).toBe(true);

    const plain: string[] = [];
    for await (const u of await client.userApi.listUsers()) plain.push(u!.id!);
    expect(plain.sort()).toEqual(live.filter((u) => u.status !== 'DEPROVISIONED').map((u) => u.id).sort());

    const searched: string[] = [];
    await (await client.userApi.listUsers({ search: 'lastUpdated gt "2000-01-01T00:00:00.000Z"' })).each((u) => {
      searched.push(u.id!);
    });
    expect(searched.sort()).toEqual(live.map((u) => u.id).sort());

    const deprovisioned: string[] = [];
    for await (const u of await client.userApi.listUsers({ filter: 'status eq "DEPROVISIONED"' })) deprovisioned.push(u!.id!);
    expect(deprovisioned.sort()).toEqual(live.filter((u) => u.status === 'DEPROVISIONED').map((u) => u.id).sort());
  });

  it('returns Okta-shaped users, groups and apps', async () => {
    const u = (await api('GET', `/api/v1/users/${emu.state.users[0]!.id}`)).body;
    expect(u.id).toMatch(/^00u[A-Za-z0-9]{17}$/);
    expect(Object.keys(u)).toEqual(['id', 'status', 'created', 'activated', 'statusChanged', 'lastLogin', 'lastUpdated', 'passwordChanged', 'type', 'profile', 'credentials', '_links']);
    const byLogin = (await api('GET', `/api/v1/users/${encodeURIComponent(u.profile.login)}`)).body;
    expect(byLogin.id).toBe(u.id);

    const groups = (await api('GET', '/api/v1/groups')).body as Json[];
    expect(groups.map((g) => g.id).sort()).toEqual(emu.state.liveGroups().map((g) => g.id).sort());
    expect(groups.find((g) => g.type === 'BUILT_IN')?.profile.name).toBe('Everyone');
    const g = groups.find((x) => x.type === 'OKTA_GROUP')!;
    expect(g.id).toMatch(/^00g[A-Za-z0-9]{17}$/);
    expect(g.objectClass).toEqual(['okta:user_group']);

    const members = (await api('GET', `/api/v1/groups/${g.id}/users`)).body as Json[];
    expect(members.map((m) => m.id).sort()).toEqual(emu.state.groupMemberIds(g.id).sort());

    const app = emu.state.apps[0]!;
    const appUsers = (await api('GET', `/api/v1/apps/${app.id}/users?limit=500`)).body as Json[];
    expect(appUsers.map((a) => a.id).sort()).toEqual([...app.assigned].map((i) => emu.state.users[i]!.id).sort());
    expect(appUsers[0]).toMatchObject({ scope: expect.stringMatching(/^(USER|GROUP)$/), credentials: { userName: expect.any(String) } });
  });

  it('generates the same org from the same seed and another from another seed', async () => {
    const again = await startOktaEmulator({ users: 450, groups: 12, apps: 3, seed: 11, apiToken: TOKEN, membershipsPerGroup: 40 });
    const other = await startOktaEmulator({ users: 450, groups: 12, apps: 3, seed: 12, apiToken: TOKEN, membershipsPerGroup: 40 });
    try {
      expect(again.state.users.map((u) => u.id)).toEqual(emu.state.users.map((u) => u.id).slice(0, 450));
      expect(again.state.groupMemberIds(again.state.groups[3]!.id)).toEqual(emu.state.groupMemberIds(emu.state.groups[3]!.id));
      expect(other.state.users[0]!.id).not.toBe(emu.state.users[0]!.id);
    } finally {
      await Promise.all([again.close(), other.close()]);
    }
  });
});

describe('okta emulator: paging and errors', () => {
  it('pages with one Link line per relation and no next on the last page', async () => {
    let url: string | undefined = `${emu.url}/api/v1/users?limit=100`;
    const ids: string[] = [];
    let pages = 0;
    while (url) {
      const res = await api('GET', url);
      const lines = linkLines(res.headers);
      expect(lines).toContain(`<${url}>; rel="self"`);
      expect(lines.every((l) => /^<http:\/\/[^>]+>; rel="(self|next)"$/.test(l))).toBe(true);
      ids.push(...(res.body as Json[]).map((u) => u.id));
      pages++;
      url = nextOf(lines);
      if (url) expect(new URL(url).searchParams.get('limit')).toBe('100');
    }
    const expected = emu.state.liveUsers().filter((u) => u.status !== 'DEPROVISIONED');
    expect(pages).toBe(Math.ceil(expected.length / 100));
    expect(ids).toEqual(expected.map((u) => u.id));
  });

  it('answers 401 E0000011 to a wrong token and accepts a Bearer token', async () => {
    const res = await api('GET', '/api/v1/users', undefined, 'wrong');
    expect(res.status).toBe(401);
    expectOktaError(res.body, 'E0000011', 'Invalid token provided');
    expect(res.body.errorCauses).toEqual([]);
    expect(res.headers['x-okta-request-id']).toEqual(expect.any(String));
    const bearer = await request(`${emu.url}/api/v1/groups?limit=1`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bearer.statusCode).toBe(200);
    await bearer.body.dump();
  });

  it('answers 404 E0000007 naming the missing id', async () => {
    const res = await api('GET', '/api/v1/users/00unotthere000000000');
    expect(res.status).toBe(404);
    expectOktaError(res.body, 'E0000007', 'Not found: Resource not found: 00unotthere000000000 (User)');
  });

  it('answers 429 E0000047 with rate-limit headers once a family exceeds its budget', async () => {
    // A fresh emulator, so no earlier request has spent this minute's budget.
    const limitedEmu = await startOktaEmulator({ users: 5, groups: 2, apps: 0, apiToken: TOKEN, rateLimitPerMinute: 3 });
    try {
      const seen: Awaited<ReturnType<typeof api>>[] = [];
      // The budget is per calendar minute: within 8 calls at least one lands over it even if a
      // minute boundary passes in between.
      for (let i = 0; i < 8 && !seen.some((r) => r.status === 429); i++) {
        seen.push(await api('GET', `${limitedEmu.url}/api/v1/groups?limit=1`));
      }
      expect(seen[0]!.status).toBe(200);
      expect(seen[0]!.headers['x-rate-limit-limit']).toBe('3');
      expect(seen[0]!.headers['x-rate-limit-remaining']).toBe('2');
      const limited = seen.find((r) => r.status === 429)!;
      expect(limited).toBeDefined();
      expectOktaError(limited.body, 'E0000047', 'API call exceeded rate limit due to too many requests.');
      expect(limited.body.errorCauses).toEqual([]);
      expect(limited.headers['x-rate-limit-limit']).toBe('3');
      expect(limited.headers['x-rate-limit-remaining']).toBe('0');
      expect(Number(limited.headers['x-rate-limit-reset']) % 60).toBe(0);
      expect(limited.headers['retry-after']).toBeUndefined();
      // Another family has its own budget.
      expect((await api('GET', `${limitedEmu.url}/api/v1/users?limit=1`)).status).toBe(200);
    } finally {
      await limitedEmu.close();
    }
  });

  it('answers 403 E0000006 for forbidden families only', async () => {
    emu.setKnobs({ forbidden: ['logs'] });
    try {
      const logs = await api('GET', '/api/v1/logs');
      expect(logs.status).toBe(403);
      expectOktaError(logs.body, 'E0000006', 'You do not have permission to perform the requested action');
      expect((await api('GET', '/api/v1/users?limit=1')).status).toBe(200);
    } finally {
      emu.setKnobs({ forbidden: [] });
    }
  });

  it('answers 403 for the objects named by forbiddenIds only, and refuses a malformed knob naming it', async () => {
    const [denied, other] = emu.state.liveUsers();
    emu.setKnobs({ forbiddenIds: [denied!.id] });
    try {
      const res = await api('GET', `/api/v1/users/${denied!.id}`);
      expect(res.status).toBe(403);
      expectOktaError(res.body, 'E0000006', 'You do not have permission to perform the requested action');
      expect((await api('GET', `/api/v1/users/${other!.id}`)).status).toBe(200);
      expect((await api('GET', '/api/v1/users?limit=1')).status).toBe(200);
    } finally {
      emu.setKnobs({ forbiddenIds: [] });
    }
    const bad = await api('POST', '/__emulator/knobs', { pageFaults: [{ path: '/api/v1/users', page: 1, kind: '404' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^knob pageFaults must be a list of/);
  });

  it('breaks the pages named by pageFaults: empty with a next link to itself, 404, 410, truncated, not an array', async () => {
    const first = await api('GET', '/api/v1/users?limit=100');
    const next = nextOf(linkLines(first.headers))!;
    const fault = async (kind: string) => {
      await api('POST', '/__emulator/knobs', { pageFaults: [{ path: '/api/v1/users', page: 2, kind, times: 1 }] });
      return request(next, { headers: { authorization: `SSWS ${TOKEN}` } });
    };
    try {
      const empty = await fault('empty-next');
      expect(empty.statusCode).toBe(200);
      expect(await empty.body.json()).toEqual([]);
      expect(nextOf(linkLines(empty.headers))).toBe(next);
      // `times: 1`: the same link answers whole the next time.
      expect((await api('GET', next)).body).toHaveLength(100);
      for (const [kind, status] of [['404', 404], ['410', 410]] as const) {
        const res = await fault(kind);
        expect(res.statusCode).toBe(status);
        expect(((await res.body.json()) as Json).errorCode).toBe('E0000007');
      }
      const cut = await fault('truncated');
      expect(cut.statusCode).toBe(200);
      const cutText = await cut.body.text();
      expect(() => JSON.parse(cutText) as unknown).toThrow();
      const wrapped = await fault('not-array');
      expect(Array.isArray(await wrapped.body.json())).toBe(false);
      // Only links (requests with `after`) are counted: page 1 is never broken.
      await api('POST', '/__emulator/knobs', { pageFaults: [{ path: '/api/v1/users', page: 2, kind: '404', times: 5 }] });
      expect((await api('GET', '/api/v1/users?limit=100')).status).toBe(200);
    } finally {
      emu.setKnobs({ pageFaults: [] });
    }
  });

  it('refuses a since or a poll link older than the logRetentionDays knob with E0000053', async () => {
    const group = await api('POST', '/api/v1/groups', { profile: { name: 'Logged before the retention shrinks' } });
    const poll = await api('GET', `/api/v1/logs?since=${new Date(Date.now() - 3_600_000).toISOString()}`);
    const next = nextOf(linkLines(poll.headers))!;
    expect(poll.status).toBe(200);
    expect(poll.body.length).toBeGreaterThan(0);
    emu.setKnobs({ logRetentionDays: 1 / 86_400 / 1000 });
    try {
      await new Promise((r) => setTimeout(r, 5));
      const since = await api('GET', `/api/v1/logs?since=${new Date(Date.now() - 1000).toISOString()}`);
      expect(since.status).toBe(400);
      expect(since.body.errorCode).toBe('E0000053');
      const after = await api('GET', next);
      expect(after.status).toBe(400);
      expect(after.body.errorCode).toBe('E0000053');
    } finally {
      emu.setKnobs({ logRetentionDays: 180 });
      await api('DELETE', `/api/v1/groups/${group.body.id}`);
    }
  });

  it('injects 5xx and malformed bodies on reads but never on control or write requests', async () => {
    emu.setKnobs({ faultRate: 1, faultKinds: ['5xx'] });
    try {
      const failed = await api('GET', '/api/v1/groups');
      expect(failed.status).toBe(500);
      expectOktaError(failed.body, 'E0000009', 'Internal Server Error');
      const created = await api('POST', '/api/v1/groups', { profile: { name: 'Fault-free write' } });
      expect(created.status).toBe(200);
      emu.setKnobs({ faultKinds: ['malformed'] });
      const res = await request(`${emu.url}/api/v1/users?limit=5`, { headers: { authorization: `SSWS ${TOKEN}` } });
      expect(res.statusCode).toBe(200);
      const text = await res.body.text();
      expect(() => JSON.parse(text)).toThrow();
      emu.setKnobs({ faultKinds: ['timeout'] });
      const held = request(`${emu.url}/api/v1/users?limit=5`, {
        headers: { authorization: `SSWS ${TOKEN}` },
        signal: AbortSignal.timeout(300),
      });
      await expect(held).rejects.toThrow();
      const stats = await api('GET', '/__emulator/stats');
      expect(stats.status).toBe(200);
      expect(stats.body.faults).toMatchObject({ '5xx': 1, malformed: 1, timeout: 1 });
      expect((await api('DELETE', `/api/v1/groups/${created.body.id}`)).status).toBe(204);
    } finally {
      emu.setKnobs({ faultRate: 0 });
    }
  });
});

describe('okta emulator: writes, System Log and event hooks', () => {
  it('records admin changes in the System Log and keeps polling with a next link', async () => {
    const first = await api('GET', '/api/v1/logs?limit=1000');
    let poll = nextOf(linkLines(first.headers));
    expect(poll).toBeDefined();
    // Catch up to the end of the log, then expect exactly the next changes.
    let page = await api('GET', poll!);
    while (page.body.length) {
      poll = nextOf(linkLines(page.headers));
      page = await api('GET', poll!);
    }
    expect(page.body).toEqual([]);
    poll = nextOf(linkLines(page.headers));
    expect(poll).toBeDefined();

    const group = emu.state.groups.find((g) => g.type === 'OKTA_GROUP' && !g.deleted)!;
    const user = emu.state.users.find((u) => u.status === 'ACTIVE' && !emu.state.isMember(group, u.index))!;
    const before = { membership: group.lastMembershipUpdated, user: user.lastUpdated };
    expect((await api('PUT', `/api/v1/groups/${group.id}/users/${user.id}`)).status).toBe(204);
    expect((await api('DELETE', `/api/v1/users/${user.id}`)).status).toBe(204);
    expect((await api('GET', `/api/v1/users/${user.id}`)).body.status).toBe('DEPROVISIONED');

    const g = (await api('GET', `/api/v1/groups/${group.id}`)).body;
    expect(Date.parse(g.lastMembershipUpdated)).toBeGreaterThan(before.membership);
    expect(emu.state.groupMemberIds(group.id)).toContain(user.id);
    expect(user.lastUpdated).toBeGreaterThan(before.user);

    const events = (await api('GET', poll!)).body as Json[];
    expect(events.map((e) => e.eventType)).toEqual(['group.user_membership.add', 'user.lifecycle.deactivate']);
    const [add, deactivate] = events;
    expect(add!.target).toEqual([
      { id: user.id, type: 'User', alternateId: user.profile.login, displayName: `${user.profile.firstName} ${user.profile.lastName}`, detailEntry: null },
      { id: group.id, type: 'UserGroup', alternateId: 'unknown', displayName: group.profile.name, detailEntry: null },
    ]);
    for (const e of events) {
      expect(e).toMatchObject({ uuid: expect.stringMatching(/^[0-9a-f-]{36}$/), outcome: { result: 'SUCCESS' }, severity: 'INFO', actor: { type: 'User' } });
      expect(new Date(e.published).toISOString()).toBe(e.published);
    }
    expect(deactivate!.target[0].id).toBe(user.id);

    // The second DELETE of a DEPROVISIONED user deletes it.
    expect((await api('DELETE', `/api/v1/users/${user.id}`)).status).toBe(204);
    expect((await api('GET', `/api/v1/users/${user.id}`)).status).toBe(404);
    expect(emu.state.groupMemberIds(group.id)).not.toContain(user.id);
    const deleted = await api('GET', `/api/v1/logs?filter=${encodeURIComponent(`eventType eq "user.lifecycle.delete.initiated" and target.id eq "${user.id}"`)}`);
    expect(deleted.body).toHaveLength(1);
  });

  it('refuses a since older than 180 days with E0000053', async () => {
    const res = await api('GET', `/api/v1/logs?since=${new Date(Date.now() - 200 * 86_400_000).toISOString()}`);
    expect(res.status).toBe(400);
    expect(res.body.errorCode).toBe('E0000053');
  });

  it('verifies an event hook and delivers subscribed events with the auth header', async () => {
    const received: { headers: IncomingHttpHeaders; body: Json }[] = [];
    const verifications: string[] = [];
    const sink: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'GET') {
          const challenge = String(req.headers['x-okta-verification-challenge']);
          verifications.push(challenge);
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ verification: challenge }));
          return;
        }
        received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString()) as Json });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/okta-events`;
    try {
      const created = await api('POST', '/api/v1/eventHooks', {
        name: 'tiger test hook',
        events: { type: 'EVENT_TYPE', items: ['user.lifecycle.create', 'group.user_membership.add'] },
        channel: {
          type: 'HTTP',
          version: '1.0.0',
          config: { uri: sinkUrl, headers: [{ key: 'X-Tiger', value: 'yes' }], authScheme: { type: 'HEADER', key: 'Authorization', value: 'hook-secret' } },
        },
      });
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ id: expect.stringMatching(/^who\w{17}$/), status: 'ACTIVE', verificationStatus: 'UNVERIFIED' });
      expect(created.body.channel.config.authScheme).toEqual({ type: 'HEADER', key: 'Authorization' });

      const verified = await api('POST', `/api/v1/eventHooks/${created.body.id}/lifecycle/verify`);
      expect(verified.body.verificationStatus).toBe('VERIFIED');
      expect(verifications).toHaveLength(1);
      expect((await api('GET', '/api/v1/eventHooks')).body.map((h: Json) => h.id)).toContain(created.body.id);

      const user = await api('POST', '/api/v1/users?activate=false', {
        profile: { login: 'hook.user@example.com', email: 'hook.user@example.com', firstName: 'Hook', lastName: 'User' },
      });
      expect(user.body.status).toBe('STAGED');
      const suspendable = emu.state.users.find((u) => u.status === 'ACTIVE')!;
      await api('POST', `/api/v1/users/${suspendable.id}/lifecycle/suspend`); // not subscribed

      await vi.waitFor(() => expect(received.flatMap((r) => r.body.data.events)).toHaveLength(1), { timeout: 5000 });
      const delivery = received[0]!;
      expect(delivery.headers.authorization).toBe('hook-secret');
      expect(delivery.headers['x-tiger']).toBe('yes');
      expect(delivery.body).toMatchObject({
        eventType: 'com.okta.event_hook',
        eventTypeVersion: '1.0',
        cloudEventsVersion: '0.1',
        contentType: 'application/json',
        eventId: expect.any(String),
        eventTime: expect.any(String),
      });
      const event = delivery.body.data.events[0];
      expect(event.eventType).toBe('user.lifecycle.create');
      expect(event.target[0].id).toBe(user.body.id);
    } finally {
      await new Promise((r) => sink.close(r));
    }
  });

  it('streams a snapshot of every user, DEPROVISIONED ones included', async () => {
    const snap = (await api('GET', '/__emulator/snapshot')).body;
    expect(snap.users.map((u: Json) => u.id).sort()).toEqual(emu.state.liveUsers().map((u) => u.id).sort());
    expect(snap.users.some((u: Json) => u.status === 'DEPROVISIONED')).toBe(true);
    const everyone = emu.state.groups[0]!;
    expect(snap.memberships.filter((m: Json) => m.groupId === everyone.id)).toHaveLength(emu.state.liveUsers().length);
    expect(snap.appUsers.length).toBe(emu.state.apps.reduce((n, a) => n + a.assigned.length, 0));
  });
});
