// One webhook batch re-fetched from Okta (seed 002: "tolerates per-request 403 Forbidden responses
// and continues processing other events"): an object Okta refuses, an unknown id and ids that are
// not Okta ids are each skipped or handled alone, with run-log lines naming them; the good
// objects of the same batch are applied and the batch succeeds.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorCache } from '../../activities/connector-cache';
import { createLiveActivities } from '../../activities/live';
import { parseConnectorText } from '../../config/load';
import { typeSchemas } from '../../connectors/registry';
import { startOktaEmulator, type OktaEmulator } from '../../emulators/okta';
import { SqliteStore } from '../../store/sqlite';
import { oktaAdmin } from '../support/okta-admin';
import { connectorYaml, snapshot } from '../support/okta-expect';

const TOKEN = 'it-okta-live';
const NAME = 'okta-live-it';
let emu: OktaEmulator;
let store: SqliteStore;
let connectors: ConnectorCache;
let dir: string;

beforeAll(async () => {
  emu = await startOktaEmulator({ port: 0, users: 60, groups: 4, apps: 2, seed: 5, apiToken: TOKEN, membershipsPerGroup: 8 });
  dir = mkdtempSync(join(tmpdir(), 'tiger-okta-live-'));
  store = new SqliteStore(join(dir, 'tiger.db'));
  await store.migrate();
  const def = parseConnectorText(connectorYaml(NAME), 'test.yaml', typeSchemas());
  await store.saveConnector({ name: def.name, type: def.type, enabled: true, definition: def });
  connectors = new ConnectorCache(store, { OKTA_DOMAIN: emu.url, OKTA_API_TOKEN: TOKEN });
});

afterAll(async () => {
  await connectors?.closeAll();
  await store?.close();
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('live batch with per-object failures', () => {
  it('applies the good objects, skips a forbidden one and malformed ids with warnings, and succeeds', async () => {
    const snap = await snapshot(emu.url, TOKEN);
    const [good, refused] = snap.users.filter((u) => u.status === 'ACTIVE');
    const group = snap.groups.find((g) => g.type === 'OKTA_GROUP')!;
    await oktaAdmin(emu.url, TOKEN).updateProfile(good!.id, { ...good!.profile, email: 'live.good@example.com' });
    emu.setKnobs({ forbiddenIds: [refused!.id] });
    const unknown = '00uDoesNotExist123456';
    const malformed = ['.', '../x', '', 'a/b'];
    const live = createLiveActivities({ store, connectors });
    const batchKey = 'live-batch-1';
    let result;
    try {
      result = await live.applyLiveEvents({
        connector: NAME,
        batchKey,
        eventTypes: ['user.account.update_profile', 'group.user_membership.add'],
        targets: [
          { resource: 'users', id: good!.id },
          { resource: 'users', id: refused!.id },
          { resource: 'users', id: unknown },
          ...malformed.map((id) => ({ resource: 'users' as const, id })),
          { resource: 'groups', id: group.id },
        ],
      });
    } finally {
      emu.setKnobs({ forbiddenIds: [] });
    }
    expect(result.skipped).toBe(1 + malformed.length);
    expect((await store.getRun(batchKey))?.status).toBe('succeeded');

    const exported = await store.exportData(NAME, { includeDeleted: true });
    expect(exported.users.map((u) => u.id).sort()).toEqual([good!.id]);
    expect(exported.users[0]!.attributes.email).toBe('live.good@example.com');
    expect(exported.groups.map((g) => g.id)).toEqual([group.id]);
    const members = snap.memberships.filter((m) => m.groupId === group.id).map((m) => m.userId).sort();
    expect(exported.memberships.map((m) => m.child).sort()).toEqual(members);

    const logs = await store.listLogs(NAME, { limit: 50, runId: batchKey });
    const warns = logs.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warns.find((m) => m.includes(refused!.id))).toMatch(/403 E0000006.*okta\.users\.read/);
    for (const id of malformed) expect(warns.some((m) => m.includes(`users id ${JSON.stringify(id)} is not an Okta id`))).toBe(true);
    expect(warns).toHaveLength(1 + malformed.length);
    expect(logs.find((l) => l.level === 'info')?.message).toContain(`re-fetched 3 of ${3 + 1 + malformed.length} objects, skipped ${1 + malformed.length}`);
    for (const l of logs) expect(l.message).not.toContain(TOKEN);
  });
});
