// The latency benchmark case: how long a change in Okta takes to reach the store.
//  - Event hooks: 200 profile changes made through the Okta emulator's admin API, delivered by its
//    event hooks to the webhook server (client/server.ts, as `tiger server` runs it), signalled to
//    live/<name> on a real Temporal dev server and worker, and applied to SQLite. Per change: the
//    time from the moment the change request was sent until the store shows the new value.
//  - Polled deltas: a second connector without hooks, on a real Temporal Schedule every
//    BENCH_LATENCY_POLL_INTERVAL (default 1m, the smallest interval the config accepts); changes
//    spread over one interval, each timed the same way. Goal: within one interval + 30 s.
// Usage: node --require tsx/cjs bench/latency.ts
//   (BENCH_LATENCY_HOOK_CHANGES default 200, BENCH_LATENCY_HOOK_GAP_MS default 50,
//    BENCH_LATENCY_POLL_INTERVAL default 1m, BENCH_LATENCY_POLL_CHANGES default 6 (0 = skip),
//    BENCH_LATENCY_TEMPORAL_PORT)
// Human lines first; the last stdout line is the JSON that bench/run.ts parses.
import { Client, Connection } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTigerServer, listen } from '../client/server';
import { startDevServer } from '../client/devserver';
import { upsertSchedule } from '../client/schedules';
import { parseConnectorText } from '../config/load';
import type { ConnectorDefinition } from '../config/types';
import { typeSchemas } from '../connectors/registry';
import { startOktaEmulator } from '../emulators/okta';
import { syncWorkflowId } from '../runtime/ids';
import { refOf, requestSync } from '../runtime/requests';
import { SqliteStore } from '../store/sqlite';
import { oktaAdmin } from '../test/support/okta-admin';
import { loadBundle } from '../worker/bundle';
import { startWorker } from '../worker/worker';
import { progressQuery } from '../workflows/definitions';
import type { RunSummary } from '../workflows/types';

const hookChanges = Number(process.env.BENCH_LATENCY_HOOK_CHANGES ?? 200);
const hookGapMs = Number(process.env.BENCH_LATENCY_HOOK_GAP_MS ?? 50);
const pollInterval = process.env.BENCH_LATENCY_POLL_INTERVAL ?? '1m';
const pollChanges = Number(process.env.BENCH_LATENCY_POLL_CHANGES ?? 6);
const temporalPort = Number(process.env.BENCH_LATENCY_TEMPORAL_PORT ?? 17236);
const HOOK_GOAL_P95_S = 2;
const POLL_SLACK_S = 30;
const TOKEN = 'bench-latency-token';
const HOOK_SECRET = 'bench-latency-hook-secret';
const HOOKED = 'bench-latency-hook';
const POLLED = 'bench-latency-poll';
const EVENT = 'user.account.update_profile';

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Change {
  userId: string;
  email: string;
  sentAt: number;
  seenAt?: number;
}

function connectorYaml(name: string, domain: string, extra: string): string {
  return `name: ${name}\ntype: okta\nconfig:\n  domain: ${domain}\n  apiToken: \${OKTA_API_TOKEN}\nsync:\n  resources: [users]\n${extra}`;
}

/** Waits until every change shows in the store (or the deadline passes), noting when each did. */
async function watch(store: SqliteStore, connector: string, changes: Change[], deadline: number): Promise<void> {
  for (;;) {
    const open = changes.filter((c) => c.seenAt === undefined && c.sentAt > 0);
    if (open.length === 0 && changes.every((c) => c.sentAt > 0)) return;
    if (Date.now() > deadline) return;
    if (open.length) {
      const now = Date.now();
      const byId = new Map((await store.getObjects(connector, 'user', [...new Set(open.map((c) => c.userId))], { includeDeleted: false })).map((o) => [o.id, o.attributes.email]));
      for (const c of open) if (byId.get(c.userId) === c.email) c.seenAt = now;
    }
    await sleep(20);
  }
}

function stats(changes: Change[]) {
  const s = changes.filter((c) => c.seenAt !== undefined).map((c) => (c.seenAt! - c.sentAt) / 1000).sort((a, b) => a - b);
  const at = (q: number) => (s.length ? Math.round(s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] * 1000) / 1000 : null);
  return { changes: changes.length, seen: s.length, p50Seconds: at(0.5), p95Seconds: at(0.95), maxSeconds: at(1) };
}

async function fullSync(client: Client, def: ConnectorDefinition): Promise<void> {
  const req = await requestSync(client, refOf(def), 'full', 'cli');
  const handle = client.workflow.getHandle(syncWorkflowId(def.name));
  for (;;) {
    await sleep(100);
    const summary = (await handle.query(progressQuery).catch(() => null))?.recent.find((r: RunSummary) => r.requestIds.includes(req.requestId));
    if (!summary) continue;
    if (summary.status !== 'succeeded') throw new Error(`full sync of ${def.name} ${summary.status}: ${summary.error}`);
    return;
  }
}

async function main(): Promise<void> {
  const okta = await startOktaEmulator({ users: Math.max(500, hookChanges + pollChanges + 100), groups: 10, apps: 0, seed: 3, apiToken: TOKEN });
  process.env.OKTA_API_TOKEN = TOKEN;
  process.env.BENCH_HOOK_SECRET = HOOK_SECRET;
  const admin = oktaAdmin(okta.url, TOKEN);
  const dir = mkdtempSync(join(tmpdir(), 'tiger-bench-latency-'));
  const store = new SqliteStore(join(dir, 'tiger.db'));
  await store.migrate();
  Runtime.install({ logger: undefined, shutdownSignals: [] });
  const server = await startDevServer({ dbFile: join(dir, 'temporal.db'), port: temporalPort, uiPort: 0, headless: true });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const worker = await startWorker({ target: { address: server.address, namespace: 'default' }, store, client: async () => client, workflowBundle: await loadBundle() });
  const web = createTigerServer({ store, client: async () => client });
  const webPort = await listen(web, 0);
  try {
    const schemas = typeSchemas();
    // Webhook mode: no schedule is made for it here, so only hooks move its store.
    const hooked = parseConnectorText(
      connectorYaml(HOOKED, okta.url, `  mode: webhook\nwebhooks:\n  enabled: true\n  secret: \${BENCH_HOOK_SECRET}\n  events: [${EVENT}]\n`),
      `${HOOKED}.yaml`,
      schemas,
    );
    const polled = parseConnectorText(connectorYaml(POLLED, okta.url, `  mode: polling\n  interval: ${pollInterval}\n`), `${POLLED}.yaml`, schemas);
    for (const def of [hooked, polled]) {
      await store.saveConnector({ name: def.name, type: def.type, enabled: true, definition: def });
      await fullSync(client, def);
    }
    const hook = await admin.registerHook(`http://127.0.0.1:${webPort}/webhooks/okta/${HOOKED}`, HOOK_SECRET, [EVENT]);
    if (hook.verificationStatus !== 'VERIFIED') throw new Error(`the Okta emulator could not verify the hook: ${JSON.stringify(hook)}`);

    // Changed through the admin API like any admin would; which users is all the state is asked.
    const users = okta.state.users.filter((u) => !u.deleted && u.status === 'ACTIVE').slice(0, hookChanges + pollChanges);
    if (users.length < hookChanges + pollChanges) throw new Error(`only ${users.length} active users in the emulated org`);
    const change = async (c: Change) => {
      c.sentAt = Date.now();
      // Okta's partial update (POST): only the email changes.
      await admin.updateProfile(c.userId, { email: c.email });
    };

    // Event hooks: the changes go out at a steady pace while the store is watched.
    const hookSet: Change[] = users.slice(0, hookChanges).map((u, i) => ({ userId: u.id, email: `hook-${i}@bench.example.org`, sentAt: 0 }));
    const watching = watch(store, HOOKED, hookSet, Date.now() + hookChanges * hookGapMs + 120_000);
    for (let i = 0; i < hookChanges; i++) {
      await change(hookSet[i]);
      await sleep(hookGapMs);
    }
    await watching;
    const hooks = { ...stats(hookSet), gapMs: hookGapMs, goalP95Seconds: HOOK_GOAL_P95_S };
    say(`latency bench: Okta emulator → event hooks → tiger server → live workflow → SQLite`);
    say(`  event hooks: ${hooks.seen}/${hooks.changes} changes (one every ${hookGapMs} ms) in the store: p50 ${hooks.p50Seconds} s, p95 ${hooks.p95Seconds} s, max ${hooks.maxSeconds} s (goal p95 ≤ ${HOOK_GOAL_P95_S} s: ${hooks.seen === hooks.changes && hooks.p95Seconds !== null && hooks.p95Seconds <= HOOK_GOAL_P95_S ? 'met' : 'NOT met'})`);

    let polling = null;
    if (pollChanges > 0) {
      // The real schedule, as `tiger connector apply` makes it; the changes are spread over one
      // interval so they land at every phase of it.
      await upsertSchedule(client, polled);
      const intervalS = polled.sync.intervalMs / 1000;
      const pollSet: Change[] = users.slice(hookChanges).map((u, i) => ({ userId: u.id, email: `poll-${i}@bench.example.org`, sentAt: 0 }));
      const watchingPoll = watch(store, POLLED, pollSet, Date.now() + 2 * polled.sync.intervalMs + 2 * POLL_SLACK_S * 1000);
      for (let i = 0; i < pollSet.length; i++) {
        await change(pollSet[i]);
        await sleep(polled.sync.intervalMs / pollSet.length);
      }
      await watchingPoll;
      await client.schedule.getHandle(`schedule/${POLLED}`).delete();
      // What the schedule ran while the changes were watched (a delta, unless sync.fullInterval said full).
      const runs = (await store.listRuns(POLLED, 50)).filter((r) => r.trigger !== 'cli').map((r) => `${r.mode}/${r.trigger}/${r.status}`);
      polling = { interval: pollInterval, goalSeconds: intervalS + POLL_SLACK_S, ...stats(pollSet), scheduledRuns: runs };
      const met = polling.seen === polling.changes && polling.maxSeconds !== null && polling.maxSeconds <= polling.goalSeconds;
      say(`  polled deltas (Temporal Schedule every ${pollInterval}): ${polling.seen}/${polling.changes} changes in the store: p50 ${polling.p50Seconds} s, max ${polling.maxSeconds} s (goal ≤ ${polling.goalSeconds} s: ${met ? 'met' : 'NOT met'}); scheduled runs: ${runs.join(', ')}`);
    }
    say(JSON.stringify({ case: 'latency', hooks, polling }));
  } finally {
    web.close();
    await worker.shutdown();
    await connection.close();
    await server.stop();
    await store.close();
    await okta.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
