// Orchestration tests of sync/<name> on the real dev server, with the sync activities replaced by
// scripted ones (Temporal's TestWorkflowEnvironment pattern, pointed at the dev server the global
// setup started). Each connector name gets its own script, so one worker serves a whole file.
import { Client, Connection, WorkflowHandle } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { MeshActivities } from '../../activities/mesh';
import type { PushActivities } from '../../activities/push';
import type { SyncActivities } from '../../activities/sync';
import { loadBundle } from '../../worker/bundle';
import { progressQuery, requestSyncSignal, syncWorkflow } from '../../workflows/definitions';
import type { RunSummary, SyncMode, SyncWorkflowInput } from '../../workflows/types';

type Acts = SyncActivities & Pick<PushActivities, 'requestPushesAfterSync'> & Pick<MeshActivities, 'requestMeshesAfterSync'>;
export type Script = { [K in keyof Acts]?: (a: Parameters<Acts[K]>[0], worker: string) => ReturnType<Acts[K]> };

/** What the scripted activities were called with, in order. */
export interface Call {
  activity: keyof Acts;
  args: Record<string, unknown>;
  worker: string;
}

export interface StubRig {
  client: Client;
  taskQueue: string;
  calls(connector: string): Call[];
  script(connector: string, s: Script): void;
  /** One more worker (its own name) polling the same queue with the same scripts. */
  addWorker(name: string): Promise<Worker>;
  start(connector: string, opts?: Partial<SyncWorkflowInput>, mode?: SyncMode): Promise<{ handle: WorkflowHandle<typeof syncWorkflow>; requestId: string }>;
  request(connector: string, mode?: SyncMode, requestId?: string, opts?: Partial<SyncWorkflowInput>): Promise<string>;
  summary(connector: string, requestId: string, timeoutMs?: number): Promise<RunSummary>;
  close(): Promise<void>;
}

let runtimeInstalled = false;

const defaults: Required<Pick<Script, 'beginRun' | 'fetchBatch' | 'applyBatch' | 'detectDeletions' | 'checkpointWatermark' | 'endRun' | 'logRun' | 'takeWatermark' | 'reportFilteredOut' | 'fetchChanges' | 'requestPushesAfterSync' | 'requestMeshesAfterSync'>> = {
  beginRun: async (a) => ({ mode: a.mode, resources: ['users'], watermark: 'wm-begin' }),
  // Three batches of ten per resource, cursors "1" and "2".
  fetchBatch: async (a) => {
    const n = a.cursor ? Number(a.cursor) : 0;
    return { count: 10, kept: 10, nextCursor: n < 2 ? String(n + 1) : null, incomplete: false };
  },
  applyBatch: async () => ({ inserted: 10, updated: 0, unchanged: 0, deleted: 0 }),
  detectDeletions: async () => ({ held: false, deleted: 0 }),
  checkpointWatermark: async () => undefined,
  endRun: async () => undefined,
  logRun: async () => undefined,
  takeWatermark: async () => 'wm-taken',
  reportFilteredOut: async () => undefined,
  fetchChanges: async () => ({ count: 5, nextCursor: null, watermark: 'wm-delta', incomplete: [] }),
  // No push targets in the rig: a succeeded run asks for none.
  requestPushesAfterSync: async () => [],
  requestMeshesAfterSync: async () => [],
};

/** dataConverter: the worker's and the client's (the payload codec test passes tiger's). */
export async function startStubRig(opts: { dataConverter?: DataConverter } = {}): Promise<StubRig> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: undefined, shutdownSignals: [] });
    runtimeInstalled = true;
  }
  process.env.TIGER_HOME ??= join(mkdtempSync(join(tmpdir(), 'tiger-stub-')), '.tiger');
  const address = inject('temporalAddress');
  const taskQueue = `stub-${randomUUID()}`;
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default', dataConverter: opts.dataConverter });
  const nativeConnection = await NativeConnection.connect({ address });
  const scripts = new Map<string, Script>();
  const calls = new Map<string, Call[]>();
  const bundle = await loadBundle();
  const workers: { worker: Worker; run: Promise<void> }[] = [];

  const activitiesFor = (workerName: string) =>
    Object.fromEntries(
      Object.keys(defaults).map((name) => [
        name,
        async (a: { connector: string } & Record<string, unknown>) => {
          const list = calls.get(a.connector) ?? [];
          calls.set(a.connector, list);
          list.push({ activity: name as keyof Acts, args: a, worker: workerName });
          const fn = (scripts.get(a.connector)?.[name as keyof Acts] ?? defaults[name as keyof typeof defaults]) as (x: unknown, w: string) => Promise<unknown>;
          return fn(a, workerName);
        },
      ]),
    );

  const addWorker = async (name: string): Promise<Worker> => {
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: bundle,
      activities: activitiesFor(name),
      dataConverter: opts.dataConverter,
      shutdownGraceTime: '5s',
    });
    workers.push({ worker, run: worker.run() });
    return worker;
  };
  await addWorker('main');

  const input = (connector: string, opts?: Partial<SyncWorkflowInput>): SyncWorkflowInput => ({
    connector,
    connectorType: 'stub',
    retry: { maxAttempts: 2, backoff: 'linear' },
    ...opts,
    options: { idleMillis: 2000, ...opts?.options },
  });

  const rig: StubRig = {
    client,
    taskQueue,
    calls: (c) => calls.get(c) ?? [],
    script: (c, s) => void scripts.set(c, s),
    addWorker,
    async start(connector, opts, mode = 'full') {
      const requestId = await rig.request(connector, mode, undefined, opts);
      return { handle: client.workflow.getHandle(`sync/${connector}`), requestId };
    },
    async request(connector, mode = 'full', requestId = randomUUID(), opts) {
      await client.workflow.signalWithStart(syncWorkflow, {
        workflowId: `sync/${connector}`,
        taskQueue,
        args: [input(connector, opts)],
        signal: requestSyncSignal,
        signalArgs: [{ requestId, mode, trigger: 'cli' }],
      });
      return requestId;
    },
    async summary(connector, requestId, timeoutMs = 60_000) {
      const handle = client.workflow.getHandle(`sync/${connector}`);
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const p = await handle.query(progressQuery).catch(() => null);
        const done = p?.recent.find((r) => r.requestIds.includes(requestId));
        if (done) return done;
        const desc = await handle.describe().catch(() => null);
        if (desc && desc.status.name === 'COMPLETED') {
          const all = (await handle.result()) as RunSummary[];
          const found = all.find((r) => r.requestIds.includes(requestId));
          if (found) return found;
        }
        await sleep(200);
      }
      throw new Error(`request ${requestId} of ${connector} did not finish within ${timeoutMs} ms`);
    },
    async close() {
      for (const w of workers) if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
      await Promise.allSettled(workers.map((w) => w.run));
      await nativeConnection.close();
      await connection.close();
    },
  };
  return rig;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves when `check` holds, polling; fails after `timeoutMs` (a bound, not an assertion on time). */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export const EventType = temporal.api.enums.v1.EventType;

/** The workflow's history event types, in order. */
export async function eventTypes(handle: WorkflowHandle): Promise<number[]> {
  const h = await handle.fetchHistory();
  return (h.events ?? []).map((e) => Number(e.eventType));
}

/** True once `after` occurs somewhere after the first `first` in the history. */
export async function happenedAfter(handle: WorkflowHandle, first: number, after: number[]): Promise<boolean> {
  const types = await eventTypes(handle);
  const i = types.indexOf(first);
  return i >= 0 && types.slice(i + 1).some((t) => after.includes(t));
}
