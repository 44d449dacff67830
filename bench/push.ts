// The push benchmark case: an Okta-sourced store (the Okta emulator synced into SQLite once) pushed
// into a fresh SCIM server (scimmy over SQLite) twice — once by the push activities called in a
// plain loop, once as push/<target> through a real Temporal dev server and worker — each in its
// own process, so the peak RSS reported is that process's (the worker's) alone. The SCIM server
// runs here, in the parent, and its own store is checked after each case: every user and group the
// plan creates is there, with every membership.
// Usage: node --require tsx/cjs bench/push.ts
//   (BENCH_PUSH_USERS default 24,000 so that ≥ 20,000 are active and pushed; BENCH_PUSH_GROUPS,
//    BENCH_PUSH_MEMBERS_PER_GROUP, BENCH_PUSH_TEMPORAL_PORT, BENCH_PUSH_MIN_USERS)
// Human lines first; the last stdout line is the JSON that bench/run.ts parses.
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectorCache } from '../activities/connector-cache';
import { createPushActivities, pushWorkflowId, requestPush, type PushActivities } from '../activities/push';
import { createSyncActivities } from '../activities/sync';
import { parseConnectorText } from '../config/load';
import { typeSchemas } from '../connectors/registry';
import { startOktaEmulator } from '../emulators/okta';
import { DEFAULT_TOKEN, startScimServer } from '../emulators/scim';
import { SqliteStore } from '../store/sqlite';
import { zeroPushApplyCounts, zeroPushPlanCounts, type PushApplyCounts, type PushPlanCounts, type PushSummary } from '../workflows/push-types';
import { runPlainSync } from './plain-loop';
import { peakRss, runChildCase, withPipeline } from './pipeline-run';

const users = Number(process.env.BENCH_PUSH_USERS ?? 24_000);
const groups = Number(process.env.BENCH_PUSH_GROUPS ?? 200);
const perGroup = Number(process.env.BENCH_PUSH_MEMBERS_PER_GROUP ?? 50);
// The floor; lowered only to try the case small.
const MIN_PUSHED_USERS = Number(process.env.BENCH_PUSH_MIN_USERS ?? 20_000);
const SOURCE = 'bench-push-okta';
const TARGET = 'bench-push-scim';
const TOKEN_ENV = 'BENCH_SCIM_TOKEN';
// The workflow's own defaults, so both paths plan and apply the same pages.
const BATCH = 200;

const say = (line: string) => process.stdout.write(`${line}\n`);

interface CaseResult {
  case: 'plain' | 'pipeline';
  seconds: number;
  plan: PushPlanCounts;
  applied: PushApplyCounts;
  peakRssMB: number;
}

const sourceYaml = (domain: string) =>
  `name: ${SOURCE}\ntype: okta\nconfig:\n  domain: ${domain}\n  apiToken: \${OKTA_API_TOKEN}\nsync:\n  resources: [users, groups]\nfilters:\n  groups: ['type eq "OKTA_GROUP"']\n`;
const targetJson = (baseUrl: string) =>
  JSON.stringify({ name: TARGET, type: 'scim', config: { baseUrl, auth: { type: 'bearer', token: `\${${TOKEN_ENV}}` } }, provisioning: { from: SOURCE } });

/** The Okta emulator synced into a SQLite file by the sync activities: the store every case copies. */
async function fillSourceStore(dir: string): Promise<{ file: string; seconds: number; records: number }> {
  const token = 'bench-push-token';
  const okta = await startOktaEmulator({ users, groups, apps: 0, membershipsPerGroup: perGroup, seed: 1, apiToken: token });
  process.env.OKTA_API_TOKEN = token;
  const file = join(dir, 'source.db');
  const store = new SqliteStore(file);
  const connectors = new ConnectorCache(store);
  try {
    await store.migrate();
    const def = parseConnectorText(sourceYaml(okta.url), 'bench-push-okta.yaml', typeSchemas());
    await store.saveConnector({ name: def.name, type: def.type, enabled: true, definition: def });
    const t0 = Date.now();
    const counts = await runPlainSync(createSyncActivities({ store, connectors }), SOURCE, 'full', randomUUID());
    return { file, seconds: (Date.now() - t0) / 1000, records: counts.fetched };
  } finally {
    await connectors.closeAll();
    await store.close();
    await okta.close();
  }
}

/** The push activities in a loop, in the workflow's order: plan every page, ask the guard, apply. */
async function runPlainPush(acts: PushActivities, runId: string): Promise<{ plan: PushPlanCounts; applied: PushApplyCounts }> {
  const args = { source: SOURCE, target: TARGET, runId };
  const begun = await acts.beginPush({ ...args, dryRun: false });
  const plan = zeroPushPlanCounts();
  const removals = { user: 0, group: 0, membership: 0 };
  let seq = 0;
  for (const kind of begun.kinds) {
    let afterId: string | null = null;
    do {
      const r = await acts.planPushBatch({ ...args, kind, afterId, limit: BATCH, seq: seq++ });
      for (const k of Object.keys(plan) as (keyof PushPlanCounts)[]) plan[k] += r.counts[k] ?? 0;
      removals[kind] += r.counts.disables + r.counts.deletes;
      removals.membership += r.counts.memberRemoves;
      afterId = r.nextAfterId;
    } while (afterId);
  }
  const guard = await acts.checkPushGuard({ ...args, removals, threshold: begun.threshold, limit: begun.limit });
  const applied = zeroPushApplyCounts();
  for (let i = 0; i < seq; i++) {
    const c = await acts.applyPushBatch({ ...args, seq: i, allowRemovals: !guard.held });
    for (const k of Object.keys(applied) as (keyof PushApplyCounts)[]) applied[k] += c[k] ?? 0;
  }
  await acts.endPush({ ...args, dryRun: false, plan, applied, error: null });
  return { plan, applied };
}

/** One case, in a child process: the store copy gets the target, then the push runs. */
async function child(kind: 'plain' | 'pipeline', dbFile: string, baseUrl: string): Promise<CaseResult> {
  const store = new SqliteStore(dbFile);
  await store.migrate();
  const def = parseConnectorText(targetJson(baseUrl), 'bench-push-scim.json', typeSchemas());
  await store.saveConnector({ name: def.name, type: def.type, enabled: true, definition: def });
  const dir = mkdtempSync(join(tmpdir(), `tiger-bench-push-${kind}-`));
  try {
    if (kind === 'plain') {
      const connectors = new ConnectorCache(store);
      const t0 = Date.now();
      const r = await runPlainPush(createPushActivities({ store, connectors }), randomUUID());
      const seconds = (Date.now() - t0) / 1000;
      await connectors.closeAll();
      return { case: kind, seconds, ...r, peakRssMB: peakRss() };
    }
    return await withPipeline({ dir, port: Number(process.env.BENCH_PUSH_TEMPORAL_PORT ?? 17235), store }, async (client) => {
      const t0 = Date.now();
      await requestPush(client, { source: SOURCE, target: TARGET, targetType: 'scim' }, { trigger: 'cli' });
      // result() follows continue-as-new to the run that returns the summary.
      const summary = (await client.workflow.getHandle(pushWorkflowId(TARGET)).result()) as PushSummary;
      const seconds = (Date.now() - t0) / 1000;
      if (summary.status !== 'succeeded') throw new Error(`pipeline push ${summary.status}: ${summary.error}`);
      return { case: kind, seconds, plan: summary.plan, applied: summary.applied, peakRssMB: peakRss() };
    });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const runChild = (kind: string, dbFile: string, baseUrl: string) =>
  runChildCase<CaseResult>(__filename, [kind, dbFile, baseUrl], { ...process.env, [TOKEN_ENV]: DEFAULT_TOKEN }, `push ${kind}`);

/** A fresh SCIM server per case; what it holds afterwards must be exactly what the push applied. */
async function runCase(kind: 'plain' | 'pipeline', sourceDb: string, dir: string) {
  const scim = await startScimServer();
  try {
    const db = join(dir, `${kind}.db`);
    copyFileSync(sourceDb, db);
    const r = await runChild(kind, db, scim.baseUrl);
    const held = scim.counts();
    const objects = held.users + held.groups;
    const a = r.applied;
    if (a.quarantined || objects !== a.created + a.adopted || held.memberships !== a.membersAdded || a.created !== r.plan.creates) {
      throw new Error(`push ${kind}: the SCIM server holds ${JSON.stringify(held)} but the push planned ${JSON.stringify(r.plan)} and applied ${JSON.stringify(a)}`);
    }
    if (held.users < MIN_PUSHED_USERS) throw new Error(`push ${kind}: only ${held.users} users pushed; raise BENCH_PUSH_USERS for ≥ ${MIN_PUSHED_USERS}`);
    // Memberships are written by one PATCH per group, not one request per object: counted apart.
    const perSec = Math.round(objects / r.seconds);
    say(`  ${kind === 'plain' ? 'plain loop:       ' : 'temporal pipeline:'} ${held.users} users + ${held.groups} groups (${held.memberships} memberships) in ${r.seconds.toFixed(1)} s = ${perSec} objects/s, peak RSS ${r.peakRssMB} MB`);
    return { seconds: r.seconds, users: held.users, groups: held.groups, memberships: held.memberships, objectsPerSec: perSec, peakRssMB: r.peakRssMB };
  } finally {
    await scim.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tiger-bench-push-'));
  try {
    const fill = await fillSourceStore(dir);
    say(`push bench: Okta emulator (${users} users, ${groups} groups, ~${groups * perGroup} memberships) synced into the store: ${fill.records} records in ${fill.seconds.toFixed(1)} s; pushed to the SCIM server (scimmy)`);
    const plain = await runCase('plain', fill.file, dir);
    const pipeline = await runCase('pipeline', fill.file, dir);
    const ratio = Math.round((pipeline.objectsPerSec / plain.objectsPerSec) * 100) / 100;
    say(`  ratio pipeline/plain: ${ratio.toFixed(2)}`);
    say(JSON.stringify({ case: 'push', sourceUsers: users, groups, membershipsPerGroup: perGroup, plain, pipeline, ratio }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [kind, dbFile, baseUrl] = process.argv.slice(2);
const work: Promise<unknown> = kind === 'plain' || kind === 'pipeline' ? child(kind, dbFile, baseUrl).then((r) => say(JSON.stringify(r))) : main();
work.then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
