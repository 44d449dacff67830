// Full reads: every page of a class's endpoint; memberships by listing the groups and, for each,
// every page of its members endpoint; reads by id. Cursors are plain JSON any worker resumes.
// Offset and page-number paging skip records when some are deleted mid-read, so when the server
// states a total, a total that shrank (or an empty page before it) makes the read incomplete —
// nothing of that class is deleted in the run — instead of silently short.

import { ConnectorError } from '../errors';
import { readPageOr403 } from '../http/forbidden';
import { valueAt } from '../http/json-path';
import type { PagedList } from '../http/paging';
import type { ReadPageResult, ReadWarning, SourceLink, SourceObject } from '../types';
import { membershipsConfig, type RestClass } from './classes';
import { idOf, listOf, pageOf, updatedAtOf, withId, type Json, type ListContext } from './lists';

interface PageCursor {
  next: string;
  total?: number;
  /** Records before this page, to tell an early empty page from the end. */
  seen: number;
}

interface LinkCursor {
  /** The groups page after the one `pending` came from; null when it was the last. */
  groups: string | null;
  pending: string[];
  /** The next members page of pending[0]; null: its first. */
  members: string | null;
}

/** Requests one membership page may spend walking through groups without members. */
const MAX_REQUESTS_PER_PAGE = 25;

export function parseCursor<T>(ctx: ListContext, cursor: string, what: string): T {
  try {
    const v = JSON.parse(cursor) as unknown;
    if (v && typeof v === 'object') return v as T;
  } catch {
    // reported below
  }
  throw new ConnectorError('bad-request', `${ctx.label}: the ${what} read cannot continue from a cursor that is not this connector's`, { resource: what });
}

export function incomplete(cls: string, why: string): ReadWarning {
  return { resource: cls, incomplete: true, message: `the ${cls} read is incomplete: ${why}; ${cls} not seen in this run are not deleted` };
}

export function toObject(ctx: ListContext, cls: RestClass, record: Json): SourceObject {
  const spec = ctx.config.classes[cls]!;
  return { type: 'object', resource: cls, id: idOf(ctx, record, spec.id, `config.classes.${cls}.id`, cls), raw: record, updatedAt: updatedAtOf(record, spec.updatedAt) };
}

export const objectList = (ctx: ListContext, cls: RestClass, extra?: Record<string, string>): PagedList => listOf(ctx, ctx.config.classes[cls]!, ctx.config.classes[cls]!.path, cls, extra);

/** One page of a list, with the shrink check; `cls` names the class in warnings. */
export async function readListPage(ctx: ListContext, list: PagedList, cls: string, field: string, cursor: string | null): Promise<{ items: Json[]; next: string | null; warnings: ReadWarning[] }> {
  const c = cursor ? parseCursor<PageCursor>(ctx, cursor, cls) : null;
  const page = await pageOf(ctx, list, c?.next ?? null, field);
  const seen = c?.seen ?? 0;
  const first = c?.total ?? page.total;
  const warnings: ReadWarning[] = [];
  if (first !== undefined && page.total !== undefined && page.total < first) {
    warnings.push(incomplete(cls, `the server's total fell from ${first} to ${page.total} during the read (records deleted meanwhile shift the pages, so some may have been skipped)`));
  } else if (page.items.length === 0 && page.total !== undefined && seen < page.total) {
    warnings.push(incomplete(cls, `the server returned an empty page after ${seen} records although its total is ${page.total}`));
  }
  if (!page.nextCursor || warnings.length) return { items: page.items, next: null, warnings };
  const next: PageCursor = { next: page.nextCursor, seen: seen + page.items.length, ...(first !== undefined ? { total: first } : {}) };
  return { items: page.items, next: JSON.stringify(next), warnings };
}

export function readObjects(ctx: ListContext, cls: RestClass, cursor: string | null): Promise<ReadPageResult> {
  return readPageOr403(cls, async () => {
    const page = await readListPage(ctx, objectList(ctx, cls), cls, `config.classes.${cls}`, cursor);
    return { records: page.items.map((r) => toObject(ctx, cls, r)), nextCursor: page.next, warnings: page.warnings };
  });
}

/** One members page of one group: `next` is the members page after it, or null. */
async function membersPage(ctx: ListContext, groupId: string, cursor: string | null): Promise<{ links: SourceLink[]; next: string | null; warnings: ReadWarning[]; gone: boolean }> {
  const m = membershipsConfig('memberships', ctx.config);
  const list = listOf(ctx, m, withId(m.path, groupId), 'memberships');
  try {
    const page = await readListPage(ctx, list, 'memberships', 'config.links.memberships', cursor);
    const childKind = m.child === 'users' ? 'user' : 'group';
    const links = page.items.map(
      (r): SourceLink => ({ type: 'link', resource: 'memberships', parentId: groupId, childId: idOf(ctx, r, m.childId, 'config.links.memberships.childId', 'memberships'), childKind }),
    );
    return { links, next: page.next, warnings: page.warnings, gone: false };
  } catch (err) {
    // The group was deleted since it was listed: it has no members to read.
    if (err instanceof ConnectorError && err.kind === 'not-found' && cursor === null) return { links: [], next: null, warnings: [], gone: true };
    throw err;
  }
}

export function readMemberships(ctx: ListContext, cursor: string | null): Promise<ReadPageResult> {
  return readPageOr403('memberships', async () => {
    let c: LinkCursor = cursor ? parseCursor<LinkCursor>(ctx, cursor, 'memberships') : { groups: null, pending: [], members: null };
    let startGroups = cursor === null;
    for (let requests = 0; requests < MAX_REQUESTS_PER_PAGE; requests++) {
      if (c.pending.length === 0) {
        if (!startGroups && c.groups === null) return { records: [], nextCursor: null, warnings: [] };
        const groups = await readListPage(ctx, objectList(ctx, 'groups'), 'memberships', 'config.classes.groups', startGroups ? null : c.groups);
        startGroups = false;
        const ids = groups.items.map((g) => toObject(ctx, 'groups', g).id);
        // A groups list cut short leaves memberships of the groups after it unread.
        if (groups.warnings.length) return { records: [], nextCursor: null, warnings: groups.warnings };
        c = { groups: groups.next, pending: ids, members: null };
        continue;
      }
      const page = await membersPage(ctx, c.pending[0]!, c.members);
      if (page.warnings.length) return { records: page.links, nextCursor: null, warnings: page.warnings };
      c = page.next ? { ...c, members: page.next } : { ...c, pending: c.pending.slice(1), members: null };
      const done = c.pending.length === 0 && c.groups === null;
      if (page.links.length > 0 || done) return { records: page.links, nextCursor: done ? null : JSON.stringify(c), warnings: [] };
    }
    return { records: [], nextCursor: JSON.stringify(c), warnings: [] };
  });
}

export async function getById(ctx: ListContext, cls: RestClass, id: string): Promise<SourceObject | null> {
  const spec = ctx.config.classes[cls]!;
  if (!spec.get) throw new ConnectorError('config', `${ctx.label}: ${cls} cannot be read by id: config.classes.${cls}.get is not configured (e.g. /api/${cls}/{id})`, { resource: cls });
  try {
    const res = await ctx.http.getJson<unknown>(ctx.basePath + withId(spec.get, id), { resource: cls });
    const record = valueAt(res.body, spec.getRecord);
    if (!record || typeof record !== 'object' || Array.isArray(record)) {
      throw new ConnectorError('config', `${ctx.label}: GET ${spec.get} answered without a JSON object at "${spec.getRecord}"; check config.classes.${cls}.getRecord`, { connector: ctx.label, resource: cls });
    }
    return toObject(ctx, cls, record as Json);
  } catch (err) {
    if (err instanceof ConnectorError && err.kind === 'not-found') return null;
    throw err;
  }
}

/** Every member of one group; none when the group is gone. A 403 is the caller's to see. */
export async function getLinks(ctx: ListContext, groupId: string): Promise<SourceLink[]> {
  const out: SourceLink[] = [];
  let cursor: string | null = null;
  do {
    const page = await membersPage(ctx, groupId, cursor);
    if (page.warnings.length) throw new ConnectorError('transient', `${ctx.label}: the members of group ${groupId} could not be read whole (${page.warnings[0]!.message})`, { resource: 'memberships' });
    out.push(...page.links);
    cursor = page.next;
  } while (cursor);
  return out;
}
