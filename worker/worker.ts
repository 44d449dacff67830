// The worker: registers the workflows and activities on the tiger-sync task queue, and the same
// activities on a queue of its own. Shutdown is graceful: in-flight activities get
// `shutdownGraceTime` to finish; anything cut off is retried elsewhere and, being idempotent,
// changes nothing twice.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { tigerDataConverter } from '../codec/data-converter';
import { ConnectorCache } from '../activities/connector-cache';
import { taskQueue } from '../runtime/ids';
import { packageRoot } from '../runtime/paths';
import type { TemporalTarget } from '../runtime/temporal';
import type { IdentityStore } from '../store/types';
import { createActivities } from './deps';

export interface WorkerHandle {
  worker: Worker;
  /** This process's own task queue (activities only). */
  ownQueue: string;
  run: Promise<void>;
  shutdown(): Promise<void>;
}

/** Unique per worker process: a batch whose cursor holds a live paged search in this process's
 *  memory is routed here (worker-specific task queues), and falls back to the shared queue when
 *  nobody polls it any more. */
export const ownTaskQueue = (): string => `${taskQueue()}/worker/${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

export async function startWorker(opts: {
  target: TemporalTarget;
  store: IdentityStore;
  client: () => Promise<Client>;
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxConcurrentActivityTaskExecutions?: number;
  connectors?: ConnectorCache;
  /** Default: the payload codec from TIGER_CODEC_KEYS / the secrets file, when keys are set. */
  dataConverter?: DataConverter;
}): Promise<WorkerHandle> {
  const connection = await NativeConnection.connect({ address: opts.target.address });
  const ownQueue = ownTaskQueue();
  // One set of activities (one connector cache) for both queues: the live search a batch left
  // behind must be found by the next batch whichever of the two queues delivered it.
  const { activities, connectors } = createActivities(opts.store, opts.client, opts.connectors ?? new ConnectorCache(opts.store), ownQueue);
  const common = {
    connection,
    namespace: opts.target.namespace,
    // The own queue's name as identity: describing the shared queue lists its pollers, so a
    // broadcast (`tiger connector refresh`) finds every live worker's own queue.
    identity: ownQueue,
    activities,
    dataConverter: opts.dataConverter ?? tigerDataConverter(),
    shutdownGraceTime: '10s' as const,
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions ?? 8,
  };
  const worker = await Worker.create({
    ...common,
    taskQueue: taskQueue(),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: join(packageRoot(), 'workflows', 'index.ts') }),
  });
  const own = await Worker.create({ ...common, taskQueue: ownQueue });
  const stop = (w: Worker) => {
    if (w.getState() === 'RUNNING') w.shutdown();
  };
  // Either worker stopping (shutdown, fatal error) stops the other: half a worker is never left.
  const run = Promise.allSettled([worker.run().finally(() => stop(own)), own.run().finally(() => stop(worker))]).then(async (ends) => {
    await connectors.closeAll();
    await connection.close();
    const failed = ends.find((e): e is PromiseRejectedResult => e.status === 'rejected');
    if (failed) throw failed.reason;
  });
  return {
    worker,
    ownQueue,
    run,
    async shutdown() {
      stop(worker);
      stop(own);
      await run;
    },
  };
}
