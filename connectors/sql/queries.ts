// The statements the connector runs, built from a dialect's pieces and the resolved columns.
// Names are quoted by the dialect; every value (cursor positions, bounds, ids, limits) is a
// parameter. Pure: unit tests check the SQL of each engine, SQL Server's included.

import type { ColumnClass, Dialect } from './dialects/types';

/** The source as resolved against the database (connectors/sql/plan.ts). */
export interface Shape {
  from: string;
  /** Columns to return: `t.*` or the quoted list. */
  select: string;
  id: { expr: string; cls: ColumnClass };
  delta?: { expr: string; cls: ColumnClass; deltaType: string };
}

export interface Statement {
  sql: string;
  params: unknown[];
}

/** Aliases of the text forms of id and delta value that travel in cursors and watermarks. */
export const ID_ALIAS = '__tiger_id';
export const DELTA_ALIAS = '__tiger_delta';

/** Placeholders in order of use: MariaDB's `?` cannot refer back, so a value used twice is
 *  passed twice. */
class Params {
  readonly values: unknown[] = [];
  constructor(private readonly d: Dialect) {}
  add(v: unknown): string {
    this.values.push(v);
    return this.d.param(this.values.length);
  }
}

const columns = (d: Dialect, s: Shape, withDelta: boolean) =>
  `${s.select}, ${d.asText(s.id.expr, s.id.cls)} AS ${ID_ALIAS}${withDelta && s.delta ? `, ${d.asText(s.delta.expr, s.delta.cls)} AS ${DELTA_ALIAS}` : ''}`;

/** Full read, keyset on the id: rows after `afterId`, `limit` of them. */
export function fullPage(d: Dialect, s: Shape, afterId: string | null, limit: number): Statement {
  const p = new Params(d);
  const where = afterId === null ? '1=1' : `${s.id.expr} > ${d.fromText(p.add(afterId), s.id.cls)}`;
  const limitParam = p.add(limit);
  return { sql: d.page({ select: columns(d, s, false), from: s.from, where, orderBy: s.id.expr, limitParam }), params: p.values };
}

export interface DeltaPosition {
  /** The delta value last read (text), or null: from the first row with a delta value. */
  value: string | null;
  /** The id last read at that value, or null: every row at `value` is still to be read. */
  id: string | null;
}

/** A delta page, keyset on (delta, id): after `pos`, not beyond `bound` (below it when strict). */
export function deltaPage(d: Dialect, s: Shape, pos: DeltaPosition, bound: { value: string; strict: boolean }, limit: number): Statement {
  if (!s.delta) throw new Error('deltaPage needs a delta column');
  const p = new Params(d);
  const delta = s.delta.expr;
  const asDelta = (v: string) => d.fromText(p.add(v), s.delta!.cls);
  const asId = (v: string) => d.fromText(p.add(v), s.id.cls);
  let lower: string;
  if (pos.value === null) lower = `${delta} IS NOT NULL`;
  else if (pos.id === null) lower = `${delta} >= ${asDelta(pos.value)}`;
  else lower = `(${delta} > ${asDelta(pos.value)} OR (${delta} = ${asDelta(pos.value)} AND ${s.id.expr} > ${asId(pos.id)}))`;
  const upper = `${delta} ${bound.strict ? '<' : '<='} ${asDelta(bound.value)}`;
  const limitParam = p.add(limit);
  return {
    sql: d.page({ select: columns(d, s, true), from: s.from, where: `${lower} AND ${upper}`, orderBy: `${delta}, ${s.id.expr}`, limitParam }),
    params: p.values,
  };
}

export function byId(d: Dialect, s: Shape, id: string): Statement {
  const p = new Params(d);
  const where = `${s.id.expr} = ${d.fromText(p.add(id), s.id.cls)}`;
  const limitParam = p.add(2);
  return { sql: d.page({ select: columns(d, s, false), from: s.from, where, orderBy: s.id.expr, limitParam }), params: p.values };
}

/** Zero rows, every column: what the source has and of which types. */
export const probe = (from: string): Statement => ({ sql: `SELECT * FROM ${from} WHERE 1=0`, params: [] });

export const countRows = (from: string): Statement => ({ sql: `SELECT COUNT(*) AS n FROM ${from}`, params: [] });

export function boundStatement(d: Dialect, s: Shape, lagMs: number): Statement & { strict: boolean } {
  if (!s.delta) throw new Error('boundStatement needs a delta column');
  const b = d.bound({ cls: s.delta.cls, deltaType: s.delta.deltaType, column: s.delta.expr, from: s.from, lagMs });
  return { sql: b.sql, params: b.params, strict: b.strict };
}
