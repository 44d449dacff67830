// MariaDB (and MySQL) through the `mariadb` driver: `backticked` names, ? parameters (the driver
// escapes them; multiple statements stay off), LIMIT. Dates come back as text and sessions run in
// UTC, so DATETIME columns are taken as UTC and TIMESTAMP columns read in UTC. Numbers beyond
// 2^53 compare as DECIMAL, never as doubles; binary values travel as hex.

import type * as Mariadb from 'mariadb';
import { urlTarget } from '../connection-string';
import type { ColumnClass, ColumnInfo, Dialect, FailureKind, SqlSession } from './types';

// Loaded by the first MariaDB/MySQL connector a worker opens (see mssql.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const driver = (): typeof Mariadb => require('mariadb') as typeof Mariadb;

const CLASSES: Record<string, ColumnClass> = {
  DATE: 'date', NEWDATE: 'date', DATETIME: 'time', DATETIME2: 'time', TIMESTAMP: 'time', TIMESTAMP2: 'time',
  TINY: 'integer', SHORT: 'integer', INT: 'integer', INT24: 'integer', BIGINT: 'integer',
};
const BLOBS = new Set(['TINY_BLOB', 'MEDIUM_BLOB', 'LONG_BLOB', 'BLOB', 'VAR_STRING', 'STRING']);
const BINARY_COLLATION = 63;

interface Field {
  type: string;
  collation: { index: number };
  name(): string;
}

function columnOf(f: Field): ColumnInfo {
  // VARBINARY/BINARY/BLOB are string types with the binary collation.
  const binary = BLOBS.has(f.type) && f.collation?.index === BINARY_COLLATION;
  return { name: f.name(), type: f.type.toLowerCase(), cls: binary ? 'binary' : (CLASSES[f.type] ?? 'other') };
}

export const mariadbDialect: Dialect = {
  name: 'mariadb',
  hasRowversion: false,
  quoteIdent: (part) => `\`${part.replace(/`/g, '``')}\``,
  param: () => '?',
  page: (q) => `SELECT ${q.select} FROM ${q.from} WHERE ${q.where} ORDER BY ${q.orderBy} LIMIT ${q.limitParam}`,
  asText: (expr, cls) => (cls === 'binary' ? `HEX(${expr})` : `CAST(${expr} AS CHAR)`),
  fromText(param, cls) {
    if (cls === 'binary') return `UNHEX(${param})`;
    if (cls === 'integer') return `CAST(${param} AS DECIMAL(20,0))`;
    if (cls === 'time' || cls === 'time-tz') return `CAST(${param} AS DATETIME(6))`;
    return param;
  },
  bound({ cls, column, from, lagMs }) {
    if (cls === 'time' || cls === 'time-tz') return { sql: 'SELECT CAST(NOW(6) - INTERVAL ? MICROSECOND AS CHAR) AS b', params: [Math.round(lagMs * 1000)], strict: false };
    return { sql: `SELECT ${this.asText(column, cls)} AS b FROM ${from} WHERE ${column} IS NOT NULL ORDER BY ${column} DESC LIMIT 1`, params: [], strict: false };
  },
  failure(err) {
    const e = err as { errno?: number; code?: string; cause?: { errno?: number } };
    if (e.errno !== undefined && FAILURES[e.errno]) return FAILURES[e.errno]!;
    // The pool reports a refused login as a timeout whose cause is the server's answer.
    if (e.cause?.errno !== undefined && FAILURES[e.cause.errno]) return FAILURES[e.cause.errno]!;
    if (e.code && ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'ER_GET_CONNECTION_TIMEOUT', 'ER_CONNECTION_TIMEOUT', 'ER_SOCKET_UNEXPECTED_CLOSE'].includes(e.code)) return 'unreachable';
    return 'other';
  },
  open(connectionString): SqlSession {
    const t = urlTarget(connectionString);
    const pool = driver().createPool({
      host: t.host,
      port: t.port ?? 3306,
      user: t.user,
      password: t.password,
      database: t.database,
      connectionLimit: 4,
      acquireTimeout: 15_000,
      connectTimeout: 15_000,
      dateStrings: true,
      multipleStatements: false,
      initSql: "SET time_zone = '+00:00'",
    });
    return {
      async query(sql, params) {
        const rows = (await pool.query({ sql, namedPlaceholders: false }, params as unknown[])) as Record<string, unknown>[] & { meta?: Field[] };
        const columns = (rows.meta ?? []).map(columnOf);
        return { rows: [...rows], columns };
      },
      close: () => pool.end(),
    };
  },
};

const FAILURES: Record<number, FailureKind> = {
  1146: 'missing-object', 1054: 'missing-object', 1109: 'missing-object',
  1064: 'syntax', 1149: 'syntax',
  1292: 'bad-value', 1366: 'bad-value',
  1045: 'auth', 1044: 'auth', 1049: 'auth', 1142: 'auth', 1143: 'auth', 1698: 'auth',
};
