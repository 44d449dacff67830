// `npm run record-histories`: runs the workflows against a real Temporal dev server, the Okta
// emulator and a SQLite store, and saves their event histories as replay fixtures in
// test/replay/fixtures/. test/replay/replay.test.ts replays them against today's workflow code,
// so a change that would break running workflows (nondeterminism) fails CI. Re-record only on
// purpose, after such a change is guarded by patched(); the old fixtures are what proves it.
//
// Scenarios: a full run, a delta run, a run that continued-as-new (forced early), a run held by
// the deletion guard then approved and one rejected, the live workflow with a failed try, and
// the schedule trigger. Fixtures must hold no record data: checked before anything is written.
// `-- --as sync-full:sync-lanes-full` records one scenario under a new name and keeps the rest.
import { Client, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideDeletions } from '../client/approve';
import { temporalBinary } from '../client/devserver';
import { liveWorkflowId, syncWorkflowId } from '../runtime/ids';
import { refOf, requestSync, sendLiveEvents, type ConnectorRef } from '../runtime/requests';
import { parseConnectorText } from '../config/load';
import { typeSchemas } from '../connectors/registry';
import { startOktaEmulator } from '../emulators/okta';
import { SqliteStore } from '../store/sqlite';
import { startWorker } from '../worker/worker';
import { loadBundle } from '../worker/bundle';
import { liveStateQuery, liveWorkflow, progressQuery, scheduledSyncWorkflow, syncWorkflow } from '../workflows/definitions';
import { oktaAdmin } from '../test/support/okta-admin';
import { connectorYaml as testConnectorYaml, snapshot } from '../test/support/okta-expect';
import { startLocalTemporal } from '../test/support/local-temporal';
import { EMAIL, readableHistory } from '../test/replay/payload-text';
import type { LiveOptions, RunSummary, SyncMode, SyncOptions } from '../workflows/types';

let serverAddress = '';
const FIXTURES = join(__dirname, '..', 'test', 'replay', 'fixtures');
const SYNC_OPTIONS: SyncOptions = { batchRecords: 40, idleMillis: 1000 };
const LIVE_OPTIONS: LiveOptions = { idleMillis: 1000, retryBackoffMillis: 200, maxBackoffMillis: 400 };

/** The tests' connector file, with retries off so a failure is recorded as it happens. */
const connectorYaml = (name: string, extra = '') => testConnectorYaml(name, `retryPolicy:\n  maxAttempts: 1\n${extra}`);

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const dir = mkdtempSync(join(tmpdir(), 'tiger-record-'));
  process.env.TIGER_HOME = join(dir, '.tiger');
  process.env.TIGER_TASK_QUEUE = 'record-histories';
  mkdirSync(process.env.TIGER_HOME, { recursive: true });
  const env = await startLocalTemporal(join(dir, 'temporal.db'));
  serverAddress = env.address;
  const client: Client = env.client;
  const store = new SqliteStore(join(process.env.TIGER_HOME, 'tiger.db'));
  await store.migrate();
  const emulator = await startOktaEmulator({ port: 0, users: 60, groups: 6, apps: 2, seed: 3 });
  process.env.OKTA_DOMAIN = emulator.url;
  process.env.OKTA_API_TOKEN = 'emulator-token';
  const worker = await startWorker({
    target: { address: env.address, namespace: 'default' },
    store,
    client: async () => client,
    workflowBundle: await loadBundle(),
    // Plain payloads whatever codec keys this machine has: fixtures are read (and checked) as is.
    dataConverter: {},
  });
  const histories: Record<string, unknown> = {};
  try {
    const add = async (yaml: string): Promise<ConnectorRef> => {
      const def = parseConnectorText(yaml, 'record.yaml', typeSchemas());
      await store.saveConnector({ name: def.name, type: def.type, enabled: def.enabled, definition: def });
      return refOf(def);
    };
    const admin = oktaAdmin(emulator.url);
    const activeUsers = async () => (await snapshot(emulator.url)).users.filter((u) => u.status === 'ACTIVE');

    // A full run, then (in a new execution, the first having closed when idle) a delta run.
    const plain = await add(connectorYaml('rec-plain'));
    const full = await syncAndClose(client, plain, 'full', SYNC_OPTIONS);
    histories['sync-full'] = await history(client, syncWorkflowId(plain.name), full);
    for (const u of (await activeUsers()).slice(0, 3)) await admin.updateProfile(u.id, { ...u.profile, title: 'changed' });
    const delta = await syncAndClose(client, plain, 'delta', SYNC_OPTIONS);
    histories['sync-delta'] = await history(client, syncWorkflowId(plain.name), delta);

    // Continue-as-new after every page: the run is carried through several executions.
    const chained = await add(connectorYaml('rec-chained'));
    const firstRun = await syncAndClose(client, chained, 'full', { ...SYNC_OPTIONS, continueAsNewAfterPages: 1 });
    const chain = await executionChain(client, syncWorkflowId(chained.name), firstRun);
    if (chain.length < 2) throw new Error('the continue-as-new run did not continue as new');
    histories['sync-continued-as-new-first'] = chain[0];
    histories['sync-continued-as-new-second'] = chain[1];
    histories['sync-continued-as-new-last'] = chain[chain.length - 1];

    // The deletion guard holds a full run; one hold approved, the next rejected, in one execution.
    const guarded = await add(connectorYaml('rec-held', 'deletionThreshold: 0.01\ndeletionLimit: 2\n'));
    await syncAndClose(client, guarded, 'full', SYNC_OPTIONS);
    const heldOptions = { ...SYNC_OPTIONS, idleMillis: 60_000 };
    const dropUsers = async (n: number) => {
      for (const u of (await activeUsers()).slice(0, n)) await admin.deleteUser(u.id);
    };
    await dropUsers(3);
    const approvedReq = await requestSync(client, guarded, 'full', 'cli', heldOptions);
    await waitHeld(client, guarded.name, approvedReq.requestId);
    await decideDeletions(client, guarded.name, { approved: true });
    await waitRequest(client, guarded.name, approvedReq.requestId);
    await dropUsers(3);
    const rejectedReq = await requestSync(client, guarded, 'full', 'cli', heldOptions);
    await waitHeld(client, guarded.name, rejectedReq.requestId);
    await decideDeletions(client, guarded.name, { approved: false });
    await waitRequest(client, guarded.name, rejectedReq.requestId);
    await client.workflow.getHandle(syncWorkflowId(guarded.name)).terminate('recorded');
    histories['sync-held'] = await history(client, syncWorkflowId(guarded.name), approvedReq.runId);

    // live/<name>: one batch fails a try (every read answered 5xx) and is applied on the next.
    const [user] = await activeUsers();
    emulator.setKnobs({ faultRate: 1, faultKinds: ['5xx'] });
    await sendLiveEvents(client, plain, [{ eventId: 'rec-event-1', eventType: 'user.account.update_profile', targets: [{ resource: 'users', id: user.id }] }], LIVE_OPTIONS);
    const live = client.workflow.getHandle<typeof liveWorkflow>(liveWorkflowId(plain.name));
    await until('a failed live try', async () => ((await live.query(liveStateQuery)).batch?.failedTries ?? 0) >= 1);
    emulator.setKnobs({ faultRate: 0 });
    await live.result();
    histories['live'] = await history(client, liveWorkflowId(plain.name), (await live.describe()).runId);

    // The schedule trigger: asks sync/<name> for the run that is due.
    const trigger = await client.workflow.start(scheduledSyncWorkflow, {
      workflowId: `schedule-trigger/${plain.name}`,
      taskQueue: process.env.TIGER_TASK_QUEUE,
      args: [{ connector: plain.name }],
    });
    await trigger.result();
    histories['schedule-trigger'] = await history(client, trigger.workflowId, trigger.firstExecutionRunId);
    await client.workflow.getHandle<typeof syncWorkflow>(syncWorkflowId(plain.name)).result();

    const records = emulator.state.users.flatMap((u) => [u.profile.email, u.profile.login].filter((v): v is string => typeof v === 'string'));
    mkdirSync(FIXTURES, { recursive: true });
    // `--as scenario:fixture` adds a scenario recorded by today's code under a new name and keeps
    // every other fixture: how a patched() change gets fixtures of both its paths.
    const renames = asArgs(process.argv.slice(2));
    if (renames.size === 0) for (const f of readdirSync(FIXTURES)) if (f.endsWith('.json')) unlinkSync(join(FIXTURES, f));
    const written = renames.size === 0 ? Object.entries(histories) : [...renames].map(([from, to]) => {
      if (!(from in histories)) throw new Error(`no scenario ${from} (scenarios: ${Object.keys(histories).join(', ')})`);
      return [to, histories[from]] as const;
    });
    for (const [name, h] of written) {
      const text = JSON.stringify(h, null, 1);
      const readable = readableHistory(h);
      if (records.some((r) => readable.includes(r)) || EMAIL.test(readable)) throw new Error(`fixture ${name} holds record data; fix the workflow, not the check`);
      writeFileSync(join(FIXTURES, `${name}.json`), `${text}\n`);
      process.stdout.write(`recorded ${name}\n`);
    }
  } finally {
    await worker.shutdown();
    await emulator.close();
    await store.close();
    await env.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One request, then waits for the workflow to close (idle); returns the run that got the request. */
async function syncAndClose(client: Client, ref: ConnectorRef, mode: SyncMode, options: SyncOptions): Promise<string> {
  const req = await requestSync(client, ref, mode, 'cli', options);
  const summary = await waitRequest(client, ref.name, req.requestId);
  if (summary.status !== 'succeeded') throw new Error(`${mode} run of ${ref.name} ${summary.status}: ${summary.error ?? ''}`);
  await client.workflow.getHandle<typeof syncWorkflow>(syncWorkflowId(ref.name)).result();
  return req.runId;
}

async function waitRequest(client: Client, connector: string, requestId: string): Promise<RunSummary> {
  const handle = client.workflow.getHandle<typeof syncWorkflow>(syncWorkflowId(connector));
  return until(`request ${requestId}`, async () => {
    const p = await handle.query(progressQuery).catch(() => null);
    if (p) return p.recent.find((r) => r.requestIds.includes(requestId));
    const closed = await handle.result().catch(() => [] as RunSummary[]);
    return closed.find((r) => r.requestIds.includes(requestId));
  });
}

async function waitHeld(client: Client, connector: string, requestId: string): Promise<void> {
  const handle = client.workflow.getHandle<typeof syncWorkflow>(syncWorkflowId(connector));
  await until(`a held run of ${connector}`, async () => {
    const p = await handle.query(progressQuery);
    const ended = p.recent.find((r) => r.requestIds.includes(requestId));
    if (ended) throw new Error(`the run meant to be held ended ${ended.status}: ${ended.error ?? JSON.stringify(ended.counts)}`);
    return p.state === 'held';
  });
}

/** The history as `temporal workflow show --output json` writes it: the JSON replay reads. */
async function history(_client: Client, workflowId: string, runId: string): Promise<unknown> {
  const out = execFileSync(
    temporalBinary(),
    ['workflow', 'show', '--workflow-id', workflowId, '--run-id', runId, '--output', 'json', '--address', serverAddress, '--namespace', 'default'],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  return JSON.parse(out);
}

/** Every execution from `runId` on, following continue-as-new. */
async function executionChain(client: Client, workflowId: string, runId: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let id: string | undefined = runId; id; ) {
    const h: WorkflowHandle = client.workflow.getHandle(workflowId, id);
    const events = (await h.fetchHistory()).events ?? [];
    out.push(await history(client, workflowId, id));
    id = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return out;
}

/** `--as from:to` pairs from the command line. */
function asArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== '--as') throw new Error(`unknown argument ${argv[i]} (expected --as scenario:fixture)`);
    const [from, to] = (argv[++i] ?? '').split(':');
    if (!from || !to) throw new Error('--as needs scenario:fixture');
    out.set(from, to);
  }
  return out;
}

async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check().catch((err: Error) => {
      if (err.message.startsWith('the run meant')) throw err;
      return undefined;
    });
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

main().catch((err) => {
  process.stderr.write(`record-histories: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
