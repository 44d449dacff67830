// Okta's per-bucket rate limits, end to end against the emulator: the emulator answers with
// Okta's numbers, headers and 429 body; the connector spends about `rateLimit.share` of each
// window and never runs into a 429; and connectors of the same org and token in one process
// spend one budget between them. Assertions are on what the emulator counted per window, not on
// timing.

import { afterEach, describe, expect, it } from 'vitest';
import { startOktaEmulator, type OktaEmulator } from '../../emulators/okta';
import { OKTA_RATE_LIMITS } from '../../emulators/okta/rate-limits';
import type { RateWindowStats } from '../../emulators/okta/traffic';
import type { OktaConnector } from '../../connectors/okta';
import { linksOf, objectsOf, oktaTestConnector, readAll } from '../support/okta-reading';

const TOKEN = 'rate-limit-token';
const started: OktaEmulator[] = [];
const opened: OktaConnector[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
  await Promise.all(started.splice(0).map((e) => e.close()));
});

async function emulator(opts: Parameters<typeof startOktaEmulator>[0]): Promise<OktaEmulator> {
  const e = await startOktaEmulator({ apiToken: TOKEN, seed: 7, ...opts });
  started.push(e);
  return e;
}

function connector(emu: OktaEmulator, extra: Record<string, unknown> = {}): OktaConnector {
  const c = oktaTestConnector(emu.url, TOKEN, extra);
  opened.push(c);
  return c;
}

async function get(emu: OktaEmulator, path: string, method = 'GET') {
  const res = await fetch(`${emu.url}${path}`, { method, headers: { authorization: `SSWS ${TOKEN}`, accept: 'application/json' } });
  const text = await res.text();
  return {
    status: res.status,
    limit: res.headers.get('x-rate-limit-limit'),
    remaining: res.headers.get('x-rate-limit-remaining'),
    reset: res.headers.get('x-rate-limit-reset'),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
}

interface Stats {
  rateLimited: number;
  requests: Record<string, number>;
  rateWindows: RateWindowStats[];
}
const stats = async (emu: OktaEmulator) => (await get(emu, '/__emulator/stats')).body as unknown as Stats;

/** The windows of one bucket from its first request to its last, with windows nobody used as 0. */
function windowsOf(s: Stats, bucket: string): number[] {
  const ws = s.rateWindows.filter((w) => w.bucket === bucket);
  if (ws.length === 0) return [];
  const len = ws[0]!.seconds * 1000;
  const first = ws[0]!.start;
  const counts = new Array<number>(Math.round((ws[ws.length - 1]!.start - first) / len) + 1).fill(0);
  for (const w of ws) counts[Math.round((w.start - first) / len)] = w.count;
  return counts;
}

describe('okta emulator: Okta rate limits per bucket', () => {
  it("answers with Okta's per-bucket limits and X-Rate-Limit-* headers", async () => {
    const emu = await emulator({ users: 3, groups: 2, apps: 1, rateLimits: 'okta' });
    const user = emu.state.liveUsers()[0]!;
    const group = emu.state.liveGroups()[0]!;
    const cases: [string, number][] = [
      ['/api/v1/users?limit=1', OKTA_RATE_LIMITS.users],
      [`/api/v1/users/${user.id}`, OKTA_RATE_LIMITS['users/{id}']],
      ['/api/v1/groups?limit=1', OKTA_RATE_LIMITS.groups],
      [`/api/v1/groups/${group.id}`, OKTA_RATE_LIMITS['groups/{id}']],
      ['/api/v1/apps', OKTA_RATE_LIMITS.apps],
      ['/api/v1/logs?limit=1', OKTA_RATE_LIMITS.logs],
    ];
    expect(cases.map(([, n]) => n)).toEqual([600, 2000, 500, 1000, 100, 120]);
    for (const [path, limit] of cases) {
      const res = await get(emu, path);
      expect(res.status, path).toBe(200);
      expect(res.limit, path).toBe(String(limit));
      expect(Number(res.remaining), path).toBeLessThan(limit);
      expect(Number(res.reset) % 60, path).toBe(0);
      expect(Number(res.reset) * 1000 - Date.now(), path).toBeLessThanOrEqual(60_000);
    }
    // A group's members count with the groups list: one bucket, one window.
    const list = await get(emu, '/api/v1/groups?limit=1');
    const members = await get(emu, `/api/v1/groups/${group.id}/users`);
    if (members.reset === list.reset) expect(Number(members.remaining)).toBe(Number(list.remaining) - 1);
    expect(members.limit).toBe('500');
  });

  it('answers 429 E0000047 per bucket once its window is spent, and counts refusals per window', async () => {
    const emu = await emulator({ users: 3, groups: 2, apps: 1, rateLimits: { users: 2, groups: 2, apps: 2, logs: 2 } });
    for (const path of ['/api/v1/users', '/api/v1/groups', '/api/v1/apps', '/api/v1/logs']) {
      const seen: Awaited<ReturnType<typeof get>>[] = [];
      // Within 6 calls one lands over the budget even if a minute boundary passes in between.
      for (let i = 0; i < 6 && !seen.some((r) => r.status === 429); i++) seen.push(await get(emu, path));
      const limited = seen.find((r) => r.status === 429);
      expect(limited, path).toBeDefined();
      expect(limited!.body).toMatchObject({
        errorCode: 'E0000047',
        errorSummary: 'API call exceeded rate limit due to too many requests.',
        errorLink: 'E0000047',
        errorCauses: [],
      });
      expect(String(limited!.body!.errorId)).toMatch(/^oae/);
      expect(limited!.limit, path).toBe('2');
      expect(limited!.remaining, path).toBe('0');
      expect(Number(limited!.reset) % 60, path).toBe(0);
    }
    const s = await stats(emu);
    expect(s.rateLimited).toBe(4);
    for (const bucket of ['users', 'groups', 'apps', 'logs']) {
      expect(s.rateWindows.filter((w) => w.bucket === bucket).reduce((n, w) => n + w.refused, 0), bucket).toBe(1);
    }
    // Another bucket (a user by id) has its own limit: unlimited here.
    const user = emu.state.liveUsers()[0]!;
    expect((await get(emu, `/api/v1/users/${user.id}`)).status).toBe(200);
  });

  it('rejects a rate-limit knob that names no bucket, naming the knob', async () => {
    const emu = await emulator({ users: 1, groups: 1, apps: 0 });
    expect(() => emu.setKnobs({ rateLimits: { people: 5 } as never })).toThrow(/knob rateLimits .*"people" is not a bucket/);
    expect(() => emu.setKnobs({ rateLimitWindowSeconds: 0 })).toThrow(/rateLimitWindowSeconds/);
  });
});

describe('okta connector: reads paced to a share of the budget', () => {
  // 4-second windows so a read spans several of them quickly; 20 per window and share 0.5 → 10.
  const LIMIT = 20;
  const CAP = 10;
  const tight = { rateLimits: { users: LIMIT, groups: LIMIT, apps: LIMIT }, rateLimitWindowSeconds: 4 };

  it('reads under a tight limit without a 429, spending about the configured share of each window', async () => {
    const emu = await emulator({ users: 250, groups: 12, apps: 2, membershipsPerGroup: 5, ...tight });
    const c = connector(emu, { pageSize: 10, rateLimit: { share: 0.5 } });
    const users = objectsOf((await readAll(c, 'users')).records);
    expect(users).toHaveLength(250);
    const memberships = linksOf((await readAll(c, 'memberships')).records);
    expect(memberships.length).toBe(emu.state.liveGroups().reduce((n, g) => n + emu.state.groupMemberIds(g.id).length, 0));

    const s = await stats(emu);
    expect(s.rateLimited).toBe(0);
    const userWindows = windowsOf(s, 'users');
    // 25 pages at 10 per window: at least three windows, each at most the share.
    expect(userWindows.length).toBeGreaterThanOrEqual(3);
    expect(userWindows.reduce((a, b) => a + b, 0)).toBe(25);
    expect(Math.max(...userWindows)).toBeLessThanOrEqual(CAP);
    // Every window between the first and the last was used to its share (none left idle).
    for (const n of userWindows.slice(1, -1)) expect(n).toBe(CAP);
    // Member pages go 8 at a time: still never past the share by more than what straddles a reset.
    const groupWindows = windowsOf(s, 'groups');
    expect(Math.max(...groupWindows)).toBeLessThanOrEqual(CAP + 1);
    for (const n of groupWindows.slice(1, -1)) expect(n).toBeGreaterThanOrEqual(CAP - 1);
  }, 90_000);

  it('gives two connectors of the same org and token one budget between them', async () => {
    const emu = await emulator({ users: 200, groups: 1, apps: 0, membershipsPerGroup: 1, ...tight });
    const a = connector(emu, { pageSize: 10 });
    const b = connector(emu, { pageSize: 10 });
    const [ra, rb] = await Promise.all([readAll(a, 'users'), readAll(b, 'users')]);
    expect(objectsOf(ra.records)).toHaveLength(200);
    expect(objectsOf(rb.records)).toHaveLength(200);

    const s = await stats(emu);
    expect(s.rateLimited).toBe(0);
    const windows = windowsOf(s, 'users');
    expect(windows.reduce((x, y) => x + y, 0)).toBe(40);
    // Each alone would take 10 a window; together they still take 10, not 20.
    expect(Math.max(...windows)).toBeLessThanOrEqual(CAP);
    expect(windows.length).toBeGreaterThanOrEqual(4);
  }, 90_000);

  it('refuses a share outside (0, 1], naming rateLimit.share', async () => {
    const emu = await emulator({ users: 1, groups: 1, apps: 0 });
    expect(() => connector(emu, { rateLimit: { share: 0 } })).toThrow(/rateLimit\.share must be above 0 and at most 1/);
    expect(() => connector(emu, { rateLimit: { share: 1.5 } })).toThrow(/rateLimit\.share/);
  });
});
