// The SQLite store's writer thread (store/sqlite-writer.ts): pages staged and applied there are the
// store's rows, its errors reach the caller with their message, close() lets what was sent finish,
// and a thread that cannot start fails its callers instead of leaving them waiting.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../store/sqlite';
import { SqliteWriter } from '../../store/sqlite-writer';
import { describeStoreContract } from '../store-contract';

const dir = mkdtempSync(join(tmpdir(), 'tiger-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const page = (n: number, prefix: string) => ({
  objects: [{ kind: 'group' as const, id: `${prefix}-g`, attrs: { name: 'Ünïcode group' } }],
  links: Array.from({ length: n }, (_, i) => ({ kind: 'membership' as const, parent: `${prefix}-g`, child: `${prefix}-u${i}`, childKind: 'user' as const })),
  deletions: [],
  linkSets: [],
});

// ':memory:' cannot be shared with a thread: that store applies in-process, and must behave the same.
describeStoreContract('sqlite (in memory, no writer thread)', async () => {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  return store;
});

describe('the SQLite writer thread', () => {
  it('close() lets the requests already sent finish before the thread lets go of the file', async () => {
    const file = join(dir, 'close.db');
    const store = new SqliteStore(file);
    await store.migrate();
    await store.saveConnector({ name: 'c', type: 'okta', enabled: true, definition: {} });
    await store.beginRun({ runId: 'r1', connector: 'c', mode: 'full', trigger: 'test' });
    await store.stagePage('r1/0', 'c', page(3000, 'a'), 'r1');
    // Sent, not awaited: close() must not cut them off.
    const applied = store.applyStagedPage('r1/0', 'c', 'r1');
    const closed = store.close();
    expect(await applied).toEqual({ inserted: 3001, updated: 0, unchanged: 0, deleted: 0 });
    await closed;

    const again = new SqliteStore(file);
    try {
      expect(await again.counts('c')).toMatchObject({ group: 1, membership: 3000 });
      // The page was applied once: applying its key again answers the remembered counts.
      expect(await again.applyStagedPage('r1/0', 'c', 'r1')).toEqual({ inserted: 3001, updated: 0, unchanged: 0, deleted: 0 });
    } finally {
      await again.close();
    }
  });

  it("passes the thread's errors on with their message", async () => {
    const store = new SqliteStore(join(dir, 'errors.db'));
    await store.migrate();
    try {
      await expect(store.applyStagedPage('never-staged', 'c', 'r1')).rejects.toThrow(/unknown stage key "never-staged" for connector "c"/);
      // A staged page with a bad id is refused by the thread, naming the field, and nothing is written.
      const bad = { objects: [{ kind: 'user' as const, id: '', attrs: {} }], links: [], deletions: [], linkSets: [] };
      await store.stagePage('r1/bad', 'c', bad, 'r1');
      await expect(store.applyStagedPage('r1/bad', 'c', 'r1')).rejects.toThrow(/objects\[\]\.id/);
      expect(await store.counts('c')).toMatchObject({ user: 0 });
    } finally {
      await store.close();
    }
  });

  it('fails its callers when the thread cannot start, and tries again on the next request', async () => {
    // A directory where the database file should be: the thread's open fails.
    const writer = new SqliteWriter(dir);
    await expect(writer.apply('k', 'c', 'r')).rejects.toThrow(/directory|unable to open|SQLITE_CANTOPEN/i);
    await expect(writer.stage('k', 'c', '{}', 'r')).rejects.toThrow(/directory|unable to open|SQLITE_CANTOPEN/i);
    await writer.close();
  });
});
