// Bench case: a 20k-user Okta org under Okta's default per-bucket limits (the emulator's 'okta'
// table), read through the sync activities with the independent buckets in parallel — users ∥
// groups + memberships ∥ apps + app users — as a sync workflow reading bucket groups
// concurrently would. Reports per bucket the requests made against the budget available
// (share × limit per window), the 429s, and the wall time against the slowest bucket's minimum
// (its requests / (share × limit) windows). Runs in its own process; the last line is JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ConnectorCache } from '../activities/connector-cache';
import { createSyncActivities, type SyncActivities } from '../activities/sync';
import { parseConnectorText } from '../config/load';
import { typeSchemas } from '../connectors/registry';
import type { Resource } from '../connectors/types';
import { startOktaEmulator } from '../emulators/okta';
import { OKTA_RATE_LIMITS, type RateBucket } from '../emulators/okta/rate-limits';
import type { RateWindowStats } from '../emulators/okta/traffic';
import { SqliteStore } from '../store/sqlite';
import { zeroCounts, type Counts } from '../workflows/types';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const TOKEN = 'bench-rate-token';

/** Which rate-limit bucket a resource's full read spends. */
const BUCKET_OF: Record<string, RateBucket> = { users: 'users', groups: 'groups', memberships: 'groups', apps: 'apps', appUsers: 'apps' };

interface BucketReport {
  requests: number;
  limit: number;
  /** share × limit: what this reader may spend per window. */
  perWindow: number;
  windows: number[];
  /** Requests in the windows where the read still had work left (all but its last) over the
   *  budget those windows offered; null when the read fit in one window. */
  budgetUse: number | null;
  seconds: number;
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
  // BENCH_RL_SEQUENTIAL=1: one resource after another, as today's sync workflow reads, for comparison.
  const sequential = process.env.BENCH_RL_SEQUENTIAL === '1';
  const say = (s: string) => process.stdout.write(`${s}\n`);

  const emu = await startOktaEmulator({ users, groups, apps, membershipsPerGroup: perGroup, seed: 1, apiToken: TOKEN, rateLimits: 'okta', rateLimitWindowSeconds: windowSeconds });
  const dir = mkdtempSync(join(tmpdir(), 'tiger-bench-rate-'));
  const store = new SqliteStore(join(dir, 'tiger.db'));
  try {
    say(`rate-limited bench (${sequential ? 'buckets one after another' : 'buckets in parallel'}): ${users} users, ${groups} groups (~${groups * perGroup} memberships + Everyone), ${apps} apps; Okta limits per ${windowSeconds} s window, share ${share}`);
    await store.migrate();
    process.env.BENCH_RL_OKTA_TOKEN = TOKEN;
    const yaml = `name: bench-okta-rate\ntype: okta\nconfig:\n  domain: ${emu.url}\n  apiToken: \${BENCH_RL_OKTA_TOKEN}\n  rateLimit:\n    share: ${share}\n`;
    const def = parseConnectorText(yaml, 'bench-okta-rate.yaml', typeSchemas());
    await store.saveConnector({ name: def.name, type: def.type, enabled: true, definition: def });
    const acts = createSyncActivities({ store, connectors: new ConnectorCache(store) });

    const runId = randomUUID();
    const begun = await acts.beginRun({ connector: def.name, runId, mode: 'full', trigger: 'bench' });
    const lanes = new Map<RateBucket, Resource[]>();
    for (const r of begun.resources) lanes.set(BUCKET_OF[r]!, [...(lanes.get(BUCKET_OF[r]!) ?? []), r]);
    // Start on a window boundary: a first window already mostly gone says nothing about pacing.
    const windowMs = windowSeconds * 1000;
    await new Promise((r) => setTimeout(r, windowMs - (Date.now() % windowMs) + 50));
    const t0 = Date.now();
    const readOne = async ([bucket, resources]: [RateBucket, Resource[]]) => ({ bucket, ...(await readLane(acts, def.name, runId, resources)) });
    const laneResults = sequential ? await inOrder([...lanes], readOne) : await Promise.all([...lanes].map(readOne));
    const wallSeconds = (Date.now() - t0) / 1000;
    const incomplete = laneResults.flatMap((l) => l.incomplete);
    const d = await acts.detectDeletions({ connector: def.name, runId, resources: begun.resources, incomplete, approved: false });
    const counts = zeroCounts();
    for (const l of laneResults) for (const k of ['fetched', 'inserted', 'updated', 'unchanged'] as const) counts[k] += l.counts[k];
    counts.deleted = d.deleted;
    const fetched = counts.fetched;
    await acts.endRun({ connector: def.name, runId, status: 'succeeded', error: null, counts });

    const stats = (await (await fetch(`${emu.url}/__emulator/stats`, { headers: { authorization: `SSWS ${TOKEN}` } })).json()) as {
      rateLimited: number;
      rateWindows: RateWindowStats[];
    };
    const buckets: Record<string, BucketReport> = {};
    for (const lane of laneResults) {
      const ws = stats.rateWindows.filter((w) => w.bucket === lane.bucket && w.count > 0);
      const windows = spread(ws);
      const limit = OKTA_RATE_LIMITS[lane.bucket];
      const perWindow = Math.floor(share * limit);
      const requests = windows.reduce((a, b) => a + b, 0);
      const busy = windows.slice(0, -1);
      buckets[lane.bucket] = {
        requests,
        limit,
        perWindow,
        windows,
        budgetUse: busy.length ? round(busy.reduce((a, b) => a + b, 0) / (perWindow * busy.length)) : null,
        seconds: round(lane.seconds),
        minimumSeconds: round((requests / perWindow) * windowSeconds),
      };
    }
    const slowest = Object.entries(buckets).reduce((a, b) => (b[1].minimumSeconds > a[1].minimumSeconds ? b : a));
    const wallOverMinimum = round(wallSeconds / slowest[1].minimumSeconds);
    for (const [name, b] of Object.entries(buckets)) {
      say(
        `  ${name.padEnd(7)} ${b.requests} requests, ${b.perWindow}/window allowed (limit ${b.limit}); budget use ${b.budgetUse ?? 'n/a (one window)'}; ` +
          `read ${b.seconds} s, minimum ${b.minimumSeconds} s; per window ${b.windows.join(' ')}`,
      );
    }
    say(`  429s: ${stats.rateLimited}; wall ${round(wallSeconds)} s / slowest bucket (${slowest[0]}) minimum ${slowest[1].minimumSeconds} s = ${wallOverMinimum}; ${fetched} records`);
    say(JSON.stringify({ case: 'rate-limited', lanes: sequential ? 'sequential' : 'parallel', users, groups, apps, windowSeconds, share, records: fetched, rateLimited429: stats.rateLimited, wallSeconds: round(wallSeconds), slowestBucket: slowest[0], wallOverMinimum, buckets }));
  } finally {
    await store.close();
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One bucket's resources read one after another, batch by batch, as the sync workflow does. */
async function readLane(acts: SyncActivities, connector: string, runId: string, resources: Resource[]) {
  const started = Date.now();
  const counts: Counts = zeroCounts();
  let seq = 0;
  const incomplete: Resource[] = [];
  for (const resource of resources) {
    let cursor: string | null = null;
    do {
      const stageKey = `${runId}/${resource}/${seq++}`;
      const f = await acts.fetchBatch({ connector, runId, resource, cursor, stageKey, maxRecords: 5000, maxMillis: 4000 });
      counts.fetched += f.count;
      if (f.incomplete) incomplete.push(resource);
      const applied = await acts.applyBatch({ connector, runId, stageKey });
      counts.inserted += applied.inserted ?? 0;
      counts.updated += applied.updated ?? 0;
      counts.unchanged += applied.unchanged ?? 0;
      cursor = f.nextCursor;
    } while (cursor);
  }
  return { counts, incomplete, seconds: (Date.now() - started) / 1000 };
}

async function inOrder<T, R>(xs: T[], f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const x of xs) out.push(await f(x));
  return out;
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
