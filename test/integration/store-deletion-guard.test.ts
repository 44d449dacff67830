// The detectDeletions activity on a real store: which full-run deletions wait for a person.
// threshold 1 holds a 100 % wipe; more than deletionLimit rows of one kind hold whatever the
// share, member removals included; an approved run deletes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorCache } from '../../activities/connector-cache';
import { createSyncActivities } from '../../activities/sync';
import { parseConnectorText } from '../../config/load';
import { typeSchemas } from '../../connectors/registry';
import { SqliteStore } from '../../store/sqlite';
import type { StagedObject, StagedPage } from '../../store/types';
import { connectorYaml } from '../support/okta-expect';

const dir = mkdtempSync(join(tmpdir(), 'tiger-guard-'));
let store: SqliteStore;
let acts: ReturnType<typeof createSyncActivities>;
let seq = 0;
beforeAll(async () => {
  store = new SqliteStore(join(dir, 'tiger.db'));
  await store.migrate();
  const env = { OKTA_DOMAIN: 'https://guard-test.okta.com', OKTA_API_TOKEN: 'not-used' };
  acts = createSyncActivities({ store, connectors: new ConnectorCache(store, env) });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const users = (n: number): StagedObject[] => Array.from({ length: n }, (_, i) => ({ kind: 'user', id: `u${i}`, attrs: { n: i } }));
const page = (objects: StagedObject[], members: string[]): StagedPage => ({
  objects: [...objects, { kind: 'group', id: 'g1', attrs: {} }],
  links: members.map((child) => ({ kind: 'membership', parent: 'g1', child, childKind: 'user' })),
  deletions: [],
  linkSets: [],
});

async function connector(extra: string): Promise<string> {
  const name = `guard-${++seq}`;
  const def = parseConnectorText(connectorYaml(name, extra), 'test.yaml', typeSchemas());
  await store.saveConnector({ name, type: def.type, enabled: true, definition: def });
  return name;
}

/** A full run that reads `p`: begun, applied, then its deletion step asked. */
async function fullRun(name: string, p: StagedPage, approved = false) {
  const runId = `${name}/run-${++seq}`;
  await store.beginRun({ runId, connector: name, mode: 'full', trigger: 'test', definition: (await store.getConnector(name))!.definition });
  await store.stagePage(`${runId}/0`, name, p, runId);
  await store.applyStagedPage(`${runId}/0`, name, runId);
  const result = await acts.detectDeletions({ connector: name, runId, resources: ['users', 'groups', 'memberships'], incomplete: [], approved });
  const held = (await store.listLogs(name, { limit: 10, runId })).find((l) => /^holding deletions/.test(l.message));
  return { ...result, log: held?.message };
}

describe('detectDeletions holds', () => {
  it('a 100 % wipe when deletionThreshold is 1', async () => {
    const name = await connector('deletionThreshold: 1\n');
    expect((await fullRun(name, page(users(12), ['u0', 'u1']))).held).toBe(false);
    const wiped = await fullRun(name, { objects: [{ kind: 'group', id: 'g1', attrs: {} }], links: [], deletions: [], linkSets: [] });
    expect(wiped.held).toBe(true);
    expect(wiped.reason).toMatch(/12 of 12 users \(100%\): at or above the deletionThreshold of 100%/);
    expect(wiped.log).toContain('approve-deletions');
    expect(await store.counts(name)).toMatchObject({ user: 12, membership: 2 });
  });

  it('more than deletionLimit rows of one kind, member removals included, whatever the share', async () => {
    const name = await connector('deletionThreshold: 1\ndeletionLimit: 3\n');
    const all = users(40);
    const everyone = all.map((u) => u.id);
    expect((await fullRun(name, page(all, everyone))).held).toBe(false);
    // 4 of 40 members leave g1 (10 %): nobody is deleted, yet 4 > 3 removals.
    const removals = await fullRun(name, page(all, everyone.slice(4)));
    expect(removals.held).toBe(true);
    expect(removals.reason).toMatch(/4 of 40 memberships: more than the deletionLimit of 3/);
    expect(await store.counts(name)).toMatchObject({ user: 40, membership: 40 });

    const approved = await fullRun(name, page(all, everyone.slice(4)), true);
    expect(approved).toMatchObject({ held: false, deleted: 4 });
    expect(await store.counts(name)).toMatchObject({ user: 40, membership: 36 });
  });

  it('nothing below both rules', async () => {
    const name = await connector('deletionThreshold: 0.5\ndeletionLimit: 10\n');
    expect((await fullRun(name, page(users(40), []))).held).toBe(false);
    expect(await fullRun(name, page(users(30), []))).toMatchObject({ held: false, deleted: 10 });
  });
});
