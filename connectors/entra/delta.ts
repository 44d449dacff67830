// Deltas from Graph's own change tracking: /users/delta and /groups/delta, each class holding
// its `@odata.deltaLink` (framework/delta-state.ts; groups and memberships share the groups
// link). A window follows the stored link and its `@odata.nextLink`s; the new deltaLink rides in
// the cursor and becomes the class's state only in the watermark of the window's last page,
// which the framework stores after every page is applied.
//
// - `@removed` (reason "changed": soft-deleted, restorable; "deleted": gone) is a deletion; a
//   restored object comes back as an ordinary entry and is upserted.
// - Graph may send only the changed properties of an entry: an entry missing a $selected
//   property is re-read by id, so the store never gets a partial object.
// - `members@delta` only says a group's members changed, spread over entries and pages. The
//   group's whole member list is re-read (as Okta's refetch does) and sent as an authoritative
//   link set: removals included, nothing to merge across pages or workers. The re-read happens
//   after the page naming the group was fetched, so it includes every change that page reports;
//   a group named on two pages is re-read twice, never skipped (a change between the two reads
//   would otherwise be lost behind the new deltaLink).
// - Graph has no delta for appRoleAssignedTo: each delta run re-reads apps and app users whole
//   (service principals are few next to users). Their "state" is a marker; a deleted app is
//   found by the next full run (sync.fullInterval).
//
// Cursor: {"step": i, "next": link or null, "marks": {class: new state}}.

import { ConnectorError } from '../errors';
import { decodeDeltaState, encodeDeltaState } from '../framework/delta-state';
import type { DeltaState } from '../framework/spi';
import { forbiddenWarning, isForbidden } from '../http/forbidden';
import type { PagedList } from '../http/paging';
import type { ChangesResult } from '../types';
import { deltaRefusal, forbiddenText, graphPage, type GraphContext } from './api';
import { V1 } from './classes';
import { readStep, REREAD, type Step, type StepPage } from './delta-pages';
import { parseCursor } from './read';

interface DeltaCursor {
  step: number;
  next: string | null;
  marks: Record<string, string>;
}

export function stepsFor(classes: readonly string[]): Step[] {
  const steps: Step[] = [];
  const has = (c: string) => classes.includes(c);
  if (has('users')) steps.push({ name: 'users', marks: ['users'] });
  const groupMarks = (['groups', 'memberships'] as const).filter(has);
  if (groupMarks.length) steps.push({ name: 'groups', marks: groupMarks });
  if (has('apps')) steps.push({ name: 'apps', marks: ['apps'] });
  if (has('appUsers')) steps.push({ name: 'appUsers', marks: ['appUsers'] });
  return steps;
}

const deltaSelect = (ctx: GraphContext, step: 'users' | 'groups') => (step === 'groups' ? [...ctx.select.groups, 'members'] : ctx.select.users);

/** A deltaLink that sees every change after now, without reading the current state
 *  (`$deltatoken=latest`, Graph's "sync from now" for directory objects). */
async function latestLink(ctx: GraphContext, step: 'users' | 'groups'): Promise<string> {
  const list: PagedList = { path: `${V1}/${step}/delta`, query: { $deltatoken: 'latest', $select: deltaSelect(ctx, step).join(',') }, paging: { style: 'odata' }, resource: step };
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await graphPage(ctx, list, cursor);
    if (page.deltaLink) return page.deltaLink;
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  throw new ConnectorError('transient', `${ctx.label}: Graph answered ${step}/delta?$deltatoken=latest without an @odata.deltaLink`, { connector: ctx.label, resource: step });
}

export async function currentWatermark(ctx: GraphContext, classes?: string[]): Promise<string> {
  const wanted = classes?.length ? classes : ['users', 'groups', 'memberships', 'apps', 'appUsers'];
  const state: DeltaState = {};
  for (const step of stepsFor(wanted)) {
    let value = REREAD;
    if (step.name === 'users' || step.name === 'groups') {
      try {
        value = await latestLink(ctx, step.name);
      } catch (err) {
        // A class the app may not read gets no token: its full read says why (an incomplete
        // warning), and the next delta run of it is a full one again instead of a blind one.
        if (isForbidden(err)) continue;
        throw err;
      }
    }
    for (const m of step.marks) state[m] = value;
  }
  return encodeDeltaState(state);
}

const empty = (watermark: string): ChangesResult => ({ records: [], deletions: [], linkSets: [], warnings: [], nextCursor: null, watermark });


export async function readChanges(ctx: GraphContext, classes: string[], watermark: string, cursor: string | null): Promise<ChangesResult> {
  const state = decodeDeltaState(watermark, classes);
  const steps = stepsFor(classes);
  const missing = steps.flatMap((s) => s.marks).filter((c) => !state[c]);
  if (missing.length) return { ...empty(watermark), fullSyncRequired: `no delta token for ${missing.join(', ')} yet (added since the last full run)` };
  for (const s of steps) {
    const values = new Set(s.marks.map((m) => state[m]));
    if (values.size > 1) return { ...empty(watermark), fullSyncRequired: `${s.marks.join(' and ')} stand at different delta tokens` };
  }

  const c: DeltaCursor = cursor ? parseCursor<DeltaCursor>(ctx, cursor, 'changes') : { step: 0, next: null, marks: {} };
  const step = steps[c.step];
  if (!step) return empty(encodeDeltaState({ ...state, ...c.marks }));
  const from = state[step.marks[0]!]!;

  let page: StepPage;
  try {
    page = await readStep(ctx, step, classes, from, c.next);
  } catch (err) {
    const refused = deltaRefusal(err);
    if (refused) return { ...empty(watermark), fullSyncRequired: `${refused} for ${step.marks.join(', ')}` };
    const denied = forbiddenWarning(err, step.marks[0]!, (info) => forbiddenText(ctx, step.marks[0]!, info));
    if (!denied) throw err;
    page = { records: [], deletions: [], linkSets: [], warnings: step.marks.map((m) => ({ ...denied, resource: m })), next: null };
  }
  const after: DeltaCursor = { ...c, marks: { ...c.marks } };
  if (page.warnings.some((w) => w.incomplete)) {
    // Part of this step was not read: its classes keep their old state and read it again next time.
    for (const m of step.marks) after.marks[m] = state[m]!;
    page.next = null;
  } else if (page.next === null) {
    for (const m of step.marks) after.marks[m] = page.done ?? from;
  }
  if (page.next !== null) after.next = page.next;
  else {
    after.step++;
    after.next = null;
  }
  const finished = after.step >= steps.length;
  return {
    records: page.records,
    deletions: page.deletions,
    linkSets: page.linkSets,
    warnings: page.warnings,
    nextCursor: finished ? null : JSON.stringify(after),
    watermark: finished ? encodeDeltaState({ ...state, ...after.marks }) : watermark,
  };
}
