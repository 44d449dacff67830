// One benchmark case in its own process (so peak RSS is its own): `plain` calls the activities in a
// loop in this process; `pipeline` runs the same sync as a Temporal workflow on a real dev server,
// executed by a `tiger worker` process started as a user starts one, whose peak RSS is reported.
// The store is SQLite in a fresh directory, or PostgreSQL when BENCH_DATABASE_URL names a database
// (an empty one: the caller creates and drops it).
import { spawn } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ConnectorCache } from '../activities/connector-cache';
import { createSyncActivities } from '../activities/sync';
import { parseConnectorText } from '../config/load';
import type { ConnectorDefinition } from '../config/types';
import { typeSchemas } from '../connectors/registry';
import { openStore } from '../store';
import { runPlainSync } from './plain-loop';
import { DEFAULT_BATCH } from '../workflows/types';

const root = join(__dirname, '..');
const databaseUrl = process.env.BENCH_DATABASE_URL || undefined;
/** Records per fetch activity, the same for both paths (default: the workflow's own). */
const batchRecords = process.env.BENCH_BATCH_RECORDS ? Number(process.env.BENCH_BATCH_RECORDS) : undefined;

async function main(): Promise<void> {
  const [kind, connectorFile] = process.argv.slice(2);
  const dir = mkdtempSync(join(tmpdir(), `tiger-bench-${kind}-`));
  const store = await openStore({ databaseUrl: databaseUrl ?? '', sqliteFile: join(dir, 'home', 'tiger.db') });
  const def = parseConnectorText(readFileSync(connectorFile, 'utf8'), connectorFile, typeSchemas());
  await store.saveConnector({ name: def.name, type: def.type, enabled: true, definition: def });
  try {
    if (kind === 'plain') {
      const started = Date.now();
      const acts = createSyncActivities({ store, connectors: new ConnectorCache(store) });
      const counts = await runPlainSync(acts, def.name, 'full', randomUUID(), ...(batchRecords ? [{ maxRecords: batchRecords, maxMillis: DEFAULT_BATCH.millis }] : []));
      report(kind, counts, (Date.now() - started) / 1000, Math.round(process.resourceUsage().maxRSS / 1024));
    } else {
      const { counts, seconds, workerPeakRssMB } = await pipeline(def, dir);
      report(kind, counts, seconds, workerPeakRssMB);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The dev server and the polling client live in this process; the workflows and activities run
 *  in `tiger worker` (bin/tiger.js, with whatever flags that entry gives itself), on the same
 *  store. The workflow bundle is built here first, as a worker restarted after its first start
 *  finds it cached. */
async function pipeline(def: ConnectorDefinition, dir: string) {
  // Loaded here, not at the top: the plain case's RSS carries no Temporal library (require, as
  // client/lazy.ts explains: import() cannot resolve these paths under tsx's CommonJS hook).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Client, Connection } = require('@temporalio/client') as typeof import('@temporalio/client');
  const { startDevServer } = require('../client/devserver') as typeof import('../client/devserver');
  const { loadBundle } = require('../worker/bundle') as typeof import('../worker/bundle');
  const { runFullSync } = require('./pipeline-run') as typeof import('./pipeline-run');
  /* eslint-enable @typescript-eslint/no-require-imports */
  await loadBundle();
  // The worker's TIGER_HOME: its SQLite file is the one main() opened, its bundle cache a copy.
  const home = join(dir, 'home');
  const shared = process.env.TIGER_HOME ?? join(root, '.tiger');
  mkdirSync(home, { recursive: true });
  for (const f of ['workflow-bundle.js', 'workflow-bundle.js.stamp']) if (existsSync(join(shared, f))) copyFileSync(join(shared, f), join(home, f));
  const server = await startDevServer({ dbFile: join(dir, 'temporal.db'), port: Number(process.env.BENCH_TEMPORAL_PORT ?? 17233), uiPort: 0, headless: true });
  const worker = await startWorkerProcess({
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    TIGER_HOME: home,
    // The worker's INFO lines (state changes of both its queues) would bury the bench's own.
    TIGER_LOG_LEVEL: process.env.TIGER_LOG_LEVEL ?? 'ERROR',
    // SQLite: the worker opens the file this process wrote the connector into.
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATABASE_URL: '' }),
  });
  const connection = await Connection.connect({ address: server.address });
  try {
    const client = new Client({ connection });
    const { summary, ms } = await runFullSync(client, def, 200, batchRecords ? { batchRecords } : undefined);
    const workerPeakRssMB = worker.peakRssMB();
    return { counts: summary.counts, seconds: ms / 1000, workerPeakRssMB };
  } finally {
    await worker.stop();
    await connection.close();
    await server.stop();
  }
}

/** `tiger worker` run as the executable it is installed as (its first line sets the memory profile),
 *  resolved once it polls; its peak RSS read from /proc while it runs. */
async function startWorkerProcess(env: NodeJS.ProcessEnv) {
  // BENCH_WORKER_NODE_ARGS: `node <flags> bin/tiger.js worker` instead, without that profile, to try
  // V8 settings (--max-old-space-size=192) or to profile the worker (--cpu-prof, which NODE_OPTIONS refuses).
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const [command, args] = nodeArgs.length ? [process.execPath, [...nodeArgs, 'bin/tiger.js', 'worker']] : [join(root, 'bin', 'tiger.js'), ['worker']];
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // BENCH_WORKER_STDOUT=file keeps what the worker prints (--trace-gc, say) for a profile.
  if (process.env.BENCH_WORKER_STDOUT) child.stdout.pipe(createWriteStream(process.env.BENCH_WORKER_STDOUT));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('tiger worker: polling') && resolve());
    child.once('exit', (c) => reject(new Error(`tiger worker exited ${c} before polling`)));
  });
  return {
    peakRssMB(): number {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (!hwm) throw new Error('no VmHWM in /proc: the worker RSS is measured on Linux only');
      return Math.round(Number(hwm[1]) / 1024);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function report(kind: string, counts: { fetched: number; inserted: number }, seconds: number, peakRssMB: number): void {
  process.stdout.write(
    `${JSON.stringify({ case: kind, store: databaseUrl ? 'postgres' : 'sqlite', records: counts.fetched, inserted: counts.inserted, seconds, recordsPerSec: Math.round(counts.fetched / seconds), peakRssMB })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);

