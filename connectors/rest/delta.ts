// Deltas through a request parameter: the class's endpoint is asked for records whose
// incremental field is at or after the class's mark (`updated_since={{watermark}}`), one mark per
// class (framework/delta-state.ts); memberships follow their group's mark, re-reading the whole
// member list of every changed group.
//
// Which mark is safe. The new mark is the largest incremental value the window saw — not one
// past it — and the parameter must select values at or after it (`>=`): records that share the
// largest value, one of which committed after the read, are read again next time instead of
// lost. What was seen twice is applied twice, which changes nothing (the store is idempotent),
// so no id list is carried between windows. With server-clock marks (time fields) the new mark is
// also kept `lagSeconds` behind the server's Date header, so a write that commits late with an
// earlier time is still inside the next window. A window cut short (403, a total that shrank)
// keeps its class's old mark. REST sources have no tombstones: deletions are found by full runs,
// and a record that leaves the connector's filters is deleted by the delta that sees it change.
//
// Cursor: {"step": <index into the steps>, "next": <page cursor or null>, "seen": <largest value
// of this step so far>, "cap": <server-clock bound taken at the step's start>, "marks": {class:
// new mark of the steps done}}. Every call gets the window's starting watermark; the last call
// returns the new one, stored once the whole window is applied.

import { decodeDeltaState, encodeDeltaState } from '../framework/delta-state';
import { deltaSteps, noChanges } from '../framework/delta-steps';
import type { DeltaState } from '../framework/spi';
import { valueAt } from '../http/json-path';
import { firstCursor, type PagedList } from '../http/paging';
import type { ChangesResult, LinkSet, ReadWarning, SourceRecord } from '../types';
import type { RestClass } from './classes';
import type { RestDelta } from './config';
import { pageOf, type Json, type ListContext } from './lists';
import { forbiddenWarning } from '../http/forbidden';
import { getLinks, objectList, parseCursor, readListPage, toObject } from './read';

interface DeltaCursor {
  step: number;
  next: string | null;
  seen: string | null;
  cap: string | null;
  marks: Record<string, string>;
}

const deltaOf = (ctx: ListContext, cls: RestClass): RestDelta | undefined => ctx.config.classes[cls]?.delta;
const fieldOf = (ctx: ListContext, cls: RestClass): string => deltaOf(ctx, cls)!.field ?? ctx.config.classes[cls]!.updatedAt!;
const classOfMark = (c: string): RestClass => (c === 'memberships' ? 'groups' : (c as RestClass));

/** Numbers compare as numbers, dates as instants, anything else as text. */
export function compareMarks(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  const da = Date.parse(a);
  const db = Date.parse(b);
  if (Number.isFinite(da) && Number.isFinite(db) && da !== db) return da - db;
  return a < b ? -1 : a > b ? 1 : 0;
}
const maxMark = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : compareMarks(a, b) >= 0 ? a : b);
const minMark = (a: string, b: string): string => (compareMarks(a, b) <= 0 ? a : b);

function markValue(record: Json, path: string): string | null {
  const v = valueAt(record, path);
  return (typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isFinite(v)) ? String(v) : null;
}

function formatMs(ms: number, format: RestDelta['format']): string {
  if (format === 'epoch') return String(Math.floor(ms / 1000));
  if (format === 'epochMs') return String(Math.floor(ms));
  return new Date(ms).toISOString();
}

/** The server's clock less the lag, from the Date header of a request to the class's list. */
async function serverClockMark(ctx: ListContext, cls: RestClass, list: PagedList): Promise<string> {
  const d = deltaOf(ctx, cls)!;
  const res = await ctx.http.getJson<unknown>(firstCursor(list), { resource: cls });
  const date = Date.parse(String(res.headers.date ?? ''));
  // Without a Date header our own clock is all there is: a wider margin covers the skew.
  const at = Number.isFinite(date) ? date - d.lagSeconds * 1000 : Date.now() - Math.max(60, d.lagSeconds) * 1000;
  return formatMs(at, d.format);
}

/** The largest incremental value the class holds now (a pass over its list). */
async function scanMark(ctx: ListContext, cls: RestClass): Promise<string | null> {
  const field = fieldOf(ctx, cls);
  let max: string | null = null;
  let cursor: string | null = null;
  do {
    const page = await pageOf(ctx, objectList(ctx, cls), cursor, `config.classes.${cls}`);
    for (const r of page.items) max = maxMark(max, markValue(r, field));
    cursor = page.nextCursor;
  } while (cursor);
  return max;
}

/** Where a delta taken now may start for each class (before a full read, so it misses nothing). */
export async function currentWatermark(ctx: ListContext, classes?: string[]): Promise<string> {
  const wanted = (classes?.length ? classes : ['users', 'groups', 'memberships']).filter((c) => deltaOf(ctx, classOfMark(c)));
  const state: DeltaState = {};
  const byClass = new Map<RestClass, string>();
  for (const c of wanted) {
    const cls = classOfMark(c);
    if (!byClass.has(cls)) {
      const d = deltaOf(ctx, cls)!;
      // An empty source has no largest value yet: its epoch start misses nothing.
      const mark = d.start === 'scan' ? ((await scanMark(ctx, cls)) ?? '0') : await serverClockMark(ctx, cls, objectList(ctx, cls));
      byClass.set(cls, mark);
    }
    state[c] = byClass.get(cls)!;
  }
  return encodeDeltaState(state);
}

export async function readChanges(ctx: ListContext, classes: string[], watermark: string, cursor: string | null): Promise<ChangesResult> {
  const state = decodeDeltaState(watermark, classes);
  const steps = deltaSteps(classes);
  const noDelta = steps.filter((s) => !deltaOf(ctx, s.cls)).map((s) => `config.classes.${s.cls}.delta`);
  if (noDelta.length) return { ...noChanges(watermark), fullSyncRequired: `${noDelta.join(' and ')} is not configured, so changes cannot be selected` };
  const missing = steps.flatMap((s) => s.marks).filter((c) => !state[c]);
  if (missing.length) return { ...noChanges(watermark), fullSyncRequired: `no delta mark for ${missing.join(', ')} yet (added since the last full run)` };

  const c: DeltaCursor = cursor ? parseCursor<DeltaCursor>(ctx, cursor, 'changes') : { step: 0, next: null, seen: null, cap: null, marks: {} };
  const step = steps[c.step];
  if (!step) return noChanges(encodeDeltaState({ ...state, ...c.marks }));
  const d = deltaOf(ctx, step.cls)!;
  // Groups and memberships may stand at different marks: the earlier one misses nothing of either.
  const since = step.marks.map((m) => state[m]!).sort(compareMarks)[0]!;
  const list = objectList(ctx, step.cls, { [d.param]: d.template.split('{{watermark}}').join(since) });

  const records: SourceRecord[] = [];
  const linkSets: LinkSet[] = [];
  let warnings: ReadWarning[] = [];
  let next: string | null = null;
  let seen = c.seen;
  try {
    if (c.next === null && d.start === 'server-clock') c.cap = await serverClockMark(ctx, step.cls, list);
    const page = await readListPage(ctx, list, step.cls, `config.classes.${step.cls}`, c.next);
    warnings = page.warnings;
    next = page.next;
    const field = fieldOf(ctx, step.cls);
    for (const r of page.items) {
      const o = toObject(ctx, step.cls, r);
      seen = maxMark(seen, markValue(r, field));
      if (step.objects) records.push(o);
      if (step.links) linkSets.push({ resource: 'memberships', parentId: o.id, links: await getLinks(ctx, o.id) });
    }
  } catch (err) {
    const denied = forbiddenWarning(err, step.cls);
    if (!denied) throw err;
    warnings = [denied];
    next = null;
  }
  const marks = { ...c.marks };
  if (warnings.some((w) => w.incomplete)) {
    // Part of this window was not read: its classes keep their marks, and say so for each.
    warnings = warnings.flatMap((w) => step.marks.map((m) => ({ ...w, resource: m })));
    next = null;
  } else if (next === null && seen !== null) {
    const upTo = c.cap === null ? seen : minMark(seen, c.cap);
    for (const m of step.marks) marks[m] = maxMark(state[m]!, upTo)!;
  }
  if (next) return { records, deletions: [], linkSets, warnings, nextCursor: JSON.stringify({ ...c, next, seen } satisfies DeltaCursor), watermark };
  const last = c.step + 1 >= steps.length;
  const after: DeltaCursor = { step: c.step + 1, next: null, seen: null, cap: null, marks };
  return { records, deletions: [], linkSets, warnings, nextCursor: last ? null : JSON.stringify(after), watermark: last ? encodeDeltaState({ ...state, ...marks }) : watermark };
}
