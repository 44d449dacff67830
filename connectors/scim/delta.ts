// Deltas by `filter=meta.lastModified gt "<mark>"`, with one high-water mark per class
// (framework/delta-state.ts): users and groups change independently, and memberships follow
// their group's lastModified (a member added or removed changes the group). A server without
// filtering cannot select changes: the read asks for a full sync and says why.
//
// Marks are the server's clock, not ours: the Date header of a request made before the window is
// read, less a second (Date has whole seconds, and a server farm's clocks differ a little). An
// object changed while the window is read is then seen again next time, never missed. SCIM has
// no tombstones: deletions are found by full runs (sync.fullInterval).
//
// Cursor: {"step": <index into the steps>, "next": <page cursor or null>, "marks": {class: iso}}.

import { decodeDeltaState, encodeDeltaState } from '../framework/delta-state';
import { deltaSteps, noChanges } from '../framework/delta-steps';
import type { DeltaState } from '../framework/spi';
import { forbiddenWarning } from '../http/forbidden';
import type { ChangesResult, LinkSet, ReadWarning, SourceRecord } from '../types';
import { quote, statusOf, type ScimDoc } from './api';
import { listFor, membersOf, parseCursor, readListPage, toObject, type ReadContext } from './read';

const CLOCK_MARGIN_MS = 1000;

/** Classes a delta reads, in order; memberships come from the groups step. */
const DELTA_CLASSES = ['users', 'groups', 'memberships'] as const;

interface DeltaCursor {
  step: number;
  next: string | null;
  marks: Record<string, string>;
}

/** The server's "now" (less the margin), as an ISO timestamp. */
export async function serverNow(ctx: ReadContext): Promise<string> {
  const d = await ctx.discovery();
  let date: string | undefined;
  try {
    date = (await ctx.api.call('GET', ctx.api.path('/ServiceProviderConfig'))).headers.date as string | undefined;
  } catch (err) {
    if (statusOf(err) !== 404 && statusOf(err) !== 501) throw err;
    date = (await ctx.api.call('GET', ctx.api.path(d.endpoints.users), { query: { count: 1 } })).headers.date as string | undefined;
  }
  const ms = date ? Date.parse(date) : NaN;
  // Without a Date header our clock is all there is: a wider margin covers the skew.
  const at = Number.isFinite(ms) ? ms - CLOCK_MARGIN_MS : Date.now() - 60_000;
  return new Date(at).toISOString();
}

export async function currentWatermark(ctx: ReadContext, classes?: string[]): Promise<string> {
  const now = await serverNow(ctx);
  const wanted = classes?.length ? classes : [...DELTA_CLASSES];
  return encodeDeltaState(Object.fromEntries(wanted.map((c) => [c, now])));
}

export async function readChanges(ctx: ReadContext, classes: string[], watermark: string, cursor: string | null): Promise<ChangesResult> {
  const d = await ctx.discovery();
  if (!d.features.filter) {
    return {
      ...noChanges(watermark),
      fullSyncRequired: `the SCIM server does not support filtering (${d.source === 'discovered' ? 'ServiceProviderConfig filter.supported is false' : d.note}), so changes cannot be selected by meta.lastModified`,
    };
  }
  const state: DeltaState = decodeDeltaState(watermark, classes);
  const steps = deltaSteps(classes);
  const missing = steps.flatMap((s) => s.marks).filter((c) => !state[c]);
  if (missing.length) return { ...noChanges(watermark), fullSyncRequired: `no delta mark for ${missing.join(', ')} yet (added since the last full run)` };

  const c: DeltaCursor = cursor ? parseCursor<DeltaCursor>(cursor, ctx.api.label, 'changes') : { step: 0, next: null, marks: {} };
  const step = steps[c.step];
  if (!step) return noChanges(finalMark(state, c.marks));
  // Memberships and groups may stand at different marks: the earlier one misses nothing of either.
  const since = step.marks.map((m) => state[m]).sort()[0];
  if (c.next === null) {
    const now = await serverNow(ctx);
    for (const m of step.marks) c.marks[m] = now;
  }

  const list = await listFor(ctx, step.cls, { filter: `meta.lastModified gt ${quote(since)}`, excludeMembers: !step.links });
  const records: SourceRecord[] = [];
  const linkSets: LinkSet[] = [];
  let warnings: ReadWarning[] = [];
  let next: string | null;
  try {
    const page = await readListPage(ctx, list, step.cls, c.next, (items: ScimDoc[]) => {
      for (const doc of items) {
        if (step.objects) records.push(toObject(step.cls, doc));
        if (step.links) linkSets.push({ resource: 'memberships', parentId: String(doc.id), links: membersOf(doc) });
      }
      return [];
    });
    warnings = page.warnings;
    next = page.nextCursor;
  } catch (err) {
    if (statusOf(err) === 400 && /invalidFilter|filter/i.test((err as Error).message)) {
      return { ...noChanges(watermark), fullSyncRequired: `the SCIM server refused the meta.lastModified filter on ${step.cls} (${(err as Error).message})` };
    }
    const denied = forbiddenWarning(err, step.cls);
    if (!denied) throw err;
    warnings = [denied];
    next = null;
  }
  if (warnings.some((w) => w.incomplete)) {
    // Part of this window was not read: its classes keep their old marks.
    for (const m of step.marks) c.marks[m] = state[m];
    warnings = warnings.flatMap((w) => (step.marks.length > 1 ? step.marks.map((m) => ({ ...w, resource: m })) : [w]));
    next = null;
  }
  const after: DeltaCursor = next ? { ...c, next } : { step: c.step + 1, next: null, marks: c.marks };
  const done = after.step >= steps.length;
  return {
    records,
    deletions: [],
    linkSets,
    warnings,
    nextCursor: done ? null : JSON.stringify(after),
    watermark: done ? finalMark(state, after.marks) : watermark,
  };
}

function finalMark(state: DeltaState, marks: Record<string, string>): string {
  return encodeDeltaState({ ...state, ...marks });
}

