// Okta → store end to end on the real Temporal dev server: full, delta, webhook, faults, 403s,
// bad credentials and the deletion guard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTigerServer, listen } from '../../client/server';
import { approveDeletionsUpdate, progressQuery } from '../../workflows/definitions';
import { syncWorkflowId } from '../../runtime/ids';
import { refOf, requestSync } from '../../runtime/requests';
import type { ConnectorDefinition } from '../../config/types';
import { startHarness, uniqueName, waitSummary, type Harness } from '../support/harness';
import { oktaAdmin } from '../support/okta-admin';
import { comparable, connectorYaml, expectedExport, snapshot } from '../support/okta-expect';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ emulator: { users: 600, groups: 40, apps: 6, seed: 7 } });
  await h.startWorker();
});
afterAll(async () => h?.close());

describe('okta full and delta sync', () => {
  const name = uniqueName('okta-e2e');

  it('a full sync stores exactly the emulated org, DEPROVISIONED users included', async () => {
    await h.addConnector(connectorYaml(name));
    const summary = await h.sync(name, 'full');
    expect(summary.status).toBe('succeeded');
    expect(summary.mode).toBe('full');
    const snap = await snapshot(h.emulator!.url);
    expect(snap.users.some((u) => u.status === 'DEPROVISIONED')).toBe(true);
    const exported = await h.store.exportData(name, { includeDeleted: false });
    expect(comparable(exported)).toEqual(expectedExport(snap));
    expect(summary.counts.inserted).toBe(
      snap.users.length + snap.groups.length + snap.apps.length + snap.memberships.length + snap.appUsers.length,
    );

    // The run is findable in the Temporal UI by its search attributes.
    const found: string[] = [];
    for (let i = 0; i < 40 && found.length === 0; i++) {
      for await (const wf of h.client.workflow.list({ query: `TigerConnector = "${name}"` })) found.push(wf.workflowId);
      if (found.length === 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(found).toContain(syncWorkflowId(name));
  });

  it('a second full sync changes nothing', async () => {
    const summary = await h.sync(name, 'full');
    expect(summary.status).toBe('succeeded');
    expect(summary.counts.inserted).toBe(0);
    expect(summary.counts.updated).toBe(0);
    expect(summary.counts.deleted).toBe(0);
  });

  it('a delta run after admin changes brings the store to the org again', async () => {
    const admin = oktaAdmin(h.emulator!.url);
    const before = await snapshot(h.emulator!.url);
    const active = before.users.filter((u) => u.status === 'ACTIVE');
    const created = await admin.createUser({ login: 'new.hire@example.com', email: 'new.hire@example.com', firstName: 'New', lastName: 'Hire' });
    await admin.updateProfile(active[0].id, { ...active[0].profile, email: 'changed@example.com' });
    await admin.deactivate(active[1].id);
    await admin.deleteUser(active[2].id);
    const group = before.groups.find((g) => g.type === 'OKTA_GROUP')!;
    await admin.addMember(group.id, created.id);
    const oldMember = before.memberships.find((m) => m.groupId === group.id && m.userId !== active[2].id)!;
    await admin.removeMember(group.id, oldMember.userId);

    const summary = await h.sync(name, 'delta');
    expect(summary.status).toBe('succeeded');
    expect(summary.mode).toBe('delta');
    const after = await snapshot(h.emulator!.url);
    const exported = await h.store.exportData(name, { includeDeleted: false });
    expect(comparable(exported)).toEqual(expectedExport(after));
    expect(exported.users.find((u) => u.id === active[0].id)?.attributes.email).toBe('changed@example.com');
    // Okta adds a new user to Everyone without a membership event: the delta still sees it.
    expect(exported.memberships.filter((m) => m.child === created.id).length).toBeGreaterThanOrEqual(2);
    expect(exported.users.find((u) => u.id === active[2].id)).toBeUndefined();
    const withDeleted = await h.store.exportData(name, { includeDeleted: true });
    expect(withDeleted.users.find((u) => u.id === active[2].id)?.deletedAt).toBeTruthy();
  });

  it('sync requests made while a run is busy are coalesced into one more run', async () => {
    const def = (await h.store.getConnector(name))!.definition as ConnectorDefinition;
    const reqs = await Promise.all([1, 2, 3].map(() => requestSync(h.client, refOf(def), 'delta', 'cli')));
    const summaries = await Promise.all(reqs.map((r) => waitSummary(h.client, syncWorkflowId(name), r.requestId)));
    expect(summaries.every((s) => s.status === 'succeeded')).toBe(true);
    expect(new Set(summaries.map((s) => s.runId)).size).toBeLessThanOrEqual(2);
  });
});

describe('bounded history', () => {
  it('continue-as-new in the middle of a full run keeps every record exactly once', async () => {
    const name = uniqueName('okta-can');
    await h.addConnector(connectorYaml(name));
    // Test-only tuning: tiny batches and a hand-over after every page force several continue-as-new.
    const summary = await h.sync(name, 'full', { batchRecords: 50, batchMillis: 1000, continueAsNewAfterPages: 1 });
    expect(summary.status).toBe('succeeded');
    const snap = await snapshot(h.emulator!.url);
    expect(comparable(await h.store.exportData(name, { includeDeleted: true }))).toEqual(expectedExport(snap));
    const runs: string[] = [];
    for (let i = 0; i < 40 && runs.length < 3; i++) {
      runs.length = 0;
      for await (const wf of h.client.workflow.list({ query: `WorkflowId = "${syncWorkflowId(name)}"` })) runs.push(wf.runId);
      if (runs.length < 3) await new Promise((r) => setTimeout(r, 250));
    }
    expect(runs.length).toBeGreaterThanOrEqual(3);
  });
});

describe('webhooks', () => {
  it('an Okta event hook delivery updates the user in the store without a sync', async () => {
    const name = uniqueName('okta-hook');
    process.env.TEST_HOOK_SECRET = 'hook-secret-123';
    await h.addConnector(
      connectorYaml(name, 'webhooks:\n  enabled: true\n  secret: ${TEST_HOOK_SECRET}\n  events:\n    - user.account.update_profile\n'),
    );
    expect((await h.sync(name, 'full')).status).toBe('succeeded');
    const server = createTigerServer({ store: h.store, client: async () => h.client });
    const port = await listen(server, 0);
    try {
      const admin = oktaAdmin(h.emulator!.url);
      const hook = await admin.registerHook(`http://127.0.0.1:${port}/webhooks/okta/${name}`, 'hook-secret-123', ['user.account.update_profile']);
      expect(hook.verificationStatus).toBe('VERIFIED');
      const snap = await snapshot(h.emulator!.url);
      const user = snap.users.find((u) => u.status === 'ACTIVE')!;
      await admin.updateProfile(user.id, { ...user.profile, email: 'via.webhook@example.com' });
      let email: unknown;
      for (let i = 0; i < 120 && email !== 'via.webhook@example.com'; i++) {
        await new Promise((r) => setTimeout(r, 250));
        email = (await h.store.exportData(name, { includeDeleted: false })).users.find((u) => u.id === user.id)?.attributes.email;
      }
      expect(email).toBe('via.webhook@example.com');

      // A delivery with the wrong secret is refused and signals nothing.
      const res = await fetch(`http://127.0.0.1:${port}/webhooks/okta/${name}`, {
        method: 'POST',
        headers: { authorization: 'wrong', 'content-type': 'application/json' },
        body: JSON.stringify({ data: { events: [{ uuid: 'x', eventType: 'user.account.update_profile', target: [{ id: user.id, type: 'User' }] }] } }),
      });
      expect(res.status).toBe(401);
    } finally {
      server.close();
    }
  });
});

describe('failure handling', () => {
  it('injected 5xx, 429 and malformed responses still give the exact store', async () => {
    const name = uniqueName('okta-faults');
    await h.addConnector(connectorYaml(name));
    h.emulator!.setKnobs({ faultRate: 0.1, faultKinds: ['5xx', '429', 'malformed'] });
    try {
      const summary = await h.sync(name, 'full');
      expect(summary.error).toBeUndefined();
      expect(summary.status).toBe('succeeded');
    } finally {
      h.emulator!.setKnobs({ faultRate: 0 });
    }
    const exported = await h.store.exportData(name, { includeDeleted: false });
    expect(comparable(exported)).toEqual(expectedExport(await snapshot(h.emulator!.url)));
  });

  it('a 403 on one endpoint is logged and the run goes on without deleting that resource', async () => {
    const name = uniqueName('okta-403');
    await h.addConnector(connectorYaml(name));
    expect((await h.sync(name, 'full')).status).toBe('succeeded');
    const appsBefore = (await h.store.exportData(name, { includeDeleted: false })).apps.length;
    h.emulator!.setKnobs({ forbidden: ['apps'] });
    try {
      const summary = await h.sync(name, 'full');
      expect(summary.status).toBe('succeeded');
    } finally {
      h.emulator!.setKnobs({ forbidden: [] });
    }
    const logs = await h.store.listLogs(name, { limit: 50 });
    expect(logs.some((l) => l.level === 'warn' && /403|E0000006/.test(l.message))).toBe(true);
    expect((await h.store.exportData(name, { includeDeleted: false })).apps.length).toBe(appsBefore);
  });

  it('a wrong API token fails the run at once with a message that names the token, not its value', async () => {
    const name = uniqueName('okta-401');
    process.env.WRONG_TOKEN = 'not-the-right-token';
    await h.addConnector(connectorYaml(name).replace('${OKTA_API_TOKEN}', '${WRONG_TOKEN}'));
    const summary = await h.sync(name, 'full');
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/token|E0000011|401/i);
    expect(summary.error).not.toContain('not-the-right-token');
  });

  it('a connector whose secret reference cannot be resolved fails its run with the variable named', async () => {
    const name = uniqueName('okta-noenv');
    await h.addConnector(connectorYaml(name).replace('${OKTA_API_TOKEN}', '${TIGER_TEST_UNSET_TOKEN}'));
    const summary = await h.sync(name, 'full');
    expect(summary.status).toBe('failed');
    expect(summary.error).toContain('TIGER_TEST_UNSET_TOKEN');
    // The workflow is still alive and serves the next request.
    process.env.TIGER_TEST_UNSET_TOKEN = 'emulator-token';
    try {
      expect((await h.sync(name, 'full')).status).toBe('succeeded');
    } finally {
      delete process.env.TIGER_TEST_UNSET_TOKEN;
    }
  });

  it('a full run that would delete more than the threshold holds until approved', async () => {
    const name = uniqueName('okta-guard');
    await h.addConnector(connectorYaml(name, 'deletionThreshold: 0.01\n'));
    expect((await h.sync(name, 'full')).status).toBe('succeeded');
    const admin = oktaAdmin(h.emulator!.url);
    const users = (await snapshot(h.emulator!.url)).users.filter((u) => u.status === 'ACTIVE').slice(5, 20);
    for (const u of users) await admin.deleteUser(u.id);
    const def = (await h.store.getConnector(name))!.definition as ConnectorDefinition;
    const req = await requestSync(h.client, refOf(def), 'full', 'cli');
    const handle = h.client.workflow.getHandle(syncWorkflowId(name));
    let progress: { state: string; run?: { runId: string } } = { state: 'idle' };
    for (let i = 0; i < 400 && progress.state !== 'held'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      progress = await handle.query(progressQuery);
    }
    expect(progress.state).toBe('held');
    expect((await h.store.exportData(name, { includeDeleted: false })).users.some((u) => u.id === users[0].id)).toBe(true);
    await handle.executeUpdate(approveDeletionsUpdate, { args: [{ runId: progress.run!.runId, approved: true }] });
    const summary = await waitSummary(h.client, syncWorkflowId(name), req.requestId);
    expect(summary.status).toBe('succeeded');
    const left = (await h.store.exportData(name, { includeDeleted: false })).users.map((u) => u.id);
    for (const u of users) expect(left).not.toContain(u.id);
  });
});
