// sync/<name> with the real activities, store and Okta emulator: what an operator sees in the run
// log and the run records when a filter keeps nothing, a run is cancelled, or a held run is
// approved from the CLI (issue 6 items 8, 9, 12).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { syncWorkflowId } from '../../runtime/ids';
import { refOf, requestSync } from '../../runtime/requests';
import type { ConnectorDefinition } from '../../config/types';
import { progressQuery } from '../../workflows/definitions';
import { startHarness, uniqueName, waitSummary, type Harness } from '../support/harness';
import { runTiger } from '../support/tiger-cli';
import { oktaAdmin } from '../support/okta-admin';
import { connectorYaml, snapshot } from '../support/okta-expect';
import { until } from '../support/stub-sync';

let h: Harness;

const tiger = (args: string[]) => runTiger(h, args);

beforeAll(async () => {
  h = await startHarness({ emulator: { users: 1500, groups: 12, apps: 2, seed: 21 } });
  await h.startWorker();
});
afterAll(async () => {
  await h?.close();
});

it('a filter that keeps none of a resource read leaves a run-log warning naming it', async () => {
  const name = uniqueName('filter-none');
  // Seed 000's filter: an Okta group's `type` is a string, so `type.name` never matches.
  await h.addConnector(connectorYaml(name, '  filters:\n    groups:\n      - type.name eq "OKTA_GROUP"\n'));
  const summary = await h.sync(name, 'full');
  expect(summary.status).toBe('succeeded');
  const logs = (await h.store.listLogs(name, { limit: 100, runId: summary.runId })).map((l) => `${l.level} ${l.message}`);
  const warnings = logs.filter((l) => l.includes('excluded all'));
  expect(warnings).toEqual([
    'warn the groups filter "type.name eq \\"OKTA_GROUP\\"" excluded all 12 groups read from the source: check that its attribute paths exist in the source objects',
  ]);
});

it('a cancelled run is closed as cancelled in the store', async () => {
  const name = uniqueName('cancelled');
  const def = await h.addConnector(connectorYaml(name));
  const req = await requestSync(h.client, refOf(def), 'full', 'cli', { batchRecords: 100, batchMillis: 200 });
  const handle = h.client.workflow.getHandle(syncWorkflowId(name));
  let runId = '';
  await until(async () => {
    const p = await handle.query(progressQuery).catch(() => null);
    runId = p?.run?.runId ?? '';
    return (p?.run?.records ?? 0) > 0;
  }, 'the run to read its first batch');
  await handle.cancel();
  await until(async () => (await handle.describe()).status.name === 'CANCELLED', 'the workflow to be cancelled');
  const run = await h.store.getRun(runId);
  expect(run).toMatchObject({ status: 'cancelled' });
  expect(run!.finishedAt).not.toBeNull();
  void req;
});

it('approve-deletions: refused with exit 2 when nothing is held; a held run is approved from the CLI', async () => {
  const name = uniqueName('cli-approve');
  await h.addConnector(connectorYaml(name, 'deletionThreshold: 0.01\n'));
  const refused = await tiger(['connector', 'approve-deletions', name]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain(`connector ${name} has no run waiting for approval`);

  expect((await h.sync(name, 'full')).status).toBe('succeeded');
  const gone = (await snapshot(h.emulator!.url)).users.filter((u) => u.status === 'ACTIVE').slice(0, 20);
  const admin = oktaAdmin(h.emulator!.url);
  for (const u of gone) await admin.deleteUser(u.id);
  const def = (await h.store.getConnector(name))!.definition as ConnectorDefinition;
  const req = await requestSync(h.client, refOf(def), 'full', 'cli');
  const handle = h.client.workflow.getHandle(syncWorkflowId(name));
  await until(async () => (await handle.query(progressQuery)).state === 'held', 'the hold', 120_000);
  const held = (await handle.query(progressQuery)).held!;
  expect(held.reason).toMatch(/user/);

  const wrong = await tiger(['connector', 'approve-deletions', name, '--run', 'not-the-run']);
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toContain('run not-the-run is not the held run');
  const ok = await tiger(['connector', 'approve-deletions', name]);
  expect(ok.stderr).toBe('');
  expect(ok.code).toBe(0);
  expect(ok.stdout).toContain(`approved deletions of run ${held.runId}`);

  const summary = await waitSummary(h.client, syncWorkflowId(name), req.requestId);
  expect(summary).toMatchObject({ status: 'succeeded', deletions: 'approved' });
  const left = new Set((await h.store.exportData(name, { includeDeleted: false })).users.map((u) => u.id));
  for (const u of gone) expect(left.has(u.id)).toBe(false);
  const logs = (await h.store.listLogs(name, { limit: 200, runId: summary.runId })).map((l) => l.message);
  expect(logs).toContain('deletions approved by an operator');
});
