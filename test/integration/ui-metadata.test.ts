// What an operator sees in the Temporal UI, read back from the real server: the static summary a
// sync/<name> execution is started with, a one-line summary on every batch activity, and the
// current details while a run is held for approval (why, and how to release it).
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncWorkflowId } from '../../runtime/ids';
import { refOf, requestSync } from '../../runtime/requests';
import type { ConnectorDefinition } from '../../config/types';
import { approveDeletionsUpdate, progressQuery } from '../../workflows/definitions';
import { startHarness, uniqueName, waitSummary, type Harness } from '../support/harness';
import { oktaAdmin } from '../support/okta-admin';
import { connectorYaml, snapshot } from '../support/okta-expect';

let h: Harness;
const name = uniqueName('ui-okta');

beforeAll(async () => {
  h = await startHarness({ emulator: { users: 60, groups: 4, apps: 2, seed: 21 } });
  await h.startWorker();
  await h.addConnector(connectorYaml(name, 'deletionThreshold: 0.01\n'));
});

afterAll(async () => {
  await h?.close();
});

const text = (p: temporal.api.common.v1.IPayload | null | undefined): string | undefined =>
  p ? defaultPayloadConverter.fromPayload<string>(p as never) : undefined;

describe('Temporal UI metadata', () => {
  it('a sync execution carries a static summary and every batch activity a summary with its numbers', async () => {
    const def = (await h.store.getConnector(name))!.definition as ConnectorDefinition;
    const req = await requestSync(h.client, refOf(def), 'full', 'cli');
    const summary = await waitSummary(h.client, syncWorkflowId(name), req.requestId);
    expect(summary.status).toBe('succeeded');
    const handle = h.client.workflow.getHandle(syncWorkflowId(name));
    const desc = await handle.describe();
    expect(await desc.staticSummary()).toBe(`okta connector ${name} · full sync · cli`);
    expect(await desc.staticDetails()).toContain('coalesced');

    const history = await handle.fetchHistory();
    const activitySummaries = (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => ({ type: e.activityTaskScheduledEventAttributes!.activityType!.name, summary: text(e.userMetadata?.summary) }));
    const fetches = activitySummaries.filter((a) => a.type === 'fetchBatch');
    const applies = activitySummaries.filter((a) => a.type === 'applyBatch');
    expect(fetches.length).toBeGreaterThan(0);
    // Okta's lanes (users ∥ groups, memberships ∥ apps, appUsers) start together; a lane's batches
    // are numbered in that lane.
    expect(fetches.slice(0, 3).map((f) => f.summary)).toEqual(['users', 'groups', 'apps'].map((r) => `fetch ${r} · batch 1 · 0 records read before it`));
    expect(fetches.map((f) => f.summary)).toContainEqual(expect.stringMatching(/^fetch memberships · batch 2 · [1-9]\d* records read before it$/));
    // Lanes apply in whatever order their batches arrive: the users lane's first batch is one of them.
    expect(applies.map((a) => a.summary)).toContain('apply batch 0 · 60 records');
    for (const a of applies) expect(a.summary).toMatch(/^apply batch \d+ · [\d,]+ records$/);
  });

  it('while a run is held, the current details say so, why, and how to release it', async () => {
    const admin = oktaAdmin(h.emulator!.url);
    const users = (await snapshot(h.emulator!.url)).users.filter((u) => u.status === 'ACTIVE').slice(0, 10);
    for (const u of users) await admin.deleteUser(u.id);
    const def = (await h.store.getConnector(name))!.definition as ConnectorDefinition;
    const req = await requestSync(h.client, refOf(def), 'full', 'cli');
    const handle = h.client.workflow.getHandle(syncWorkflowId(name));
    let progress = await handle.query(progressQuery);
    for (let i = 0; i < 400 && progress.state !== 'held'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      progress = await handle.query(progressQuery);
    }
    expect(progress.state).toBe('held');
    const details = (await handle.query(workflowMetadataQuery)).currentDetails ?? '';
    expect(details).toContain(`**held for approval** (run ${progress.held!.runId})`);
    expect(details).toContain(progress.held!.reason);
    expect(details).toContain(`tiger connector approve-deletions ${name}`);
    await handle.executeUpdate(approveDeletionsUpdate, { args: [{ runId: progress.held!.runId, approved: false }] });
    expect((await waitSummary(h.client, syncWorkflowId(name), req.requestId)).status).toBe('succeeded');
    const after = (await handle.query(workflowMetadataQuery)).currentDetails ?? '';
    expect(after).not.toContain('held for approval');
  });
});
