// Issue 6, item 9 (store side), end to end on the real dev server: a run keeps the connector
// definition it began with although `apply` stores a new one mid-run, and staged pages of a
// terminated workflow's run do not outlive the next run.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncWorkflowId } from '../../runtime/ids';
import { refOf, requestSync } from '../../runtime/requests';
import type { ConnectorDefinition } from '../../config/types';
import { progressQuery } from '../../workflows/definitions';
import { startHarness, uniqueName, waitSummary, type Harness } from '../support/harness';
import { comparable, connectorYaml, expectedExport, snapshot, type Snapshot } from '../support/okta-expect';

let h: Harness;
let snap: Snapshot;
beforeAll(async () => {
  h = await startHarness({ emulator: { users: 3000, groups: 20, apps: 2, seed: 31 } });
  await h.startWorker();
  snap = await snapshot(h.emulator!.url);
});
afterAll(async () => h?.close());

/** Staged rows of a connector, read straight from the SQLite file the harness store writes. */
function stagedRows(connector: string): { stage_key: string; run_id: string | null }[] {
  const db = new Database(join(h.dir, '.tiger', 'tiger.db'), { readonly: true });
  try {
    return db.prepare('SELECT stage_key, run_id FROM staged_pages WHERE connector = ?').all(connector) as {
      stage_key: string;
      run_id: string | null;
    }[];
  } finally {
    db.close();
  }
}

/** Waits until the connector's running full run has read `records` users; returns its id. */
async function runningPast(name: string, requestId: string, records: number): Promise<string> {
  const handle = h.client.workflow.getHandle(syncWorkflowId(name));
  for (let i = 0; i < 3000; i++) {
    const p = await handle.query(progressQuery).catch(() => null);
    if (p?.run?.requestIds.includes(requestId) && p.run.resource === 'users' && p.run.records >= records) return p.run.runId;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the run of request ${requestId} did not get past ${records} users`);
}

describe('a run pins the definition it began with', () => {
  it('a mapping applied mid-run takes effect at the next run, not half-way through this one', async () => {
    const name = uniqueName('okta-pin');
    const yaml = connectorYaml(name);
    const def = (await h.addConnector(yaml)) as ConnectorDefinition;
    const req = await requestSync(h.client, refOf(def), 'full', 'cli', { batchRecords: 100, batchMillis: 500 });
    await runningPast(name, req.requestId, 300);
    // `tiger connector apply` with a changed mapping, while the run is reading users.
    await h.addConnector(yaml.replace('lastName: profile.lastName', 'lastName: profile.firstName'));
    const during = await h.client.workflow.getHandle(syncWorkflowId(name)).query(progressQuery);
    expect(during.run?.requestIds).toContain(req.requestId);
    // Most users are still to be read (other lanes read groups and apps meanwhile).
    expect(during.run!.reading).toContain('users');
    expect((await h.store.exportData(name, { includeDeleted: false })).users.length).toBeLessThan(snap.users.length - 1000);

    const summary = await waitSummary(h.client, syncWorkflowId(name), req.requestId);
    expect(summary.status).toBe('succeeded');
    expect(comparable(await h.store.exportData(name, { includeDeleted: false }))).toEqual(expectedExport(snap));

    const next = await h.sync(name, 'full');
    expect(next.status).toBe('succeeded');
    const users = (await h.store.exportData(name, { includeDeleted: false })).users;
    expect(users).toHaveLength(snap.users.length);
    expect(users.every((u) => u.attributes.lastName === u.attributes.firstName)).toBe(true);
  });
});

describe('staged pages of abandoned runs', () => {
  it('a failed run leaves none behind once the next run has begun', async () => {
    const name = uniqueName('okta-failed');
    const def = (await h.addConnector(connectorYaml(name))) as ConnectorDefinition;
    const req = await requestSync(h.client, refOf(def), 'full', 'cli', { batchRecords: 100, batchMillis: 500 });
    await runningPast(name, req.requestId, 300);
    h.emulator!.setKnobs({ faultRate: 1, faultKinds: ['5xx'] });
    const failed = await waitSummary(h.client, syncWorkflowId(name), req.requestId);
    h.emulator!.setKnobs({ faultRate: 0 });
    expect(failed.status).toBe('failed');

    const summary = await h.sync(name, 'full');
    expect(summary.status).toBe('succeeded');
    expect(stagedRows(name)).toEqual([]);
    expect(comparable(await h.store.exportData(name, { includeDeleted: false }))).toEqual(expectedExport(snap));
  });

  it('a terminated workflow leaves none behind after the next run, and its run is closed as abandoned', async () => {
    const name = uniqueName('okta-terminated');
    const def = (await h.addConnector(connectorYaml(name))) as ConnectorDefinition;
    const req = await requestSync(h.client, refOf(def), 'full', 'cli', { batchRecords: 100, batchMillis: 500 });
    const terminatedRun = await runningPast(name, req.requestId, 500);
    await h.client.workflow.getHandle(syncWorkflowId(name)).terminate('test: workflow terminated mid-run');
    // Let the activities already running finish (a shutdown drains them), then work on.
    await h.worker!.shutdown();
    await h.startWorker();
    expect(stagedRows(name).filter((r) => r.run_id === terminatedRun).length).toBeGreaterThan(0);
    expect((await h.store.getRun(terminatedRun))!.status).toBe('running');

    const summary = await h.sync(name, 'full');
    expect(summary.status).toBe('succeeded');
    expect(stagedRows(name)).toEqual([]);
    expect(await h.store.getRun(terminatedRun)).toMatchObject({ status: 'failed', error: 'abandoned (workflow terminated or reset)' });
    expect(comparable(await h.store.exportData(name, { includeDeleted: false }))).toEqual(expectedExport(snap));
  });
});
