// Picks the engine: PostgreSQL when a postgres URL is configured, else the embedded SQLite file.
import { PostgresStore } from './postgres';
import { SqliteStore } from './sqlite';
import type { IdentityStore } from './types';

export { PostgresStore } from './postgres';
export { SqliteStore } from './sqlite';
export type * from './types';

export async function openStore(opts: { databaseUrl?: string; sqliteFile: string }): Promise<IdentityStore> {
  const url = opts.databaseUrl || process.env.DATABASE_URL || '';
  let store: IdentityStore;
  if (/^postgres(ql)?:\/\//i.test(url)) {
    store = new PostgresStore(url);
  } else if (url !== '') {
    // Falling back to SQLite here would sync into a file nobody looks at; say what is wrong
    // without echoing the URL (it may hold a password).
    throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL (unset it to use the embedded SQLite store)');
  } else {
    store = new SqliteStore(opts.sqliteFile);
  }
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  return store;
}
