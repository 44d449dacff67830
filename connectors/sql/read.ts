// Full reads by keyset on the id (`WHERE id > :last ORDER BY id`), one row more than a page to
// know whether another follows. Soft-deleted rows are left out, so a full run sweeps them;
// rows deleted outright are found the same way (sync.fullInterval). A connector reads the one
// class its objectType names: the other class is empty, never an error (sync.resources defaults
// to every class of the manifest).

import { ConnectorError } from '../errors';
import type { ReadPageResult, SourceObject, TestResult } from '../types';
import type { SqlContext } from './context';
import { byId, countRows, fullPage, ID_ALIAS } from './queries';
import { isDeleted, toObject } from './rows';

interface FullCursor {
  after: string;
}

export function parseCursor<T>(ctx: SqlContext, cursor: string, check: (v: Record<string, unknown>) => boolean): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(cursor);
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || !check(parsed as Record<string, unknown>)) {
    throw new ConnectorError('bad-request', `${ctx.label}: the cursor is not one this connector wrote`);
  }
  return parsed as T;
}

export async function readPage(ctx: SqlContext, cls: string, cursor: string | null): Promise<ReadPageResult> {
  if (cls !== ctx.config.objectClass) return { records: [], nextCursor: null, warnings: [] };
  const plan = await ctx.plan();
  const after = cursor ? parseCursor<FullCursor>(ctx, cursor, (c) => typeof c.after === 'string').after : null;
  const n = ctx.config.pageSize;
  const { rows } = await ctx.run(fullPage(ctx.dialect, plan.shape, after, n + 1), 'importQuery');
  const page = rows.slice(0, n);
  const records = page.filter((r) => !isDeleted(r, plan.softDelete)).map((r) => toObject(cls, r));
  const next = rows.length > n ? JSON.stringify({ after: String(page[page.length - 1]![ID_ALIAS]) } satisfies FullCursor) : null;
  return { records, nextCursor: next, warnings: [] };
}

/** null when no row has that id, when the id cannot be a value of the id column, or when the row
 *  is soft-deleted. */
export async function getById(ctx: SqlContext, cls: string, id: string): Promise<SourceObject | null> {
  if (cls !== ctx.config.objectClass) return null;
  const plan = await ctx.plan();
  let rows: Record<string, unknown>[];
  try {
    rows = (await ctx.run(byId(ctx.dialect, plan.shape, id), 'externalIdColumn')).rows;
  } catch (err) {
    if (err instanceof ConnectorError && err.kind === 'bad-request') return null;
    throw err;
  }
  if (rows.length > 1) throw new ConnectorError('config', `${ctx.label}: config.externalIdColumn: more than one row has the id ${JSON.stringify(id)}; the column must be unique`);
  const row = rows[0];
  return row && !isDeleted(row, plan.softDelete) ? toObject(cls, row) : null;
}

export async function testSql(ctx: SqlContext): Promise<TestResult> {
  const started = Date.now();
  const details = { connectorType: 'sql', usersFound: 0, groupsFound: 0, latency: 0 };
  try {
    const plan = await ctx.plan();
    const { rows } = await ctx.run(countRows(plan.shape.from), 'importQuery');
    const n = Number(rows[0]?.n ?? 0);
    details.latency = Date.now() - started;
    if (ctx.config.objectClass === 'users') details.usersFound = n;
    else details.groupsFound = n;
    return { status: 'success', message: 'Connection successful', details };
  } catch (err) {
    details.latency = Date.now() - started;
    return { status: 'failure', message: err instanceof Error ? err.message : String(err), details };
  }
}
