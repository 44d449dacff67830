// One connection to the store's SQLite file, set up the same way wherever it is opened (the
// store, its page-writer thread).
import Database from 'better-sqlite3';

/** cacheMb: SQLite's page cache for this connection (memory it keeps once touched). */
export function openSqlite(file: string, cacheMb = 16): Database.Database {
  const db = new Database(file);
  // The worker, the CLI and the webhook server open the same file: wait for each other's
  // write locks instead of failing, and let readers run beside the one writer (WAL).
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode can lose the last commits on power loss, never corrupt the file; a
  // lost apply is redone from its stage row, so the fsync per commit is not worth it.
  db.pragma('synchronous = NORMAL');
  // A million links do not fit the 2 MB default cache. Beyond it a miss is a read from the OS
  // page cache, not the disk: 64 MB applied a 1.5M-record sync no faster than 16 MB, and kept 45 MB
  // more resident in every worker (bench/profile.ts, 2026-11).
  db.pragma(`cache_size = -${Math.round(cacheMb * 1024)}`);
  // A full sync writes each staged page twice (staged, then emptied on apply) and each link
  // once: checkpointing every 40 MB of WAL instead of 4 MB copies a page rewritten in between
  // once, and cut the SQLite share of a 1.5M-record sync by a sixth (bench/profile.ts).
  db.pragma('wal_autocheckpoint = 10000');
  return db;
}

export type Sql = ((text: string) => Database.Statement) & { clear(): void };

/** Statements prepared once per SQL text; preparing needs the tables, so after migrate. */
export function statementCache(db: Database.Database): Sql {
  const statements = new Map<string, Database.Statement>();
  const sql = (text: string): Database.Statement => {
    let statement = statements.get(text);
    if (!statement) {
      statement = db.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
  return Object.assign(sql, { clear: () => statements.clear() });
}
