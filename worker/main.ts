// `tiger worker` / `node worker/main.ts`: a standalone worker process (scaled out in production).
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { setFlagsFromString } from 'node:v8';
import { connectClient, temporalTarget } from '../runtime/temporal';
import { openStore } from '../store';
import { tigerPaths } from '../runtime/paths';
import { startWorker } from './worker';
import { loadBundle } from './bundle';

/** A full GC once the heap has grown this many percent past what the last one kept. V8's own policy
 *  lets it grow several-fold first (to ~290 MB around ~50 MB live on the 1.5M-record bench): pages
 *  and response bodies are short-lived, so collecting sooner costs little. Unlike a heap cap it never
 *  stops a worker whose page is large. */
const DEFAULT_HEAP_GROWTH = 50;

/** TIGER_WORKER_HEAP_GROWTH=N (a whole percent, 10–400) overrides DEFAULT_HEAP_GROWTH; `v8` leaves
 *  V8's own policy. */
export function tuneHeap(): void {
  const raw = process.env.TIGER_WORKER_HEAP_GROWTH;
  if (raw === 'v8') return;
  const percent = raw === undefined || raw === '' ? DEFAULT_HEAP_GROWTH : Number(raw);
  if (!Number.isInteger(percent) || percent < 10 || percent > 400) {
    throw new Error(`TIGER_WORKER_HEAP_GROWTH must be a whole percent from 10 to 400 (e.g. 50) or "v8", not ${JSON.stringify(raw)}`);
  }
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

export async function runWorkerProcess(): Promise<void> {
  tuneHeap();
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
