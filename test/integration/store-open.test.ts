import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../store';

const dir = mkdtempSync(join(tmpdir(), 'tiger-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openStore', () => {
  it('opens and migrates the embedded SQLite store when no database URL is set', async () => {
    const store = await openStore({ databaseUrl: '', sqliteFile: join(dir, 'a.db') });
    try {
      expect(store.engine).toBe(process.env.DATABASE_URL ? 'postgres' : 'sqlite');
      expect(await store.counts('none')).toEqual({ user: 0, group: 0, app: 0, membership: 0, appUser: 0 });
    } finally {
      await store.close();
    }
  });

  it('refuses a URL of another database without echoing it', async () => {
    await expect(openStore({ databaseUrl: 'mysql://root:hunter2@db/x', sqliteFile: join(dir, 'c.db') })).rejects.toThrow(
      /^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL[^]*$/,
    );
    await expect(openStore({ databaseUrl: 'mysql://root:hunter2@db/x', sqliteFile: join(dir, 'c.db') })).rejects.not.toThrow(/hunter2/);
  });
});
