// `tiger worker` / `node worker/main.ts`: a standalone worker process (scaled out in production).
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { connectClient, temporalTarget } from '../runtime/temporal';
import { openStore } from '../store';
import { tigerPaths } from '../runtime/paths';
import { startWorker } from './worker';
import { loadBundle } from './bundle';

export async function runWorkerProcess(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger((process.env.TIGER_LOG_LEVEL as 'INFO' | undefined) ?? 'INFO') });
  const target = temporalTarget();
  const paths = tigerPaths();
  const store = await openStore({ databaseUrl: process.env.DATABASE_URL, sqliteFile: paths.sqlite });
  let client: ReturnType<typeof connectClient> | undefined;
  const handle = await startWorker({
    target,
    store,
    client: () => (client ??= connectClient(target)),
    workflowBundle: await loadBundle(),
  });
  process.stdout.write(`tiger worker: polling ${target.address} namespace ${target.namespace}\n`);
  await handle.run;
  await store.close();
}

if (require.main === module) {
  runWorkerProcess().catch((err) => {
    process.stderr.write(`tiger worker: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
