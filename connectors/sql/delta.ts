// Watermark deltas on the delta column, one state per class (framework/delta-state.ts), each
// `{"column","type","value","id"}`: the (delta value, id) of the last row read, as the database's
// own text. A window reads rows after that position, keyset on (delta, id), so rows sharing one
// delta value are neither skipped nor read twice across pages, and never beyond a bound fixed
// when the window starts:
//  - time columns: the database's clock less commitLag, so a transaction that stamped its rows
//    up to commitLag before committing is still ahead of the position when it commits;
//  - rowversion (SQL Server): below MIN_ACTIVE_ROWVERSION(), every value under it is committed;
//  - counters and binary: the highest value at the start (rows changed meanwhile wait).
// The position only ever moves to a row that was read, never to the bound itself, so a late
// commit stamped after the last row read is found by the next window. The framework stores the
// returned watermark only after the window is applied.
//
// Cursor: {"bound": text, "strict": bool, "pos": {value, id}} — plain JSON, any worker resumes it.

import { decodeDeltaState, encodeDeltaState } from '../framework/delta-state';
import { ConnectorError } from '../errors';
import type { ChangesResult, SourceRecord } from '../types';
import type { SqlContext } from './context';
import { parseCursor } from './read';
import { boundStatement, deltaPage, DELTA_ALIAS, ID_ALIAS, type DeltaPosition } from './queries';
import { isDeleted, toObject } from './rows';

export interface ClassState extends DeltaPosition {
  column: string | null;
  type: string;
}

interface DeltaCursor {
  bound: string;
  strict: boolean;
  pos: DeltaPosition;
}

const empty = (watermark: string): ChangesResult => ({ records: [], deletions: [], linkSets: [], warnings: [], nextCursor: null, watermark });

function objectTypeMismatch(ctx: SqlContext): ConnectorError {
  const c = ctx.config;
  return new ConnectorError(
    'config',
    `${ctx.label}: config.objectType is ${c.objectType === 'user' ? 'User' : 'Group'}, so this connector reads ${c.objectClass}, but sync.resources does not include ${c.objectClass}`,
  );
}

async function currentBound(ctx: SqlContext): Promise<{ value: string | null; strict: boolean }> {
  const plan = await ctx.plan();
  const stmt = boundStatement(ctx.dialect, plan.shape, ctx.config.commitLagMs);
  const { rows } = await ctx.run(stmt, ctx.config.deltaField);
  const b = rows[0]?.b;
  return { value: b === null || b === undefined ? null : String(b), strict: stmt.strict };
}

export async function currentWatermark(ctx: SqlContext, classes?: string[]): Promise<string> {
  const cls = ctx.config.objectClass;
  if (classes?.length && !classes.includes(cls)) throw objectTypeMismatch(ctx);
  const plan = await ctx.plan();
  if (!plan.shape.delta) return encodeDeltaState({ [cls]: JSON.stringify({ column: null, type: ctx.config.deltaColumnType, value: null, id: null } satisfies ClassState) });
  const bound = await currentBound(ctx);
  // Rows at the bound itself are read again (>=): a repeat is harmless, a gap is not.
  const state: ClassState = { column: plan.deltaName!, type: ctx.config.deltaColumnType, value: bound.value, id: null };
  return encodeDeltaState({ [cls]: JSON.stringify(state) });
}

function parseState(text: string | undefined): ClassState | undefined {
  if (!text) return undefined;
  try {
    const s = JSON.parse(text) as ClassState;
    if (s && typeof s === 'object' && 'column' in s && 'value' in s) return s;
  } catch {
    // not ours
  }
  return undefined;
}

export async function readChanges(ctx: SqlContext, classes: string[], watermark: string, cursor: string | null): Promise<ChangesResult> {
  const cls = ctx.config.objectClass;
  if (!classes.includes(cls)) return empty(watermark);
  const plan = await ctx.plan();
  if (!plan.shape.delta) {
    return { ...empty(watermark), fullSyncRequired: 'config.deltaColumn (or watermarkColumn) is not set, so changes cannot be selected: every run reads the whole source' };
  }
  const all = decodeDeltaState(watermark, classes);
  const state = parseState(all[cls]);
  if (!state) return { ...empty(watermark), fullSyncRequired: `no delta position for ${cls} yet (it is read only since the last full run)` };
  if (state.column !== plan.deltaName || state.type !== ctx.config.deltaColumnType) {
    return { ...empty(watermark), fullSyncRequired: `the delta column changed since the last run (${state.column ?? 'none'} ${state.type} → ${plan.deltaName} ${ctx.config.deltaColumnType})` };
  }

  let c: DeltaCursor;
  if (cursor) {
    c = parseCursor<DeltaCursor>(ctx, cursor, (v) => typeof v.bound === 'string' && typeof v.pos === 'object' && v.pos !== null);
  } else {
    const bound = await currentBound(ctx);
    // Nothing has a delta value yet: nothing to read, the position stays.
    if (bound.value === null) return empty(watermark);
    c = { bound: bound.value, strict: bound.strict, pos: { value: state.value, id: state.id } };
  }

  const n = ctx.config.pageSize;
  const { rows } = await ctx.run(deltaPage(ctx.dialect, plan.shape, c.pos, { value: c.bound, strict: c.strict }, n + 1), ctx.config.deltaField);
  const page = rows.slice(0, n);
  const records: SourceRecord[] = [];
  const deletions: ChangesResult['deletions'] = [];
  for (const row of page) {
    if (isDeleted(row, plan.softDelete)) deletions.push({ resource: cls, id: String(row[ID_ALIAS]) });
    else records.push(toObject(cls, row));
  }
  const last = page[page.length - 1];
  const pos: DeltaPosition = last ? { value: String(last[DELTA_ALIAS]), id: String(last[ID_ALIAS]) } : c.pos;
  const next: DeltaCursor | null = rows.length > n ? { ...c, pos } : null;
  const moved: ClassState = { column: state.column, type: state.type, value: pos.value, id: pos.id };
  return {
    records,
    deletions,
    linkSets: [],
    warnings: [],
    nextCursor: next ? JSON.stringify(next) : null,
    watermark: encodeDeltaState({ ...all, [cls]: JSON.stringify(moved) }),
  };
}
