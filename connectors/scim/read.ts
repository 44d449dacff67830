// Full reads of /Users and /Groups by startIndex/count until totalResults (the HTTP kit's SCIM
// paging: the next index advances by what was received, so a server sending fewer than `count`
// loses nothing), group memberships from each group's `members`, and reads by id.
// Cursors are plain JSON any worker resumes: {"next": <path of the next page>, "total": <the
// totalResults of the first page>}. Offset paging skips objects when some are deleted mid-read,
// so a total that shrank, or a page that came back empty before the total, makes the read
// incomplete (nothing of that class is deleted in the run) instead of silently short.

import { ConnectorError } from '../errors';
import { readPageOr403 } from '../http/forbidden';
import { nextPage, type PagedList } from '../http/paging';
import type { ReadPageResult, ReadWarning, SourceLink, SourceObject, SourceRecord } from '../types';
import { statusOf, type ScimApi, type ScimDoc } from './api';
import type { ScimClass } from './classes';
import type { Discovery } from './discovery';

export interface ReadContext {
  api: ScimApi;
  pageSize: number;
  filters: Partial<Record<ScimClass, string>>;
  discovery(): Promise<Discovery>;
}

interface PageCursor {
  next: string;
  total?: number;
}

export function toObject(cls: ScimClass, doc: ScimDoc): SourceObject {
  const raw = { ...doc };
  // Memberships are links of their own class: kept out of the objects, so a membership change
  // does not rewrite a user or a group row.
  delete raw.members;
  if (cls === 'users') delete raw.groups;
  const lastModified = (doc.meta as ScimDoc | undefined)?.lastModified;
  return { type: 'object', resource: cls, id: String(doc.id), raw, updatedAt: typeof lastModified === 'string' ? lastModified : null };
}

/** Members are users unless the server says Group (by `type` or by a `$ref` to /Groups/). */
export function membersOf(group: ScimDoc): SourceLink[] {
  const members = Array.isArray(group.members) ? (group.members as ScimDoc[]) : [];
  const out: SourceLink[] = [];
  for (const m of members) {
    if (!m || typeof m.value !== 'string' || !m.value) continue;
    const isGroup = String(m.type ?? '').toLowerCase() === 'group' || (typeof m.$ref === 'string' && /\/Groups\/[^/]+$/.test(m.$ref));
    out.push({ type: 'link', resource: 'memberships', parentId: String(group.id), childId: m.value, childKind: isGroup ? 'group' : 'user' });
  }
  return out;
}

export async function listFor(ctx: ReadContext, cls: ScimClass, extra: { filter?: string; excludeMembers?: boolean } = {}): Promise<PagedList> {
  const d = await ctx.discovery();
  const count = Math.min(ctx.pageSize, d.features.maxResults ?? ctx.pageSize);
  const parts = [ctx.filters[cls], extra.filter].filter((f): f is string => Boolean(f));
  const filter = parts.length > 1 ? parts.map((f) => `(${f})`).join(' and ') : parts[0];
  return {
    path: ctx.api.path(d.endpoints[cls]),
    query: { ...(filter ? { filter } : {}), ...(extra.excludeMembers ? { excludedAttributes: 'members' } : {}) },
    paging: { style: 'startIndex', count },
    resource: cls,
  };
}

export function parseCursor<T>(cursor: string, label: string, cls: string): T {
  try {
    const v = JSON.parse(cursor) as unknown;
    if (v && typeof v === 'object') return v as T;
  } catch {
    // reported below
  }
  throw new ConnectorError('bad-request', `${label}: the ${cls} read cannot continue from a cursor that is not this connector's`, { resource: cls });
}

export function incomplete(cls: string, why: string): ReadWarning {
  return { resource: cls, incomplete: true, message: `the ${cls} read is incomplete: ${why}; ${cls} not seen in this run are not deleted` };
}

/** One page of a list (objects of a class, or the groups whose members are links). */
export async function readListPage(
  ctx: ReadContext,
  list: PagedList,
  cls: string,
  cursor: string | null,
  toRecords: (items: ScimDoc[]) => SourceRecord[],
): Promise<ReadPageResult> {
  const c = cursor ? parseCursor<PageCursor>(cursor, ctx.api.label, cls) : null;
  const start = c ? Number(new URL(c.next, 'http://cursor.invalid').searchParams.get('startIndex') ?? 1) : 1;
  const page = await nextPage<ScimDoc>(ctx.api.http, list, c?.next ?? null);
  const records = toRecords(page.items);
  const first = c?.total ?? page.total;
  const warnings: ReadWarning[] = [];
  if (first !== undefined && page.total !== undefined && page.total < first) {
    warnings.push(incomplete(cls, `the server's totalResults fell from ${first} to ${page.total} during the read (objects deleted meanwhile shift the pages, so some may have been skipped)`));
  } else if (page.items.length === 0 && page.total !== undefined && start - 1 < page.total) {
    warnings.push(incomplete(cls, `the server returned an empty page at startIndex ${start} although totalResults is ${page.total}`));
  }
  if (!page.nextCursor || warnings.length) return { records, nextCursor: null, warnings };
  const next: PageCursor = { next: page.nextCursor, ...(first !== undefined ? { total: first } : {}) };
  return { records, nextCursor: JSON.stringify(next), warnings };
}

export function readObjects(ctx: ReadContext, cls: ScimClass, cursor: string | null): Promise<ReadPageResult> {
  return readPageOr403(cls, async () => {
    const list = await listFor(ctx, cls, { excludeMembers: cls === 'groups' });
    return readListPage(ctx, list, cls, cursor, (items) => items.map((d) => toObject(cls, d)));
  });
}

export function readMemberships(ctx: ReadContext, cursor: string | null): Promise<ReadPageResult> {
  return readPageOr403('memberships', async () => {
    const list = await listFor(ctx, 'groups');
    return readListPage(ctx, list, 'memberships', cursor, (items) => items.flatMap(membersOf));
  });
}

export async function getObject(ctx: ReadContext, cls: ScimClass, id: string): Promise<ScimDoc | null> {
  const d = await ctx.discovery();
  try {
    const res = await ctx.api.call('GET', ctx.api.path(d.endpoints[cls], id));
    ctx.api.noteVersion(id, res.headers, res.body);
    return res.body;
  } catch (err) {
    if (statusOf(err) === 404) {
      ctx.api.forget(id);
      return null;
    }
    throw err;
  }
}

export async function getById(ctx: ReadContext, cls: ScimClass, id: string): Promise<SourceObject | null> {
  const doc = await getObject(ctx, cls, id);
  return doc ? toObject(cls, doc) : null;
}

/** The complete members of one group; none when the group is gone. */
export async function getLinks(ctx: ReadContext, groupId: string): Promise<SourceLink[]> {
  const group = await getObject(ctx, 'groups', groupId);
  return group ? membersOf(group) : [];
}
