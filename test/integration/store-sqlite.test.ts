import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteStore } from '../../store/sqlite';
import { describeStoreContract } from '../store-contract';

const dir = mkdtempSync(join(tmpdir(), 'tiger-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreContract('sqlite', async () => {
  const store = new SqliteStore(join(dir, 'nested', 'tiger.db'));
  await store.migrate();
  return store;
});
