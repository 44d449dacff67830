// The worker: registers the workflows and activities on the tiger-sync task queue. Shutdown is
import { join } from 'node:path';
// graceful: in-flight activities get `shutdownGraceTime` to finish; anything cut off is retried
// elsewhere and, being idempotent, changes nothing twice.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { taskQueue } from '../client/ids';
import type { TemporalTarget } from '../client/temporal';
import type { IdentityStore } from '../store/types';
import { createActivities } from './deps';

export interface WorkerHandle {
  worker: Worker;
  run: Promise<void>;
  shutdown(): Promise<void>;
}

export async function startWorker(opts: {
  target: TemporalTarget;
  store: IdentityStore;
  client: () => Promise<Client>;
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxConcurrentActivityTaskExecutions?: number;
}): Promise<WorkerHandle> {
  const connection = await NativeConnection.connect({ address: opts.target.address });
  const { activities, connectors } = createActivities(opts.store, opts.client);
  const worker = await Worker.create({
    connection,
    namespace: opts.target.namespace,
    taskQueue: taskQueue(),
    activities,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: join(__dirname, '..', 'workflows', 'index.ts') }),
    shutdownGraceTime: '10s',
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions ?? 8,
  });
  const run = worker.run().finally(async () => {
    await connectors.closeAll();
    await connection.close();
  });
  return {
    worker,
    run,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await run;
    },
  };
}
