// One page of one step of a delta window: a page of /users/delta or /groups/delta turned into
// records, deletions and whole member sets (see delta.ts for why each is read as it is), or a
// page of the apps and app users that every delta run re-reads.

import { ConnectorError } from '../errors';
import { mapLimit } from '../framework/map-limit';
import type { ChangesResult, LinkSet, ReadWarning, SourceRecord } from '../types';
import { graphPage, type GraphContext } from './api';
import { V1, type EntraClass, type ObjectClass } from './classes';
import { mergeSkipped, skippedWarning, toObject } from './records';
import { allChildren, getById, objectList } from './read';

/** The state of a class re-read whole by every delta run. */
export const REREAD = 'reread';
const REFETCH_CONCURRENCY = 4;

export interface Step {
  name: 'users' | 'groups' | 'apps' | 'appUsers';
  /** Classes whose state this step reads and advances. */
  marks: EntraClass[];
}

export interface StepPage {
  records: SourceRecord[];
  deletions: ChangesResult['deletions'];
  linkSets: LinkSet[];
  warnings: ReadWarning[];
  next: string | null;
  /** The new state when this was the step's last page. */
  done?: string;
}

export async function readStep(ctx: GraphContext, step: Step, classes: string[], from: string, next: string | null): Promise<StepPage> {
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
