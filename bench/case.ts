// One benchmark case in its own process (so peak RSS is its own): `plain` calls the activities in a
// loop; `pipeline` runs the same sync as a Temporal workflow on a real dev server.
import { Client, Connection } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectorCache } from '../activities/connector-cache';
import { createSyncActivities } from '../activities/sync';
import { startDevServer } from '../client/devserver';
import { syncWorkflowId } from '../runtime/ids';
import { refOf, requestSync } from '../runtime/requests';
import { parseConnectorText } from '../config/load';
import { typeSchemas } from '../connectors/registry';
import { runPlainSync } from './plain-loop';
import { SqliteStore } from '../store/sqlite';
import { loadBundle } from '../worker/bundle';
import { startWorker } from '../worker/worker';
import { progressQuery } from '../workflows/definitions';
import type { RunSummary } from '../workflows/types';

async function main(): Promise<void> {
  const [kind, connectorFile] = process.argv.slice(2);
  const dir = mkdtempSync(join(tmpdir(), `tiger-bench-${kind}-`));
  const store = new SqliteStore(join(dir, 'tiger.db'));
  await store.migrate();
  const { readFileSync } = await import('node:fs');
  const def = parseConnectorText(readFileSync(connectorFile, 'utf8'), connectorFile, typeSchemas());
  await store.saveConnector({ name: def.name, type: def.type, enabled: true, definition: def });
  const started = Date.now();
  let counts;
  if (kind === 'plain') {
    const acts = createSyncActivities({ store, connectors: new ConnectorCache(store) });
    counts = await runPlainSync(acts, def.name, 'full', randomUUID());
  } else {
    Runtime.install({ logger: undefined, shutdownSignals: [] });
    const server = await startDevServer({ dbFile: join(dir, 'temporal.db'), port: Number(process.env.BENCH_TEMPORAL_PORT ?? 17233), uiPort: 0, headless: true });
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection });
    const bundle = await loadBundle();
    const worker = await startWorker({ target: { address: server.address, namespace: 'default' }, store, client: async () => client, workflowBundle: bundle });
    const t0 = Date.now();
    const req = await requestSync(client, refOf(def), 'full', 'cli');
    const handle = client.workflow.getHandle(syncWorkflowId(def.name));
    let summary: RunSummary | undefined;
    while (!summary) {
      await new Promise((r) => setTimeout(r, 200));
      const p = await handle.query(progressQuery).catch(() => null);
      summary = p?.recent.find((r) => r.requestIds.includes(req.requestId));
    }
    if (summary.status !== 'succeeded') throw new Error(`pipeline run ${summary.status}: ${summary.error}`);
    counts = summary.counts;
    const seconds = (Date.now() - t0) / 1000;
    await worker.shutdown();
    await connection.close();
    await server.stop();
    report(kind, counts, seconds);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  report(kind, counts, (Date.now() - started) / 1000);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

function report(kind: string, counts: { fetched: number; inserted: number }, seconds: number): void {
  process.stdout.write(
    `${JSON.stringify({ case: kind, records: counts.fetched, inserted: counts.inserted, seconds, recordsPerSec: Math.round(counts.fetched / seconds), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
