// A batch staged in parts (activities/sync.ts, pipeline/read-batch.ts), on a real SQLite store (its
// writer thread) reading the Okta emulator over HTTP: the parts hold exactly the source's records,
// an apply interrupted after some parts and retried applies each record once, a fetch retried after
// the apply leaves the applied parts alone, and a part that cannot be written fails the batch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorCache } from '../../activities/connector-cache';
import { createSyncActivities, partKey } from '../../activities/sync';
import { parseConnectorText } from '../../config/load';
import { typeSchemas } from '../../connectors/registry';
import { startOktaEmulator, type OktaEmulator } from '../../emulators/okta/server';
import { SqliteStore } from '../../store/sqlite';
import type { IdentityStore } from '../../store/types';
import { connectorYaml, snapshot } from '../support/okta-expect';

const dir = mkdtempSync(join(tmpdir(), 'tiger-parts-'));
let emulator: OktaEmulator;
let store: SqliteStore;
let env: Record<string, string>;
let seq = 0;

beforeAll(async () => {
  // 25,000 users of five mapped attributes stage at ~4 MB: one batch, several parts.
  emulator = await startOktaEmulator({ port: 0, users: 25_000, groups: 30, apps: 2, seed: 11 });
  store = new SqliteStore(join(dir, 'tiger.db'));
  await store.migrate();
  env = { OKTA_DOMAIN: emulator.url, OKTA_API_TOKEN: 'emulator-token' };
});
afterAll(async () => {
  await store.close();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

async function begin(acts: ReturnType<typeof createSyncActivities>) {
  const name = `parts-${++seq}`;
  const def = parseConnectorText(connectorYaml(name), 'test.yaml', typeSchemas());
  await store.saveConnector({ name, type: def.type, enabled: true, definition: def });
  const runId = `${name}-run`;
  await acts.beginRun({ connector: name, runId, mode: 'full', trigger: 'test' });
  return { name, runId, stageKey: `${runId}/0` };
}

const fetchArgs = (name: string, runId: string, stageKey: string) => ({
  connector: name, runId, resource: 'users', cursor: null, stageKey, maxRecords: 50_000, maxMillis: 60_000,
});

describe('a batch staged in parts', () => {
  it('holds every user of the source once, and an apply retried after some parts applies the rest only', async () => {
    const acts = createSyncActivities({ store, connectors: new ConnectorCache(store, env) });
    const { name, runId, stageKey } = await begin(acts);
    const fetched = await acts.fetchBatch(fetchArgs(name, runId, stageKey));
    expect(fetched).toMatchObject({ count: 25_000, kept: 25_000, nextCursor: null });
    expect(fetched.parts).toBeGreaterThan(2);

    // The first attempt applied two parts, then its worker died.
    const first = await store.applyStagedPage(partKey(stageKey, 0), name, runId);
    const second = await store.applyStagedPage(partKey(stageKey, 1), name, runId);
    expect(first.inserted + second.inserted).toBeGreaterThan(0);
    expect(first.inserted + second.inserted).toBeLessThan(25_000);

    // The retry: counts as if applied once, every user stored once.
    const counts = await acts.applyBatch({ connector: name, runId, stageKey, parts: fetched.parts });
    expect(counts).toEqual({ inserted: 25_000, updated: 0, unchanged: 0, deleted: 0 });
    const users = (await store.exportData(name, { includeDeleted: false })).users;
    expect(users.map((u) => u.id).sort()).toEqual((await snapshot(emulator.url)).users.map((u) => u.id).sort());

    // A fetch retried after its batch was applied (its result was lost) re-stages nothing over
    // the applied parts, and the apply answers the same counts without writing again.
    const again = await acts.fetchBatch(fetchArgs(name, runId, stageKey));
    expect(again.parts).toBe(fetched.parts);
    expect(await acts.applyBatch({ connector: name, runId, stageKey, parts: again.parts })).toEqual(counts);
    expect(await store.counts(name)).toMatchObject({ user: 25_000 });
  });

  it('a batch fetched before parts existed (no parts in its result) is applied from its stage key', async () => {
    const acts = createSyncActivities({ store, connectors: new ConnectorCache(store, env) });
    const { name, runId, stageKey } = await begin(acts);
    await store.stagePage(stageKey, name, { objects: [{ kind: 'user', id: 'old-1', attrs: { login: 'ünï@example.com' } }], links: [], deletions: [], linkSets: [] }, runId);
    expect(await acts.applyBatch({ connector: name, runId, stageKey })).toEqual({ inserted: 1, updated: 0, unchanged: 0, deleted: 0 });
    expect((await store.exportData(name, { includeDeleted: false })).users.map((u) => u.id)).toEqual(['old-1']);
  });

  it('a part the store cannot write fails the batch with the store error, after every write settled', async () => {
    let writes = 0;
    let settledWrites = 0;
    // The real store, but its second part write fails.
    const failing = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop !== 'stagePage') return Reflect.get(target, prop, receiver) as unknown;
        return async (...args: Parameters<IdentityStore['stagePage']>) => {
          try {
            if (++writes === 2) throw new Error('disk full (injected) writing part 1');
            return await target.stagePage(...args);
          } finally {
            settledWrites++;
          }
        };
      },
    });
    const acts = createSyncActivities({ store: failing, connectors: new ConnectorCache(store, env) });
    const { name, runId, stageKey } = await begin(acts);
    await expect(acts.fetchBatch(fetchArgs(name, runId, stageKey))).rejects.toThrow(/disk full \(injected\) writing part 1/);
    expect(writes).toBeGreaterThan(2);
    expect(settledWrites).toBe(writes);
    // Nothing reached the live tables: only an apply writes there.
    expect(await store.counts(name)).toMatchObject({ user: 0 });
  });
});
