// SQL Server through `mssql` (tedious): [bracketed] names, @pN parameters, TOP. Delta and id
// values travel as text converted explicitly (style 126 for times, style 1 for binary), so a
// datetime2's 100 ns and a rowversion's 8 bytes come back exactly. A rowversion window ends below
// MIN_ACTIVE_ROWVERSION(): every value under it is committed, so nothing open is passed.
// No SQL Server runs in CI: this file's SQL is covered by unit tests only.

import type * as Mssql from 'mssql';
import { mssqlTarget } from '../connection-string';
import type { ColumnClass, ColumnInfo, Dialect, FailureKind, SqlSession } from './types';

// The driver is loaded by the first SQL Server connector a worker opens: `mssql` brings tedious
// and the Azure SDK (~360 modules, ~30 MB resident), which most workers never need. require()
// for the reason client/lazy.ts gives.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const driver = (): typeof Mssql => require('mssql') as typeof Mssql;

const CLASSES: Record<string, ColumnClass> = {
  date: 'date', datetime: 'time', datetime2: 'time', smalldatetime: 'time', datetimeoffset: 'time-tz',
  bigint: 'integer', int: 'integer', smallint: 'integer', tinyint: 'integer', binary: 'binary', varbinary: 'binary',
};

export const mssqlDialect: Dialect = {
  name: 'mssql',
  hasRowversion: true,
  quoteIdent: (part) => `[${part.replace(/]/g, ']]')}]`,
  param: (n) => `@p${n}`,
  page: (q) => `SELECT TOP (${q.limitParam}) ${q.select} FROM ${q.from} WHERE ${q.where} ORDER BY ${q.orderBy}`,
  asText(expr, cls) {
    if (cls === 'time' || cls === 'time-tz' || cls === 'date') return `CONVERT(varchar(40), ${expr}, 126)`;
    if (cls === 'binary' || cls === 'rowversion') return `CONVERT(varchar(max), ${expr}, 1)`;
    if (cls === 'integer') return `CONVERT(varchar(20), ${expr})`;
    return `CONVERT(nvarchar(4000), ${expr})`;
  },
  fromText(param, cls) {
    if (cls === 'time') return `CAST(${param} AS datetime2)`;
    if (cls === 'time-tz') return `CAST(${param} AS datetimeoffset)`;
    if (cls === 'integer') return `CAST(${param} AS bigint)`;
    if (cls === 'rowversion') return `CONVERT(binary(8), ${param}, 1)`;
    if (cls === 'binary') return `CONVERT(varbinary(max), ${param}, 1)`;
    return param;
  },
  bound({ cls, deltaType, column, from, lagMs }) {
    if (deltaType === 'rowversion') return { sql: 'SELECT CONVERT(varchar(max), MIN_ACTIVE_ROWVERSION(), 1) AS b', params: [], strict: true };
    if (cls === 'time-tz') return { sql: `SELECT CONVERT(varchar(40), DATEADD(millisecond, -@p1, SYSDATETIMEOFFSET()), 126) AS b`, params: [lagMs], strict: false };
    if (cls === 'time') return { sql: `SELECT CONVERT(varchar(40), DATEADD(millisecond, -@p1, SYSUTCDATETIME()), 126) AS b`, params: [lagMs], strict: false };
    return { sql: `SELECT TOP (1) ${this.asText(column, cls)} AS b FROM ${from} WHERE ${column} IS NOT NULL ORDER BY ${column} DESC`, params: [], strict: false };
  },
  failure(err) {
    const e = err as { number?: number; code?: string; originalError?: { code?: string } };
    if (e.number !== undefined && FAILURES[e.number]) return FAILURES[e.number]!;
    const code = e.code ?? e.originalError?.code;
    if (code === 'ELOGIN') return 'auth';
    if (code === 'ESOCKET' || code === 'ETIMEOUT' || code === 'ECONNCLOSED' || code === 'ENOTOPEN') return 'unreachable';
    return 'other';
  },
  open(connectionString): SqlSession {
    const sql = driver();
    const t = mssqlTarget(connectionString);
    if (!t.user) throw new Error('has no User Id (SQL authentication is the only kind a Node.js worker can use)');
    const pool = new sql.ConnectionPool({
      server: t.server,
      port: t.port,
      database: t.database,
      user: t.user,
      password: t.password,
      connectionTimeout: t.connectTimeoutMs ?? 15_000,
      pool: { max: 4, min: 0, idleTimeoutMillis: 30_000 },
      options: { encrypt: t.encrypt, trustServerCertificate: t.trustServerCertificate, instanceName: t.instanceName, appName: t.appName ?? 'tiger-sync', useUTC: true },
    });
    pool.on('error', () => undefined);
    let ready: Promise<unknown> | undefined;
    return {
      async query(text, params) {
        ready ??= pool.connect().catch((err: unknown) => {
          ready = undefined;
          throw err;
        });
        await ready;
        const req = pool.request();
        params.forEach((v, i) => {
          if (typeof v === 'number') req.input(`p${i + 1}`, Number.isInteger(v) ? sql.BigInt : sql.Float, v);
          else req.input(`p${i + 1}`, sql.NVarChar(sql.MAX), v === null || v === undefined ? null : String(v));
        });
        const res = await req.query(text);
        const cols = (res.recordset?.columns ?? {}) as Record<string, { name: string; type: { declaration?: string } }>;
        const columns: ColumnInfo[] = Object.values(cols).map((c) => {
          const type = (c.type?.declaration ?? 'unknown').toLowerCase();
          return { name: c.name, type, cls: CLASSES[type] ?? 'other' };
        });
        return { rows: (res.recordset ?? []) as Record<string, unknown>[], columns };
      },
      close: () => pool.close(),
    };
  },
};

const FAILURES: Record<number, FailureKind> = {
  208: 'missing-object', 207: 'missing-object', 4104: 'missing-object', 2812: 'missing-object',
  102: 'syntax', 156: 'syntax', 1033: 'syntax', 8120: 'syntax',
  245: 'bad-value', 8114: 'bad-value', 241: 'bad-value', 242: 'bad-value', 8115: 'bad-value', 9803: 'bad-value',
  18456: 'auth', 4060: 'auth', 229: 'auth', 230: 'auth',
};
