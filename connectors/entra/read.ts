// Full reads. Objects: /users, /groups, /servicePrincipals page by page. Links: the parents are
// listed a page at a time (ids only), then each parent's children (/groups/{id}/members,
// /servicePrincipals/{id}/appRoleAssignedTo) page by page. The cursor is plain JSON — the
// parents page in hand, the index of the parent being read and its next children link — so any
// worker resumes it; Graph's links are followed, never built.

import { ConnectorError } from '../errors';
import { readPageOr403 } from '../http/forbidden';
import type { PagedList } from '../http/paging';
import type { ReadPageResult, SourceLink, SourceObject } from '../types';
import { checkId, forbiddenText, graphAll, graphGet, graphPage, type GraphContext } from './api';
import { CHILDREN_PATH, COLLECTION, PARENT_CLASS, type LinkClass, type ObjectClass } from './classes';
import { childrenOf, mergeSkipped, skippedWarning, toObject } from './records';

/** Requests one links call may make before it hands back a cursor (many small groups). */
const MAX_REQUESTS_PER_CALL = 50;

export function objectList(ctx: GraphContext, cls: ObjectClass, select: readonly string[] = ctx.select[cls]): PagedList {
  return { path: COLLECTION[cls], query: { $select: select.join(','), $top: ctx.pageSize }, paging: { style: 'odata' }, resource: cls };
}

export function childrenList(ctx: GraphContext, cls: LinkClass, parentId: string): PagedList {
  // appRoleAssignedTo takes no $select of its principal; members are asked for their type only.
  const query = cls === 'memberships' ? { $select: 'id', $top: ctx.pageSize } : { $top: ctx.pageSize };
  return { path: CHILDREN_PATH[cls](parentId), query, paging: { style: 'odata' }, resource: cls };
}

export function parseCursor<T>(ctx: GraphContext, cursor: string, what: string): T {
  try {
    const v = JSON.parse(cursor) as unknown;
    if (v && typeof v === 'object') return v as T;
  } catch {
    // reported below
  }
  throw new ConnectorError('bad-request', `${ctx.label}: the ${what} cursor is not one this connector wrote`, { connector: ctx.label });
}

export async function readObjects(ctx: GraphContext, cls: ObjectClass, cursor: string | null): Promise<ReadPageResult> {
  return readPageOr403(
    cls,
    async () => {
      const page = await graphPage(ctx, objectList(ctx, cls), cursor);
      return { records: page.items.map((i) => toObject(cls, i)), nextCursor: page.nextCursor, warnings: [] };
    },
    (info) => forbiddenText(ctx, cls, info),
  );
}

interface LinksCursor {
  /** Ids of the parents page being read, and the cursor of the page after it (null: last). */
  parents: string[];
  parentsNext: string | null;
  index: number;
  /** The current parent's next children page (null: its first). */
  next: string | null;
}

export async function readLinks(ctx: GraphContext, cls: LinkClass, cursor: string | null): Promise<ReadPageResult> {
  return readPageOr403(
    cls,
    async () => {
      const c: LinksCursor = cursor ? parseCursor<LinksCursor>(ctx, cursor, cls) : await parentsPage(ctx, cls, null);
      const records: SourceLink[] = [];
      const skipped: Record<string, number> = {};
      let requests = 0;
      for (;;) {
        const parentsDone = c.index >= c.parents.length;
        if (parentsDone && c.parentsNext === null) return { records, nextCursor: null, warnings: skippedWarning(cls, skipped) };
        if (records.length >= ctx.pageSize || requests >= MAX_REQUESTS_PER_CALL) break;
        if (parentsDone) {
          Object.assign(c, await parentsPage(ctx, cls, c.parentsNext));
          requests++;
          continue;
        }
        const parentId = c.parents[c.index]!;
        requests++;
        try {
          const page = await graphPage(ctx, childrenList(ctx, cls, parentId), c.next);
          const got = childrenOf(cls, parentId, page.items);
          records.push(...got.links);
          mergeSkipped(skipped, got.skipped);
          c.next = page.nextCursor;
        } catch (err) {
          // The parent was deleted since it was listed: it has no links to read.
          if (!(err instanceof ConnectorError && err.details.status === 404)) throw err;
          c.next = null;
        }
        if (c.next === null) c.index++;
      }
      return { records, nextCursor: JSON.stringify(c), warnings: skippedWarning(cls, skipped) };
    },
    (info) => forbiddenText(ctx, cls, info),
  );
}

async function parentsPage(ctx: GraphContext, cls: LinkClass, at: string | null): Promise<LinksCursor> {
  const page = await graphPage(ctx, objectList(ctx, PARENT_CLASS[cls], ['id']), at);
  return { parents: page.items.map((i) => i.id), parentsNext: page.nextCursor, index: 0, next: null };
}

export async function getById(ctx: GraphContext, cls: ObjectClass, id: string): Promise<SourceObject | null> {
  const item = await graphGet(ctx, `${COLLECTION[cls]}/${encodeURIComponent(checkId(ctx, cls, id))}`, ctx.select[cls], cls);
  return item ? toObject(cls, item) : null;
}

/** The complete children of one parent (delta re-reads, webhook re-fetches). Users and groups
 *  only; the count of others skipped is returned for the run log. */
export async function allChildren(ctx: GraphContext, cls: LinkClass, parentId: string): Promise<{ links: SourceLink[]; skipped: Record<string, number> }> {
  const items = await graphAll(ctx, childrenList(ctx, cls, checkId(ctx, cls, parentId)));
  return childrenOf(cls, parentId, items);
}
