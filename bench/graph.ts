// The Graph benchmark case: a seeded tenant of ≥ 50,000 users and ≥ 5,000 groups in the Graph
// emulator, read by the entra-id connector (OAuth client credentials, @odata.nextLink paging, one
// /groups/{id}/members list per group) into a fresh SQLite store — once by the sync activities
// called in a plain loop (bench/plain-loop.ts), once as sync/<name> through a real Temporal dev
// server and worker — each in its own process, so the peak RSS reported is that process's alone.
// The emulator runs here, in the parent, and after each path the store must equal its tenant:
// the same users, groups, apps, memberships and app users, attribute for attribute.
// Usage: node --require tsx/cjs bench/graph.ts
//   (BENCH_GRAPH_USERS, BENCH_GRAPH_GROUPS, BENCH_GRAPH_MEMBERS_PER_GROUP, BENCH_GRAPH_TEMPORAL_PORT,
//    BENCH_GRAPH_MIN_USERS, BENCH_GRAPH_MIN_GROUPS)
// Human lines first; the last stdout line is the JSON that bench/run.ts parses.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ConnectorCache } from '../activities/connector-cache';
import { createSyncActivities } from '../activities/sync';
import { parseConnectorText } from '../config/load';
import { typeSchemas } from '../connectors/registry';
import { startGraphEmulator } from '../emulators/graph';
import { SqliteStore } from '../store/sqlite';
import { expectedFromSnapshot, fromExport, type Comparable } from '../test/support/entra-expect';
import type { Counts } from '../workflows/types';
import { peakRss, runChildCase, runFullSync, withPipeline } from './pipeline-run';
import { runPlainSync } from './plain-loop';

const users = Number(process.env.BENCH_GRAPH_USERS ?? 50_000);
const groups = Number(process.env.BENCH_GRAPH_GROUPS ?? 5_000);
const perGroup = Number(process.env.BENCH_GRAPH_MEMBERS_PER_GROUP ?? 20);
const apps = 10;
const NAME = 'bench-graph';
const SECRET_ENV = 'BENCH_GRAPH_SECRET';
// The floor; the case refuses to report figures for a smaller tenant. Lowered only to try it small.
const MIN_USERS = Number(process.env.BENCH_GRAPH_MIN_USERS ?? 50_000);
const MIN_GROUPS = Number(process.env.BENCH_GRAPH_MIN_GROUPS ?? 5_000);

const say = (line: string) => process.stdout.write(`${line}\n`);

interface Endpoint {
  url: string;
  tenantId: string;
  clientId: string;
}

interface ChildResult {
  case: 'plain' | 'pipeline';
  seconds: number;
  counts: Counts;
  peakRssMB: number;
}

// The secret reaches the activities as a reference, as in a real connector file.
const connectorYaml = (e: Endpoint) =>
  [
    `name: ${NAME}`,
    'type: entra-id',
    'config:',
    `  tenantId: ${e.tenantId}`,
    `  clientId: ${e.clientId}`,
    `  clientSecret: \${${SECRET_ENV}}`,
    `  authority: ${e.url}`,
    `  graphUrl: ${e.url}`,
    '',
  ].join('\n');

/** One path, in a child process: a full sync of the tenant into the store file the parent named. */
async function child(kind: 'plain' | 'pipeline', dbFile: string, e: Endpoint): Promise<ChildResult> {
  const store = new SqliteStore(dbFile);
  const dir = mkdtempSync(join(tmpdir(), `tiger-bench-graph-${kind}-`));
  try {
    await store.migrate();
    const def = parseConnectorText(connectorYaml(e), `${NAME}.yaml`, typeSchemas());
    await store.saveConnector({ name: def.name, type: def.type, enabled: true, definition: def });
    if (kind === 'plain') {
      const connectors = new ConnectorCache(store);
      const t0 = Date.now();
      const counts = await runPlainSync(createSyncActivities({ store, connectors }), NAME, 'full', randomUUID());
      const seconds = (Date.now() - t0) / 1000;
      await connectors.closeAll();
      return { case: kind, seconds, counts, peakRssMB: peakRss() };
    }
    return await withPipeline({ dir, port: Number(process.env.BENCH_GRAPH_TEMPORAL_PORT ?? 17237), store }, async (client) => {
      const { summary, ms } = await runFullSync(client, def, 200);
      return { case: kind, seconds: ms / 1000, counts: summary.counts, peakRssMB: peakRss() };
    });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const runChild = (kind: string, dbFile: string, e: Endpoint, secret: string) =>
  runChildCase<ChildResult>(__filename, [kind, dbFile, JSON.stringify(e)], { ...process.env, [SECRET_ENV]: secret }, `graph ${kind}`);

/** Names what differs between the store and the tenant, class by class (counts and the first ids). */
function differences(got: Comparable, want: Comparable): string[] {
  const out: string[] = [];
  for (const cls of ['users', 'groups', 'apps'] as const) {
    const g = got[cls];
    const w = want[cls];
    const missing = Object.keys(w).filter((id) => !(id in g));
    const extra = Object.keys(g).filter((id) => !(id in w));
    const changed = Object.keys(w).filter((id) => id in g && !isDeepStrictEqual(g[id], w[id]));
    if (missing.length || extra.length || changed.length) {
      out.push(`${cls}: store ${Object.keys(g).length}, tenant ${Object.keys(w).length}; missing ${missing.slice(0, 3).join(' ')}…(${missing.length}), extra (${extra.length}), different (${changed.length}) e.g. ${changed[0] ?? '-'}`);
    }
  }
  for (const cls of ['memberships', 'appUsers'] as const) {
    if (isDeepStrictEqual(got[cls], want[cls])) continue;
    const w = new Set(want[cls]);
    const g = new Set(got[cls]);
    const missing = want[cls].filter((k) => !g.has(k));
    const extra = got[cls].filter((k) => !w.has(k));
    out.push(`${cls}: store ${got[cls].length}, tenant ${want[cls].length}; missing ${missing.length} e.g. ${missing[0] ?? '-'}, extra ${extra.length} e.g. ${extra[0] ?? '-'}`);
  }
  return out;
}

async function runCase(kind: 'plain' | 'pipeline', dir: string, e: Endpoint, secret: string, want: Comparable) {
  const db = join(dir, `${kind}.db`);
  const r = await runChild(kind, db, e, secret);
  const store = new SqliteStore(db);
  let got: Comparable;
  try {
    got = fromExport(await store.exportData(NAME, { includeDeleted: false }));
  } finally {
    await store.close();
  }
  const diff = differences(got, want);
  if (diff.length) throw new Error(`graph ${kind}: the store does not equal the emulator's tenant:\n  ${diff.join('\n  ')}`);
  const held = { users: Object.keys(got.users).length, groups: Object.keys(got.groups).length, apps: Object.keys(got.apps).length, memberships: got.memberships.length, appUsers: got.appUsers.length };
  const perSec = Math.round(r.counts.fetched / r.seconds);
  say(
    `  ${kind === 'plain' ? 'plain loop:       ' : 'temporal pipeline:'} ${r.counts.fetched} records in ${r.seconds.toFixed(1)} s = ${perSec}/s, peak RSS ${r.peakRssMB} MB; ` +
      `store = tenant (${held.users} users, ${held.groups} groups, ${held.memberships} memberships, ${held.apps} apps, ${held.appUsers} app users)`,
  );
  return { seconds: r.seconds, records: r.counts.fetched, inserted: r.counts.inserted, recordsPerSec: perSec, peakRssMB: r.peakRssMB, store: held };
}

async function main(): Promise<void> {
  if (users < MIN_USERS || groups < MIN_GROUPS) throw new Error(`BENCH_GRAPH_USERS/BENCH_GRAPH_GROUPS must be at least ${MIN_USERS}/${MIN_GROUPS} (got ${users}/${groups})`);
  const t0 = Date.now();
  const emu = await startGraphEmulator({ users, groups, apps, membersPerGroup: perGroup, seed: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'tiger-bench-graph-'));
  try {
    const want = expectedFromSnapshot(emu.admin.snapshot());
    say(
      `graph bench: Graph emulator (${Object.keys(want.users).length} users, ${Object.keys(want.groups).length} groups, ${want.memberships.length} memberships, ` +
        `${Object.keys(want.apps).length} apps, ${want.appUsers.length} app users; generated in ${((Date.now() - t0) / 1000).toFixed(1)} s) → entra-id → SQLite`,
    );
    const e: Endpoint = { url: emu.url, tenantId: emu.tenantId, clientId: emu.clientId };
    const plain = await runCase('plain', dir, e, emu.clientSecret, want);
    const pipeline = await runCase('pipeline', dir, e, emu.clientSecret, want);
    const ratio = Math.round((pipeline.recordsPerSec / plain.recordsPerSec) * 100) / 100;
    say(`  ratio pipeline/plain: ${ratio.toFixed(2)} (Graph requests served: ${emu.admin.stats().requests})`);
    say(JSON.stringify({ case: 'graph', users, groups, membershipsPerGroup: perGroup, apps, plain, pipeline, ratio }));
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const [kind, dbFile, endpoint] = process.argv.slice(2);
const work: Promise<unknown> = kind === 'plain' || kind === 'pipeline' ? child(kind, dbFile!, JSON.parse(endpoint!) as Endpoint).then((r) => say(JSON.stringify(r))) : main();
work.then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
