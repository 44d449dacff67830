// Databases created before the change sequence and run snapshots existed must migrate in place:
// the old tables (as the first release created them) gain the new columns, and a full run on
// the migrated store still finds what it did not see.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../store/postgres';
import { SqliteStore } from '../../store/sqlite';
import type { IdentityStore } from '../../store/types';

const OLD_TABLES = `
CREATE TABLE objects (connector TEXT NOT NULL, kind TEXT NOT NULL, external_id TEXT NOT NULL, attributes TEXT NOT NULL,
  hash TEXT NOT NULL, source_updated_at TEXT, last_seen_run TEXT, deleted_at TEXT, created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL, PRIMARY KEY (connector, kind, external_id));
CREATE TABLE links (connector TEXT NOT NULL, kind TEXT NOT NULL, parent_id TEXT NOT NULL, child_id TEXT NOT NULL,
  child_kind TEXT NOT NULL, attributes TEXT, hash TEXT, last_seen_run TEXT, deleted_at TEXT,
  PRIMARY KEY (connector, kind, parent_id, child_id));
CREATE TABLE runs (run_id TEXT PRIMARY KEY, connector TEXT NOT NULL, mode TEXT NOT NULL, trigger TEXT NOT NULL,
  status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, fetched INTEGER NOT NULL DEFAULT 0,
  inserted INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0, unchanged INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0, error TEXT);
`;
const OLD_ROWS = `
INSERT INTO objects VALUES ('c', 'user', 'kept', '{}', 'h', NULL, 'old-run', NULL, '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z');
INSERT INTO objects VALUES ('c', 'user', 'gone', '{}', 'h', NULL, 'old-run', NULL, '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z');
INSERT INTO links VALUES ('c', 'membership', 'g', 'gone', 'user', NULL, NULL, 'old-run', NULL);
INSERT INTO runs (run_id, connector, mode, trigger, status, started_at) VALUES ('old-run', 'c', 'full', 'cli', 'succeeded', '2020-01-01T00:00:00.000Z');
`;

async function fullRunAfterMigration(store: IdentityStore): Promise<void> {
  await store.migrate();
  await store.migrate(); // twice: the added columns must not be added again
  expect(await store.getRunDefinition('old-run')).toBeNull();
  await store.beginRun({ runId: 'new-run', connector: 'c', mode: 'full', trigger: 'cli', definition: { v: 1 } });
  await store.stagePage('new-run/0', 'c', { objects: [{ kind: 'user', id: 'kept', attrs: {} }], links: [], deletions: [], linkSets: [] }, 'new-run');
  await store.applyStagedPage('new-run/0', 'c', 'new-run');
  expect(await store.countUnseen('c', 'new-run', ['user', 'membership'])).toEqual([
    { kind: 'user', total: 2, unseen: 1 },
    { kind: 'membership', total: 1, unseen: 1 },
  ]);
  expect(await store.deleteUnseen('c', 'new-run', ['user', 'membership'])).toBe(2);
  expect((await store.exportData('c', { includeDeleted: false })).users.map((u) => u.id)).toEqual(['kept']);
  expect(await store.getRunDefinition('new-run')).toEqual({ v: 1 });
}

describe('migrating a database created before the change sequence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiger-migrate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sqlite: adds the new columns and the sequence in place', async () => {
    const file = join(dir, 'old.db');
    const old = new Database(file);
    old.exec(OLD_TABLES + OLD_ROWS);
    old.close();
    const store = new SqliteStore(file);
    try {
      await fullRunAfterMigration(store);
    } finally {
      await store.close();
    }
  });

  it('postgres: adds the new columns and the sequence in place', async () => {
    const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const schema = `tiger_migrate_test_${process.pid}_${Date.now()}`;
    const admin = new Client({ connectionString: url });
    await admin.connect();
    const store = new PostgresStore(url, { schema });
    try {
      const pgTables = OLD_TABLES.replace(/CREATE TABLE /g, `CREATE TABLE ${schema}.`)
        .replace(/(created_at|updated_at|started_at|finished_at|deleted_at) TEXT/g, '$1 timestamptz')
        .replace(/attributes TEXT/g, 'attributes jsonb');
      const pgRows = OLD_ROWS.replace(/INSERT INTO /g, `INSERT INTO ${schema}.`);
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.query(pgTables + pgRows);
      await fullRunAfterMigration(store);
    } finally {
      await store.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });
});
