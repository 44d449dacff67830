// Bench case: a 20k-user Okta org under Okta's default per-bucket limits (the emulator's 'okta'
// table), read by a full run of the sync workflow on a real dev server and worker, which reads
// the independent buckets as lanes side by side — users ∥ groups + memberships ∥ apps + app
// users. Reports per bucket the requests made against the budget available (share × limit per
// window), the 429s, and the wall time against the slowest bucket's minimum (its requests /
// (share × limit) windows). Runs in its own process; the last line is JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConnectorText } from '../config/load';
import { typeSchemas } from '../connectors/registry';
import { startOktaEmulator } from '../emulators/okta';
import { OKTA_RATE_LIMITS, type RateBucket } from '../emulators/okta/rate-limits';
import type { RateWindowStats } from '../emulators/okta/traffic';
import { SqliteStore } from '../store/sqlite';
import { runFullSync, withPipeline } from './pipeline-run';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const TOKEN = 'bench-rate-token';

const READ_BUCKETS: RateBucket[] = ['users', 'groups', 'apps'];

interface BucketReport {
  requests: number;
  limit: number;
  /** share × limit: what this reader may spend per window. */
  perWindow: number;
  windows: number[];
  /** Requests in the windows where the read still had work left (all but its last) over the
   *  budget those windows offered; null when the read fit in one window. */
  budgetUse: number | null;
  /** The least time the bucket's requests can take at share × limit per window. */
  minimumSeconds: number;
}

async function main(): Promise<void> {
  const users = num('BENCH_RL_USERS', 20_000);
  const groups = num('BENCH_RL_GROUPS', 1_000);
  const perGroup = num('BENCH_RL_MEMBERS_PER_GROUP', 20);
  const apps = num('BENCH_RL_APPS', 20);
  const windowSeconds = num('BENCH_RL_WINDOW_SECONDS', 60);
  const share = num('BENCH_RL_SHARE', 0.5);
  const say = (s: string) => process.stdout.write(`${s}\n`);

  const emu = await startOktaEmulator({ users, groups, apps, membershipsPerGroup: perGroup, seed: 1, apiToken: TOKEN, rateLimits: 'okta', rateLimitWindowSeconds: windowSeconds });
  const dir = mkdtempSync(join(tmpdir(), 'tiger-bench-rate-'));
  const store = new SqliteStore(join(dir, 'tiger.db'));
  try {
    say(`rate-limited bench (sync workflow, buckets read as lanes side by side): ${users} users, ${groups} groups (~${groups * perGroup} memberships + Everyone), ${apps} apps; Okta limits per ${windowSeconds} s window, share ${share}`);
    await store.migrate();
    process.env.BENCH_RL_OKTA_TOKEN = TOKEN;
    const yaml = `name: bench-okta-rate\ntype: okta\nconfig:\n  domain: ${emu.url}\n  apiToken: \${BENCH_RL_OKTA_TOKEN}\n  rateLimit:\n    share: ${share}\n`;
    const def = parseConnectorText(yaml, 'bench-okta-rate.yaml', typeSchemas());
    await store.saveConnector({ name: def.name, type: def.type, enabled: true, definition: def });
    // Start on a window boundary: a first window already mostly gone says nothing about pacing.
    const windowMs = windowSeconds * 1000;
    const port = num('BENCH_TEMPORAL_PORT', 17253);
    const { summary, wallSeconds } = await withPipeline({ dir, port, store }, async (client) => {
      await new Promise((r) => setTimeout(r, windowMs - (Date.now() % windowMs) + 50));
      const { summary, ms } = await runFullSync(client, def, 200);
      return { summary, wallSeconds: ms / 1000 };
    });
    const fetched = summary.counts.fetched;
    const stats = (await (await fetch(`${emu.url}/__emulator/stats`, { headers: { authorization: `SSWS ${TOKEN}` } })).json()) as {
      rateLimited: number;
      rateWindows: RateWindowStats[];
    };
    const buckets: Record<string, BucketReport> = {};
    for (const bucket of READ_BUCKETS) {
      const ws = stats.rateWindows.filter((w) => w.bucket === bucket && w.count > 0);
      const windows = spread(ws);
      const limit = OKTA_RATE_LIMITS[bucket];
      const perWindow = Math.floor(share * limit);
      const requests = windows.reduce((a, b) => a + b, 0);
      const busy = windows.slice(0, -1);
      buckets[bucket] = {
        requests,
        limit,
        perWindow,
        windows,
        budgetUse: busy.length ? round(busy.reduce((a, b) => a + b, 0) / (perWindow * busy.length)) : null,
        minimumSeconds: round((requests / perWindow) * windowSeconds),
      };
    }
    const slowest = Object.entries(buckets).reduce((a, b) => (b[1].minimumSeconds > a[1].minimumSeconds ? b : a));
    const wallOverMinimum = round(wallSeconds / slowest[1].minimumSeconds);
    for (const [name, b] of Object.entries(buckets)) {
      say(
        `  ${name.padEnd(7)} ${b.requests} requests, ${b.perWindow}/window allowed (limit ${b.limit}); budget use ${b.budgetUse ?? 'n/a (one window)'}; ` +
          `minimum ${b.minimumSeconds} s; per window ${b.windows.join(' ')}`,
      );
    }
    say(`  429s: ${stats.rateLimited}; wall ${round(wallSeconds)} s / slowest bucket (${slowest[0]}) minimum ${slowest[1].minimumSeconds} s = ${wallOverMinimum}; ${fetched} records`);
    say(JSON.stringify({ case: 'rate-limited', users, groups, apps, windowSeconds, share, records: fetched, rateLimited429: stats.rateLimited, wallSeconds: round(wallSeconds), slowestBucket: slowest[0], wallOverMinimum, buckets }));
  } finally {
    await store.close();
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Window counts from the first used window to the last, with unused windows between as 0. */
function spread(ws: RateWindowStats[]): number[] {
  if (ws.length === 0) return [];
  const len = ws[0]!.seconds * 1000;
  const out = new Array<number>(Math.round((ws[ws.length - 1]!.start - ws[0]!.start) / len) + 1).fill(0);
  for (const w of ws) out[Math.round((w.start - ws[0]!.start) / len)]! += w.count;
  return out;
}

const round = (n: number) => Math.round(n * 100) / 100;

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
