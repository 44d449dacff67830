// End to end on the real Temporal dev server: a full run whose Okta users list ends before its
// last page (empty pages that keep linking onward without end) deletes no user and says why in
// the run log; the store keeps exactly the org. A delta on the lastUpdated fallback whose groups
// phase is refused leaves that phase's start in the stored watermark, so a later delta still
// brings the group's membership change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueName, type Harness } from '../support/harness';
import { oktaAdmin } from '../support/okta-admin';
import { comparable, connectorYaml, expectedExport, snapshot } from '../support/okta-expect';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ emulator: { users: 600, groups: 12, apps: 3, seed: 23 } });
  await h.startWorker();
});
afterAll(async () => h?.close());

describe('okta full run with a list that ends early', () => {
  it('deletes nothing of the incomplete resource and logs the reason', async () => {
    const name = uniqueName('okta-partial');
    // A guard that holds only a 100 % wipe: the old code deleted two thirds of the users here.
    await h.addConnector(connectorYaml(name, 'deletionThreshold: 1\n'));
    expect((await h.sync(name, 'full')).status).toBe('succeeded');
    const snap = await snapshot(h.emulator!.url);
    expect(comparable(await h.store.exportData(name, { includeDeleted: false }))).toEqual(expectedExport(snap));

    h.emulator!.setKnobs({ pageFaults: [{ path: '/api/v1/users', page: 2, kind: 'empty-next', times: 10_000 }] });
    let summary;
    try {
      summary = await h.sync(name, 'full');
    } finally {
      h.emulator!.setKnobs({ pageFaults: [] });
    }
    expect(summary.status).toBe('succeeded');
    expect(summary.counts.deleted).toBe(0);
    expect(comparable(await h.store.exportData(name, { includeDeleted: false }))).toEqual(expectedExport(snap));
    const logs = await h.store.listLogs(name, { limit: 100, runId: summary.runId });
    const line = logs.find((l) => l.level === 'warn' && l.message.startsWith('users: the read ended early and is incomplete'));
    expect(line?.message).toContain('/api/v1/users answered more than 25 empty pages in a row that still had a next link');
    expect(line?.message).not.toContain('emulator-token');
  });
});

describe('okta delta on the lastUpdated fallback with a phase refused', () => {
  it('does not store a watermark past the refused groups phase: the next delta brings the membership change', async () => {
    const name = uniqueName('okta-phase');
    await h.addConnector(connectorYaml(name));
    expect((await h.sync(name, 'full')).status).toBe('succeeded');
    const snap = await snapshot(h.emulator!.url);
    const group = snap.groups.find((g) => g.type === 'OKTA_GROUP')!;
    const joiner = snap.users.find((u) => u.status === 'ACTIVE' && !snap.memberships.some((m) => m.groupId === group.id && m.userId === u.id))!;
    await oktaAdmin(h.emulator!.url).addMember(group.id, joiner.id);
    // Each fallback window ends a minute before it starts (clock skew). Date the change just after
    // the stored watermark, inside the window the refused delta covers and before its end: a
    // watermark moved past that window would never search it again.
    const since = (JSON.parse((await h.store.getWatermark(name, 'delta'))!) as { since: string }).since;
    h.emulator!.state.findGroup(group.id)!.lastMembershipUpdated = Date.parse(since) + 1;

    h.emulator!.setKnobs({ forbidden: ['logs', 'groups'] });
    try {
      const refused = await h.sync(name, 'delta');
      expect(refused.status).toBe('succeeded');
      const logs = await h.store.listLogs(name, { limit: 50, runId: refused.runId });
      expect(logs.some((l) => l.level === 'warn' && l.message.includes('okta.groups.read'))).toBe(true);
      h.emulator!.setKnobs({ forbidden: ['logs'] });
      const next = await h.sync(name, 'delta');
      expect(next.status).toBe('succeeded');
    } finally {
      h.emulator!.setKnobs({ forbidden: [] });
    }
    const exported = await h.store.exportData(name, { includeDeleted: false });
    expect(exported.memberships.some((m) => m.parent === group.id && m.child === joiner.id)).toBe(true);
  });
});
