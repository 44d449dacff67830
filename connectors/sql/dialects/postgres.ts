// PostgreSQL through `pg`: "double-quoted" names, $n parameters, LIMIT. Dates and timestamps come
// back as the server's text (no loss of microseconds, no time zone guessed by Node); sessions run
// in UTC so timestamptz text is stable and `timestamp` columns are taken as UTC (seed 004's
// ModifiedDateUtc).

import pg from 'pg';
import type { ColumnClass, ColumnInfo, Dialect, FailureKind, SqlSession } from './types';

const TEXT_OIDS = new Set([1082, 1083, 1114, 1184, 1266]);
const TYPE_NAMES: Record<number, string> = {
  16: 'boolean', 17: 'bytea', 20: 'bigint', 21: 'smallint', 23: 'integer', 25: 'text', 1043: 'varchar', 1082: 'date',
  1114: 'timestamp', 1184: 'timestamptz', 1700: 'numeric', 2950: 'uuid', 1042: 'char', 701: 'double precision',
};
const CLASSES: Record<number, ColumnClass> = { 1082: 'date', 1114: 'time', 1184: 'time-tz', 20: 'integer', 21: 'integer', 23: 'integer', 17: 'binary' };

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    TEXT_OIDS.has(oid) ? (v: string) => v : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

export const postgres: Dialect = {
  name: 'postgres',
  hasRowversion: false,
  quoteIdent: (part) => `"${part.replace(/"/g, '""')}"`,
  param: (n) => `$${n}`,
  page: (q) => `SELECT ${q.select} FROM ${q.from} WHERE ${q.where} ORDER BY ${q.orderBy} LIMIT ${q.limitParam}`,
  asText: (expr) => `CAST(${expr} AS text)`,
  // An untyped parameter takes the type of the column it is compared with.
  fromText: (param) => param,
  bound({ cls, column, from, lagMs }) {
    if (cls === 'time-tz') return { sql: `SELECT CAST(clock_timestamp() - $1::double precision * interval '1 millisecond' AS text) AS b`, params: [lagMs], strict: false };
    if (cls === 'time') return { sql: `SELECT CAST((clock_timestamp() AT TIME ZONE 'UTC') - $1::double precision * interval '1 millisecond' AS text) AS b`, params: [lagMs], strict: false };
    // ORDER BY … DESC rather than MAX: bytea has no MAX, and an index on the column serves it.
    return { sql: `SELECT CAST(${column} AS text) AS b FROM ${from} WHERE ${column} IS NOT NULL ORDER BY ${column} DESC LIMIT 1`, params: [], strict: false };
  },
  failure(err) {
    const code = (err as { code?: string }).code ?? '';
    return FAILURES[code] ?? (/^08/.test(code) ? 'unreachable' : 'other');
  },
  open(connectionString): SqlSession {
    const pool = new pg.Pool({ connectionString, max: 4, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 15_000, options: '-c TimeZone=UTC', types });
    // An idle client's error (server restart) must not crash the worker; the next query reports.
    pool.on('error', () => undefined);
    return {
      async query(sql, params) {
        const res = await pool.query({ text: sql, values: params as unknown[] });
        const columns: ColumnInfo[] = res.fields.map((f) => ({ name: f.name, type: TYPE_NAMES[f.dataTypeID] ?? `oid ${f.dataTypeID}`, cls: CLASSES[f.dataTypeID] ?? 'other' }));
        return { rows: res.rows as Record<string, unknown>[], columns };
      },
      close: () => pool.end(),
    };
  },
};

const FAILURES: Record<string, FailureKind> = {
  '42P01': 'missing-object', '3F000': 'missing-object', '42703': 'missing-object', '42P02': 'missing-object',
  '42601': 'syntax', '0A000': 'syntax', '42803': 'syntax', '42804': 'syntax', '42883': 'syntax',
  '22P02': 'bad-value', '22007': 'bad-value', '22008': 'bad-value', '22003': 'bad-value', '22021': 'bad-value',
  '28P01': 'auth', '28000': 'auth', '3D000': 'auth', '42501': 'auth',
  ECONNREFUSED: 'unreachable', ENOTFOUND: 'unreachable', ETIMEDOUT: 'unreachable', ECONNRESET: 'unreachable', EAI_AGAIN: 'unreachable', '57P03': 'unreachable',
};
