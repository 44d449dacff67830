// What the bench cases share to run their "temporal pipeline" path and to measure it: a real
// Temporal dev server and worker around one case, a full sync awaited through the progress query,
// each case in its own child process (so peak RSS is that process's alone) and that process's RSS.
import { Client, Connection } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ConnectorDefinition } from '../config/types';
import { startDevServer } from '../client/devserver';
import { syncWorkflowId } from '../runtime/ids';
import { refOf, requestSync } from '../runtime/requests';
import type { IdentityStore } from '../store/types';
import { loadBundle } from '../worker/bundle';
import { startWorker } from '../worker/worker';
import { progressQuery } from '../workflows/definitions';
import type { RunSummary, SyncOptions } from '../workflows/types';

const root = join(__dirname, '..');

/** This process's peak resident set so far, in MB. */
export const peakRss = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** Runs fn against a fresh dev server (its database in dir, on port) with a worker on store; all stopped after. */
export async function withPipeline<T>(opts: { dir: string; port: number; store: IdentityStore }, fn: (client: Client) => Promise<T>): Promise<T> {
  Runtime.install({ logger: undefined, shutdownSignals: [] });
  const server = await startDevServer({ dbFile: join(opts.dir, 'temporal.db'), port: opts.port, uiPort: 0, headless: true });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  try {
    const worker = await startWorker({ target: { address: server.address, namespace: 'default' }, store: opts.store, client: async () => client, workflowBundle: await loadBundle() });
    try {
      return await fn(client);
    } finally {
      await worker.shutdown();
    }
  } finally {
    await connection.close();
    await server.stop();
  }
}

/** A full sync of def requested as the CLI does, awaited by polling sync/<name>'s progress query
 *  every pollMs; ms runs from the request to the summary. Throws unless the run succeeded. */
export async function runFullSync(client: Client, def: ConnectorDefinition, pollMs: number, options?: SyncOptions): Promise<{ summary: RunSummary; ms: number }> {
  const t0 = Date.now();
  const req = await requestSync(client, refOf(def), 'full', 'cli', options);
  const handle = client.workflow.getHandle(syncWorkflowId(def.name));
  let summary: RunSummary | undefined;
  while (!summary) {
    await new Promise((r) => setTimeout(r, pollMs));
    const p = await handle.query(progressQuery).catch(() => null);
    summary = p?.recent.find((r) => r.requestIds.includes(req.requestId));
  }
  const ms = Date.now() - t0;
  if (summary.status !== 'succeeded') throw new Error(`pipeline run ${summary.status}: ${summary.error}`);
  return { summary, ms };
}

/** Runs script with args in a child process (stderr passed through); resolves with the JSON of
 *  its last stdout line. label names the case in the error when the child fails; nodeArgs are
 *  node's own flags (--cpu-prof, which NODE_OPTIONS refuses). */
export function runChildCase<T>(script: string, args: string[], env: NodeJS.ProcessEnv, label: string, nodeArgs: string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [...nodeArgs, '--require', 'tsx/cjs', script, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop() as string) as T) : reject(new Error(`${label} case exited ${code}`))));
  });
}
