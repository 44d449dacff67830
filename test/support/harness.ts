// An end-to-end rig for one test file: the real Temporal server from global setup, a worker on a
// task queue of its own, a SQLite (or PostgreSQL) store in a temp dir, and the Okta emulator.
import { Client, Connection } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { parseConnectorText } from '../../config/load';
import type { ConnectorDefinition } from '../../config/types';
import { typeSchemas } from '../../connectors/registry';
import { startOktaEmulator, type OktaEmulator, type OktaEmulatorOptions } from '../../emulators/okta';
import { refOf, requestSync } from '../../runtime/requests';
import { syncWorkflowId } from '../../runtime/ids';
import { SqliteStore } from '../../store/sqlite';
import type { IdentityStore } from '../../store/types';
import { startWorker, type WorkerHandle } from '../../worker/worker';
import { progressQuery, syncWorkflow } from '../../workflows/definitions';
import type { RunSummary, SyncMode, SyncOptions } from '../../workflows/types';
import { loadBundle } from '../../worker/bundle';

let runtimeInstalled = false;

export interface Harness {
  address: string;
  dir: string;
  store: IdentityStore;
  client: Client;
  emulator?: OktaEmulator;
  worker?: WorkerHandle;
  startWorker(): Promise<WorkerHandle>;
  addConnector(yaml: string): Promise<ConnectorDefinition>;
  /** Requests a run and waits for its summary. */
  sync(name: string, mode: SyncMode, options?: SyncOptions): Promise<RunSummary>;
  close(): Promise<void>;
}

export async function startHarness(o: { emulator?: OktaEmulatorOptions } = {}): Promise<Harness> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: undefined, shutdownSignals: [] });
    runtimeInstalled = true;
  }
  const address = inject('temporalAddress');
  process.env.TIGER_TASK_QUEUE = `test-${randomUUID()}`;
  const dir = mkdtempSync(join(tmpdir(), 'tiger-test-'));
  // The store sits where a `tiger worker` process with this TIGER_HOME looks for it.
  process.env.TIGER_HOME = join(dir, '.tiger');
  mkdirSync(process.env.TIGER_HOME, { recursive: true });
  const store = new SqliteStore(join(process.env.TIGER_HOME, 'tiger.db'));
  await store.migrate();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const emulator = o.emulator ? await startOktaEmulator({ port: 0, ...o.emulator }) : undefined;
  if (emulator) {
    process.env.OKTA_DOMAIN = emulator.url;
    process.env.OKTA_API_TOKEN = o.emulator?.apiToken ?? 'emulator-token';
  }
  const h: Harness = {
    address,
    dir,
    store,
    client,
    emulator,
    async startWorker() {
      h.worker = await startWorker({
        target: { address, namespace: 'default' },
        store,
        client: async () => client,
        workflowBundle: await loadBundle(),
      });
      return h.worker;
    },
    async addConnector(yaml) {
      const def = parseConnectorText(yaml, 'test.yaml', typeSchemas());
      await store.saveConnector({ name: def.name, type: def.type, enabled: def.enabled, definition: def });
      return def;
    },
    async sync(name, mode, options) {
      const stored = await store.getConnector(name);
      const def = stored?.definition as ConnectorDefinition;
      const req = await requestSync(client, refOf(def), mode, 'cli', options);
      return waitSummary(client, syncWorkflowId(name), req.requestId);
    },
    async close() {
      await h.worker?.shutdown().catch(() => undefined);
      await emulator?.close();
      await connection.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

export async function waitSummary(client: Client, workflowId: string, requestId: string, timeoutMs = 170_000): Promise<RunSummary> {
  const handle = client.workflow.getHandle<typeof syncWorkflow>(workflowId);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const p = await handle.query(progressQuery);
      const done = p.recent.find((r) => r.requestIds.includes(requestId));
      if (done) return done;
    } catch {
      // Between continue-as-new runs, or after the workflow closed: its result has the summary.
      const desc = await handle.describe().catch(() => null);
      if (desc && desc.status.name === 'COMPLETED') {
        const all = await handle.result();
        const done = all.find((r) => r.requestIds.includes(requestId));
        if (done) return done;
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`request ${requestId} did not finish within ${timeoutMs} ms`);
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
