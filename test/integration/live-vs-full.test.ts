// Issue 6, item 1: webhook deliveries (live/<name> batches) for users a full run has already read
// must not make that run's deletion step take them for gone. Before the change sequence, every
// re-fetched user was soft-deleted with its memberships ("soft-deleted … not seen in this full
// run") although the source never changed.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { syncWorkflowId } from '../../runtime/ids';
import { refOf, requestSync, sendLiveEvents } from '../../runtime/requests';
import type { ConnectorDefinition } from '../../config/types';
import { progressQuery } from '../../workflows/definitions';
import { startHarness, uniqueName, waitSummary, type Harness } from '../support/harness';
import { comparable, connectorYaml, expectedExport, snapshot } from '../support/okta-expect';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ emulator: { users: 20_000, groups: 200, apps: 3, seed: 23, membershipsPerGroup: 25 } });
  await h.startWorker();
});
afterAll(async () => h?.close());

it('webhooks for already-read users during a 20,000-user full run delete nothing', { timeout: 600_000 }, async () => {
  const name = uniqueName('okta-live-full');
  await h.addConnector(connectorYaml(name));
  const def = (await h.store.getConnector(name))!.definition as ConnectorDefinition;
  const first = await h.sync(name, 'full', { batchRecords: 2000 });
  expect(first.status).toBe('succeeded');
  const snap = await snapshot(h.emulator!.url);
  expect(comparable(await h.store.exportData(name, { includeDeleted: false }))).toEqual(expectedExport(snap));

  // The second full run, in small batches so it is still reading when the webhooks land.
  const req = await requestSync(h.client, refOf(def), 'full', 'cli', { batchRecords: 500, batchMillis: 1000 });
  const handle = h.client.workflow.getHandle(syncWorkflowId(name));
  const db = new Database(join(h.dir, '.tiger', 'tiger.db'), { readonly: true });
  const seenBy = db.prepare(
    "SELECT external_id FROM objects WHERE connector = ? AND kind = 'user' AND last_seen_run = ? ORDER BY external_id LIMIT 120",
  );
  // Users this run has read and applied already, while it still has most of the org to read.
  let fullRunId: string | undefined;
  let users: string[] = [];
  for (let i = 0; i < 3000 && users.length < 120; i++) {
    const p = await handle.query(progressQuery).catch(() => null);
    if (p?.run && p.run.requestIds.includes(req.requestId)) {
      fullRunId = p.run.runId;
      users = (seenBy.all(name, fullRunId) as { external_id: string }[]).map((r) => r.external_id);
    }
    if (users.length < 120) await new Promise((r) => setTimeout(r, 100));
  }
  db.close();
  expect(users).toHaveLength(120);

  const group = snap.groups.find((g) => g.type === 'OKTA_GROUP' && snap.memberships.some((m) => m.groupId === g.id))!;
  const before = new Set((await h.store.listRuns(name, 50)).map((r) => r.runId));
  await sendLiveEvents(h.client, refOf(def), [
    ...users.map((id, i) => ({ eventId: `${name}-u-${i}`, eventType: 'user.account.update_profile', targets: [{ resource: 'users' as const, id }] })),
    { eventId: `${name}-g`, eventType: 'group.user_membership.add', targets: [{ resource: 'groups' as const, id: group.id }] },
  ]);
  let liveDone = 0;
  for (let i = 0; i < 1200 && liveDone === 0; i++) {
    const live = (await h.store.listRuns(name, 50)).filter((r) => r.mode === 'live' && !before.has(r.runId));
    liveDone = live.filter((r) => r.status === 'succeeded').length;
    if (live.some((r) => r.status === 'failed')) throw new Error(`live run failed: ${live.find((r) => r.status === 'failed')!.error}`);
    if (liveDone === 0) await new Promise((r) => setTimeout(r, 100));
  }
  expect(liveDone).toBeGreaterThan(0);
  // The precondition of the whole test: the live batch landed while the full run was reading.
  const during = await handle.query(progressQuery);
  expect(during.run?.runId).toBe(fullRunId);
  expect(during.run!.resourceIndex).toBeLessThan(during.run!.resourceCount);

  const summary = await waitSummary(h.client, syncWorkflowId(name), req.requestId, 400_000);
  expect(summary.status).toBe('succeeded');
  expect(summary.counts.deleted).toBe(0);
  const exported = await h.store.exportData(name, { includeDeleted: true });
  expect(exported.users.filter((u) => u.deletedAt)).toEqual([]);
  expect(exported.memberships.filter((m) => m.deletedAt)).toEqual([]);
  expect(comparable(await h.store.exportData(name, { includeDeleted: false }))).toEqual(expectedExport(await snapshot(h.emulator!.url)));
  const logs = await h.store.listLogs(name, { limit: 100, runId: fullRunId });
  expect(logs.filter((l) => /soft-deleted/.test(l.message))).toEqual([]);
});
