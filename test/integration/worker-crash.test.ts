// The worker process is SIGKILLed in the middle of a 20,000-user full sync and a new one is
// started: the store must still equal the source exactly — nothing lost, nothing twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { syncWorkflowId } from '../../runtime/ids';
import { refOf, requestSync } from '../../runtime/requests';
import type { ConnectorDefinition } from '../../config/types';
import { progressQuery } from '../../workflows/definitions';
import { startHarness, uniqueName, waitSummary, type Harness } from '../support/harness';
import { comparable, connectorYaml, expectedExport, snapshot } from '../support/okta-expect';

let h: Harness;
const workers: ChildProcess[] = [];
const root = join(__dirname, '..', '..');

function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'worker/main.ts'], {
    cwd: root,
    env: { ...process.env, TEMPORAL_ADDRESS: h.address },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d) => (err += d));
  child.on('exit', (code, signal) => {
    if (code && code !== 0) process.stderr.write(`worker exited ${code}: ${err.slice(-2000)}\n`);
    void signal;
  });
  workers.push(child);
  return child;
}

beforeAll(async () => {
  h = await startHarness({ emulator: { users: 20_000, groups: 200, apps: 5, seed: 11, membershipsPerGroup: 25 } });
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await h?.close();
});

it('a worker killed mid-sync loses and duplicates nothing', async () => {
  const name = uniqueName('okta-crash');
  await h.addConnector(connectorYaml(name));
  const def = (await h.store.getConnector(name))!.definition as ConnectorDefinition;
  const snap = await snapshot(h.emulator!.url);
  const total = snap.users.length + snap.groups.length + snap.apps.length + snap.memberships.length + snap.appUsers.length;

  const first = spawnWorker();
  // Small batches, so the kill lands between many staged and applied pages.
  const req = await requestSync(h.client, refOf(def), 'full', 'cli', { batchRecords: 1000, batchMillis: 1000 });
  const handle = h.client.workflow.getHandle(syncWorkflowId(name));
  let records = 0;
  for (let i = 0; i < 1200 && records < 6000; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const p = await handle.query(progressQuery).catch(() => null);
    records = p?.run?.records ?? records;
  }
  expect(records).toBeGreaterThanOrEqual(6000);
  expect(records).toBeLessThan(total);
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));

  spawnWorker();
  const summary = await waitSummary(h.client, syncWorkflowId(name), req.requestId);
  expect(summary.status).toBe('succeeded');

  const exported = await h.store.exportData(name, { includeDeleted: true });
  expect(comparable(exported)).toEqual(expectedExport(snap));
  expect(new Set(exported.users.map((u) => u.id)).size).toBe(snap.users.length);
  expect(exported.users.every((u) => !u.deletedAt)).toBe(true);
  // Each record was inserted exactly once across both workers.
  expect(summary.counts.inserted).toBe(total);
});
