// The production topology, run for real: Temporal Server 1.29 on PostgreSQL (scripts/temporal-server.sh),
// three `tiger worker` processes and a `tiger server`, the identity store on PostgreSQL (a fresh
// database), the Okta emulator with 50,000 users. One full sync is shared by the workers; the
// worker running its read is SIGKILLed mid-run and the Temporal server is restarted mid-run. The
// store must end exactly equal to the source, no batch may be read again from the start, and
// every execution's history must stay bounded (the run continues as new).
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { syncWorkflowId } from '../../runtime/ids';
import { refOf, requestSync } from '../../runtime/requests';
import { parseConnectorText } from '../../config/load';
import { typeSchemas } from '../../connectors/registry';
import { openStore, type IdentityStore } from '../../store';
import { progressQuery } from '../../workflows/definitions';
import { waitSummary } from '../support/harness';
import { comparable, connectorYaml, expectedExport, snapshot } from '../support/okta-expect';
import { startCountingProxy, type CountingProxy } from './counting-proxy';
import { FRONTEND, freshDatabase, kill, stopAll, temporalServer, temporalServerPid, temporalServerRunning, tiger, type Tiger } from './processes';

const USERS = 50_000;
const USERS_PAGE = 200; // Okta's page cap for /api/v1/users (connectors/okta/api.ts LIMITS)
const BATCH_RECORDS = 2000;
// Batches per workflow execution before it continues as new (the default, 500, is more than this
// run makes): small, so the kill and the restart land in different executions.
const BATCHES_PER_EXECUTION = 10;
const KILL_AT = 15_000; // records read when the worker is killed …
const RESTART_AT = 30_000; // … and when the Temporal server is restarted

const timings: Record<string, number | string> = {};
let db: Awaited<ReturnType<typeof freshDatabase>> | undefined;
let store: IdentityStore | undefined;
let connection: Connection | undefined;
let home = '';
let emulatorUrl = '';
let proxy: CountingProxy | undefined;
let env: Record<string, string> = {};
const workers: Tiger[] = [];

let startedServer = false;

beforeAll(async () => {
  startedServer = !temporalServerRunning();
  timings.serverUpSeconds = temporalServer('up');
  db = await freshDatabase('tiger_scale');
  home = mkdtempSync(join(tmpdir(), 'tiger-prod-'));
  const emulator = tiger(['emulator', 'okta', '--port', '0', '--users', String(USERS), '--groups', '300', '--apps', '8', '--members-per-group', '40', '--seed', '71'], {});
  emulatorUrl = (await emulator.waitFor(/okta emulator: (http:\/\/\S+)/))[1];
  // Workers reach the emulator through a proxy that counts which pages they read.
  proxy = await startCountingProxy(emulatorUrl);
  env = {
    TEMPORAL_ADDRESS: FRONTEND,
    TEMPORAL_NAMESPACE: 'default',
    TIGER_TASK_QUEUE: `scale-${randomUUID()}`,
    DATABASE_URL: db.url,
    TIGER_HOME: join(home, '.tiger'),
    TIGER_API_TOKEN: randomUUID(),
    TIGER_LOG_LEVEL: 'WARN',
    OKTA_DOMAIN: proxy.url,
    OKTA_API_TOKEN: 'emulator-token',
  };
  // The client side of this test (requestSync, taskQueue()) reads the same variables.
  Object.assign(process.env, env);
  store = await openStore({ databaseUrl: db.url, sqliteFile: join(home, 'unused.db') });
  connection = await Connection.connect({ address: FRONTEND });
  for (let i = 0; i < 3; i++) workers.push(tiger(['worker'], env));
  await Promise.all(workers.map((w) => w.waitFor(/tiger worker: polling/)));
});

afterAll(async () => {
  await connection?.close().catch(() => undefined);
  await store?.close().catch(() => undefined);
  await stopAll();
  await proxy?.close();
  await db?.drop().catch(() => undefined);
  if (home) rmSync(home, { recursive: true, force: true });
  // A server that was already up (an operator's, or CI's own step) is left as it was.
  if (startedServer) temporalServer('down');
  console.log(`production topology timings: ${JSON.stringify(timings)}`);
});

it('three workers share a 50,000-user full sync through a worker kill and a server restart', async () => {
  const client = new Client({ connection: connection!, namespace: 'default' });
  const usersRequests = async () =>
    ((await (await request(`${emulatorUrl}/__emulator/stats`, { headers: { authorization: 'SSWS emulator-token' } })).body.json()) as { requests: { users: number } }).requests.users;
  const name = `okta-scale-${randomUUID().slice(0, 8)}`;
  const def = parseConnectorText(connectorYaml(name), 'scale.yaml', typeSchemas());
  await store!.saveConnector({ name: def.name, type: def.type, enabled: def.enabled, definition: def });
  const snap = await snapshot(emulatorUrl);
  expect(snap.users.length).toBe(USERS);
  const total = snap.users.length + snap.groups.length + snap.apps.length + snap.memberships.length + snap.appUsers.length;

  // `tiger server` is its own process too: its REST test-connection goes through Temporal to a worker.
  const server = tiger(['server', '--port', '0'], env);
  const serverUrl = (await server.waitFor(/listening on (http:\/\/\S+)/))[1];
  const tested = await request(`${serverUrl}/api/v1/connectors/test`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.TIGER_API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ connectorId: name }),
  });
  expect(tested.statusCode).toBe(200);
  expect(((await tested.body.json()) as { status: string }).status).toBe('success');

  // Test-connection counted the users by reading the whole list: only the sync's reads count.
  proxy!.reset();
  const requestsBefore = await usersRequests();
  const t0 = Date.now();
  const req = await requestSync(client, refOf(def), 'full', 'cli', { batchRecords: BATCH_RECORDS, continueAsNewAfterPages: BATCHES_PER_EXECUTION });
  const handle = client.workflow.getHandle(syncWorkflowId(name));
  const progress = async () => (await handle.query(progressQuery).catch(() => null))?.run;

  // Kill the worker that is running the read right now. A worker's identity is its own task queue
  // (`<queue>/worker/<host>-<pid>-<id>`, so `refresh` can find every worker); older ones were pid@host.
  const pidOf = (identity: string) => Number(/-(\d+)-[0-9a-f]{8}$/.exec(identity)?.[1] ?? identity.split('@')[0]);
  let killed: Tiger | undefined;
  let killedAt = 0;
  for (let i = 0; i < 2400 && !killed; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const run = await progress();
    if (!run || run.records < KILL_AT) continue;
    const desc = await handle.describe();
    const pids = (desc.raw.pendingActivities ?? []).map((a) => pidOf(a.lastWorkerIdentity ?? ''));
    killed = workers.find((w) => pids.includes(w.child.pid!));
    if (killed) {
      killedAt = run.records;
      timings.killedDuring = `${run.resource} at ${run.records} records, ${(await usersRequests()) - requestsBefore} users requests`;
      await kill(killed.child, 'SIGKILL');
    }
  }
  expect(killed, 'a worker was running an activity past the kill mark').toBeDefined();
  expect(killedAt).toBeLessThan(total);

  let restartedAt = 0;
  for (let i = 0; i < 4800 && !restartedAt; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const run = await progress();
    if (run && run.records >= RESTART_AT) {
      restartedAt = run.records;
      timings.restartedDuring = `${run.resource} at ${run.records} records, ${(await usersRequests()) - requestsBefore} users requests`;
    }
  }
  expect(restartedAt, 'the run reached the restart mark').toBeGreaterThan(0);
  expect(restartedAt).toBeLessThan(total);
  const pidBefore = temporalServerPid();
  timings.serverRestartSeconds = temporalServer('down') + temporalServer('up');
  expect(temporalServerPid(), 'a new server process').not.toBe(pidBefore);
  timings.usersRequestsAfterRestart = (await usersRequests()) - requestsBefore;

  const summary = await waitSummary(client, syncWorkflowId(name), req.requestId, 15 * 60_000);
  timings.syncSeconds = (Date.now() - t0) / 1000;
  expect(summary.status).toBe('succeeded');

  // Exactly the source: nothing lost, nothing twice, nothing deleted.
  const exported = await store!.exportData(name, { includeDeleted: true });
  expect(comparable(exported)).toEqual(expectedExport(snap));
  expect(exported.users.every((u) => !u.deletedAt)).toBe(true);
  expect(summary.counts.inserted).toBe(total);

  // No batch was read again from the start: the users list's first page was read once by this
  // run, and its later pages at most once more for the batches in flight at the kill and at the
  // restart (each re-run from its own cursor). A re-read from the start after the kill alone
  // would repeat ≥ KILL_AT / USERS_PAGE pages.
  const pages = Math.ceil(USERS / USERS_PAGE);
  const retryAllowance = 2 * Math.ceil(BATCH_RECORDS / USERS_PAGE);
  expect(retryAllowance).toBeLessThan(KILL_AT / USERS_PAGE);
  const firstPageReads = proxy!.firstPages('/api/v1/users');
  const repeatedPages = proxy!.repeatedPages('/api/v1/users');
  const requests = (await usersRequests()) - requestsBefore;
  Object.assign(timings, { usersFirstPageReads: firstPageReads, usersRepeatedPages: repeatedPages, usersRequests: requests });
  // Soft, so a failure here still reports the history checks below.
  expect.soft(firstPageReads, 'reads of the users list from its first page').toBe(1);
  expect.soft(repeatedPages, 'users pages read more than once').toBeLessThanOrEqual(retryAllowance);
  expect.soft(requests, 'users requests').toBeGreaterThanOrEqual(pages);
  expect.soft(requests, 'users requests').toBeLessThanOrEqual(pages + 1 + retryAllowance);

  // Bounded history: the run continued as new, and every execution stayed small.
  let executions: { runId: string; status: string }[] = [];
  // Visibility is written asynchronously: wait (bounded) until it lists a continued run.
  for (let i = 0; i < 60 && !executions.some((e) => e.status === 'CONTINUED_AS_NEW'); i++) {
    if (i) await new Promise((r) => setTimeout(r, 500));
    executions = [];
    for await (const e of client.workflow.list({ query: `WorkflowId = '${syncWorkflowId(name)}'` })) executions.push({ runId: e.runId, status: e.status.name });
  }
  expect(executions.length).toBeGreaterThanOrEqual(2);
  expect(executions.some((e) => e.status === 'CONTINUED_AS_NEW')).toBe(true);
  const sizes: number[] = [];
  for (const e of executions) {
    const history = await client.workflow.getHandle(syncWorkflowId(name), e.runId).fetchHistory();
    sizes.push(history.events?.length ?? 0);
  }
  timings.executions = executions.length;
  timings.historyEvents = Math.max(...sizes);
  expect(Math.max(...sizes)).toBeLessThan(3000);
  expect(Math.min(...sizes)).toBeGreaterThan(0);
}, 25 * 60_000);
