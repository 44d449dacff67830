// The machine's real PostgreSQL (127.0.0.1:5432, trust) and MariaDB (127.0.0.1:3306, root) for the
// SQL connector's tests: a scratch schema (PostgreSQL) or database (MariaDB) per test file, plain
// statements out of band, and a second connection for transactions left open on purpose.
import * as mariadb from 'mariadb';
import pg from 'pg';

export interface Tx {
  exec(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface Engine {
  name: 'postgres' | 'mariadb';
  /** The connection string of the scratch schema/database. */
  url: string;
  /** `?` placeholders on both engines. */
  exec(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  tx(): Promise<Tx>;
  /** A table name as importQuery writes it. */
  table(name: string): string;
  /** Quoted identifier (for out-of-band statements). */
  q(name: string): string;
  types: { time: string; time2: string; bigint: string; binary: string; flag: string; date: string };
  /** The database clock less `seconds`, in UTC, as an expression for a `time` column. */
  ago(seconds: number, col?: 'time' | 'time2'): string;
  /** One value for every row a statement stamps (the statement's clock), for a `time` column. */
  stamp(col?: 'time' | 'time2'): string;
  /** `true`/`false` as the flag column wants them. */
  flag(v: boolean): string;
  /** 8-byte big-endian binary literal of n. */
  bin(n: bigint): string;
  close(): Promise<void>;
}

const toDollars = (sql: string) => {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
};

export async function postgresEngine(run: string): Promise<Engine> {
  const schema = `tiger_sql_${run}`;
  const base = 'postgres://postgres@127.0.0.1:5432/test';
  const admin = new pg.Client({ connectionString: base, options: '-c TimeZone=UTC' });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const exec = async (sql: string, params: unknown[] = []) => (await admin.query(toDollars(sql), params)).rows as Record<string, unknown>[];
  return {
    name: 'postgres',
    url: base,
    exec,
    async tx() {
      const c = new pg.Client({ connectionString: base, options: '-c TimeZone=UTC' });
      await c.connect();
      await c.query({ text: 'BEGIN' });
      return {
        exec: async (sql, params = []) => (await c.query(toDollars(sql), params)).rows as Record<string, unknown>[],
        commit: async () => {
          await c.query({ text: 'COMMIT' });
          await c.end();
        },
        rollback: async () => {
          await c.query({ text: 'ROLLBACK' }).catch(() => undefined);
          await c.end();
        },
      };
    },
    table: (name) => `${schema}.${name}`,
    q: (name) => `"${name.replace(/"/g, '""')}"`,
    types: { time: 'timestamptz(6)', time2: 'timestamp(6)', bigint: 'bigint', binary: 'bytea', flag: 'boolean', date: 'date' },
    ago: (s, col = 'time') => (col === 'time' ? `(clock_timestamp() - interval '${s} seconds')` : `((clock_timestamp() AT TIME ZONE 'UTC') - interval '${s} seconds')`),
    stamp: (col = 'time') => (col === 'time' ? 'now()' : "(now() AT TIME ZONE 'UTC')"),
    flag: (v) => (v ? 'true' : 'false'),
    bin: (n) => `'\\x${n.toString(16).padStart(16, '0')}'::bytea`,
    async close() {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
      await admin.end();
    },
  };
}

export async function mariadbEngine(run: string): Promise<Engine> {
  const db = `tiger_sql_${run}`;
  const opts = { host: '127.0.0.1', port: 3306, user: 'root', dateStrings: true, initSql: "SET time_zone = '+00:00'" };
  const admin = await mariadb.createConnection(opts);
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.query(`USE ${db}`);
  const rowsOf = (r: unknown) => (Array.isArray(r) ? [...(r as Record<string, unknown>[])] : []);
  const exec = async (sql: string, params: unknown[] = []) => rowsOf(await admin.query(sql, params));
  return {
    name: 'mariadb',
    url: `mariadb://root@127.0.0.1:3306/${db}`,
    exec,
    async tx() {
      const c = await mariadb.createConnection({ ...opts, database: db });
      await c.beginTransaction();
      return {
        exec: async (sql, params = []) => rowsOf(await c.query(sql, params)),
        commit: async () => {
          await c.commit();
          await c.end();
        },
        rollback: async () => {
          await c.rollback().catch(() => undefined);
          await c.end();
        },
      };
    },
    table: (name) => name,
    q: (name) => `\`${name.replace(/`/g, '``')}\``,
    types: { time: 'DATETIME(6)', time2: 'TIMESTAMP(6) NULL', bigint: 'BIGINT', binary: 'VARBINARY(8)', flag: 'BIT(1)', date: 'DATE' },
    ago: (s) => `(NOW(6) - INTERVAL ${Math.round(s * 1_000_000)} MICROSECOND)`,
    stamp: () => 'NOW(6)',
    flag: (v) => (v ? "b'1'" : "b'0'"),
    bin: (n) => `UNHEX('${n.toString(16).padStart(16, '0')}')`,
    async close() {
      await admin.query(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
      await admin.end();
    },
  };
}

export const ENGINES = [
  ['postgres', postgresEngine],
  ['mariadb', mariadbEngine],
] as const;
