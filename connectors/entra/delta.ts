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
// - Apps and app users have no Graph delta the emulator or every tenant offers for
//   appRoleAssignedTo: each delta run re-reads them whole (service principals are few). Their
//   "state" is a marker; a deleted app is found by the next full run (sync.fullInterval).
//
// Cursor: {"step": i, "next": link or null, "marks": {class: new state}}.

import { decodeDeltaState, encodeDeltaState } from '../framework/delta-state';
import type { DeltaState } from '../framework/spi';
import { forbiddenWarning, isForbidden } from '../http/forbidden';
import type { PagedList } from '../http/paging';
import type { ChangesResult, LinkSet, ReadWarning, SourceRecord } from '../types';
import { deltaRefusal, forbiddenText, graphPage, type GraphContext, type GraphItem } from './api';
import { V1, type EntraClass, type ObjectClass } from './classes';
import { mergeSkipped, skippedWarning, toObject } from './records';
import { allChildren, getById, objectList, parseCursor } from './read';
import { ConnectorError } from '../errors';

/** The state of a class re-read whole by every delta run. */
export const REREAD = 'reread';
const REFETCH_CONCURRENCY = 4;

type StepName = 'users' | 'groups' | 'apps' | 'appUsers';
interface Step {
  name: StepName;
  /** Classes whose state this step reads and advances. */
  marks: EntraClass[];
}

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

interface StepPage {
  records: SourceRecord[];
  deletions: ChangesResult['deletions'];
  linkSets: LinkSet[];
  warnings: ReadWarning[];
  next: string | null;
  /** The new state when this was the step's last page. */
  done?: string;
}

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

async function readStep(ctx: GraphContext, step: Step, classes: string[], from: string, next: string | null): Promise<StepPage> {
  switch (step.name) {
    case 'users':
    case 'groups':
      return readDeltaPage(ctx, step.name, classes, next ?? from);
    case 'apps': {
      const page = await graphPage(ctx, objectList(ctx, 'apps'), next);
      return { records: page.items.map((i) => toObject('apps', i)), deletions: [], linkSets: [], warnings: [], next: page.nextCursor, done: REREAD };
    }
    case 'appUsers': {
      const parents = await graphPage(ctx, objectList(ctx, 'apps', ['id']), next);
      const skipped: Record<string, number> = {};
      const sets = await mapLimit(parents.items, REFETCH_CONCURRENCY, (p) => allChildren(ctx, 'appUsers', p.id).catch(gone));
      const linkSets: LinkSet[] = [];
      parents.items.forEach((p, i) => {
        const got = sets[i]!;
        mergeSkipped(skipped, got.skipped);
        linkSets.push({ resource: 'appUsers', parentId: p.id, links: got.links });
      });
      return { records: [], deletions: [], linkSets, warnings: skippedWarning('appUsers', skipped), next: parents.nextCursor, done: REREAD };
    }
  }
}

/** A parent deleted since it was listed has no children. */
function gone(err: unknown): { links: never[]; skipped: Record<string, number> } {
  if (err instanceof ConnectorError && err.details.status === 404) return { links: [], skipped: {} };
  throw err;
}

async function readDeltaPage(ctx: GraphContext, cls: 'users' | 'groups', classes: string[], link: string): Promise<StepPage> {
  const page = await graphPage(ctx, { path: `${V1}/${cls}/delta`, paging: { style: 'odata' }, resource: cls }, link);
  const wantObjects = classes.includes(cls);
  const wantLinks = cls === 'groups' && classes.includes('memberships');
  const records: SourceRecord[] = [];
  const deletions: ChangesResult['deletions'] = [];
  const removedGroups = new Set<string>();
  const changedMembers = new Set<string>();
  const partial: string[] = [];
  const selected = ctx.select[cls];

  for (const item of page.items) {
    if (item['@removed'] !== undefined) {
      if (wantObjects) deletions.push({ resource: cls, id: item.id });
      if (wantLinks) removedGroups.add(item.id);
      continue;
    }
    if (wantLinks && Array.isArray(item['members@delta'])) changedMembers.add(item.id);
    if (!wantObjects) continue;
    // A members-only entry of a group carries no properties: the group itself did not change.
    const props = Object.keys(item).filter((k) => !k.includes('@') && k !== 'id');
    if (cls === 'groups' && props.length === 0 && Array.isArray(item['members@delta'])) continue;
    if (selected.every((p) => p in item)) records.push(toObject(cls, item));
    else partial.push(item.id);
  }

  // Entries with only some properties: the whole object, read now (gone since: a deletion).
  const fetched = await mapLimit([...new Set(partial)], REFETCH_CONCURRENCY, (id) => getById(ctx, cls as ObjectClass, id));
  [...new Set(partial)].forEach((id, i) => {
    const obj = fetched[i];
    if (obj) records.push(obj);
    else deletions.push({ resource: cls, id });
  });

  const linkSets: LinkSet[] = [...removedGroups].map((id) => ({ resource: 'memberships', parentId: id, links: [] }));
  const skipped: Record<string, number> = {};
  const ids = [...changedMembers].filter((id) => !removedGroups.has(id));
  const members = await mapLimit(ids, REFETCH_CONCURRENCY, (id) => allChildren(ctx, 'memberships', id).catch(gone));
  ids.forEach((id, i) => {
    mergeSkipped(skipped, members[i]!.skipped);
    linkSets.push({ resource: 'memberships', parentId: id, links: members[i]!.links });
  });
  return { records, deletions, linkSets, warnings: skippedWarning('memberships', skipped), next: page.nextCursor, done: page.deltaLink };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let i = 0;
  const worker = async () => {
    while (i < items.length) {
      const k = i++;
      out[k] = await fn(items[k]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export type { GraphItem };
