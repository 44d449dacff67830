// Every paging style the HTTP connectors meet, behind one step function. A cursor is always the
// URL of the next request (path and query on the client's origin, or the server's own link), a
// plain string any worker can resume with `nextPage(http, list, cursor)`; null means done.
// Credentials never enter a cursor: the client adds them to each request.

import { ConnectorError } from '../errors';
import type { HttpClient, RequestOptions } from './client';
import { valueAt } from './json-path';
import { findLink } from './link';

export type Paging =
  /** RFC 8288 `Link: <…>; rel="next"` (Okta). */
  | { style: 'link'; rel?: string }
  /** A token in the body (`meta.next_cursor`) sent back as query parameter `param`. */
  | { style: 'cursor'; cursorPath: string; param: string }
  /** `offset`/`limit`; with `totalPath` the read stops at the total, else at the first empty page
   *  (a server may cap `limit`, so a short page does not prove the end). */
  | { style: 'offset'; limit: number; offsetParam?: string; limitParam?: string; totalPath?: string }
  /** Page numbers (`page`/`per_page`, first page `firstPage`, default 1); like offset, the read
   *  stops at `totalPath` (items) or `totalPagesPath` when given, else at the first empty page. */
  | { style: 'page'; size: number; pageParam?: string; sizeParam?: string; firstPage?: number; totalPath?: string; totalPagesPath?: string }
  /** SCIM `startIndex` (1-based) / `count` until `totalResults` (RFC 7644 §3.4.2.4). The next
   *  index advances by the items received, not by `count`: servers may return fewer. */
  | { style: 'startIndex'; count: number }
  /** Microsoft Graph `@odata.nextLink`, with the final `@odata.deltaLink` of a delta query. */
  | { style: 'odata' };

export interface PagedList {
  /** First page: a path on the client's origin. */
  path: string;
  query?: Record<string, string | number | undefined>;
  paging: Paging;
  /** Where the items are in the body; '' for a body that is the array itself. Default per style:
   *  link '', odata 'value', startIndex 'Resources', others 'data'. */
  itemsPath?: string;
  /** For error details and messages ("users"). */
  resource?: string;
  headers?: Record<string, string>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  /** Delta queries (odata): where the next delta starts, given on the last page only. */
  deltaLink?: string;
  /** The server's total, when it states one (SCIM totalResults, offset totalPath). */
  total?: number;
}

const DEFAULT_ITEMS: Record<Paging['style'], string> = { link: '', odata: 'value', startIndex: 'Resources', cursor: 'data', offset: 'data', page: 'data' };

/** The first request's URL, as a cursor would hold it. */
export function firstCursor(list: PagedList): string {
  const u = new URL(list.path, 'http://first.invalid');
  for (const [k, v] of Object.entries(list.query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
  const p = list.paging;
  if (p.style === 'offset') {
    u.searchParams.set(p.limitParam ?? 'limit', String(p.limit));
    if (!u.searchParams.has(p.offsetParam ?? 'offset')) u.searchParams.set(p.offsetParam ?? 'offset', '0');
  } else if (p.style === 'page') {
    u.searchParams.set(p.sizeParam ?? 'per_page', String(p.size));
    if (!u.searchParams.has(p.pageParam ?? 'page')) u.searchParams.set(p.pageParam ?? 'page', String(p.firstPage ?? 1));
  } else if (p.style === 'startIndex') {
    u.searchParams.set('count', String(p.count));
    if (!u.searchParams.has('startIndex')) u.searchParams.set('startIndex', '1');
  }
  return u.pathname + u.search;
}

/** Reads the page at `cursor` (null: the first page) and says where the next one is. */
export async function nextPage<T = Record<string, unknown>>(http: HttpClient, list: PagedList, cursor: string | null): Promise<Page<T>> {
  const at = cursor ?? firstCursor(list);
  const itemsPath = list.itemsPath ?? DEFAULT_ITEMS[list.paging.style];
  const p = list.paging;
  const opts: RequestOptions = { resource: list.resource, headers: list.headers };
  // SCIM may omit an empty `Resources`; everywhere else a missing array is a broken page.
  if (p.style !== 'startIndex') {
    if (itemsPath === '') opts.expectArray = true;
    else opts.expectArrayAt = itemsPath;
  }
  const res = await http.getJson<unknown>(at, opts);
  const raw = valueAt(res.body, itemsPath);
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) throw brokenPage(list, at, `no JSON array at "${itemsPath}"`);
  const items = (raw ?? []) as T[];
  const url = new URL(at, 'http://first.invalid');

  switch (p.style) {
    case 'link':
      return { items, nextCursor: guardLoop(list, at, findLink(res.headers.link, p.rel ?? 'next')) };
    case 'odata': {
      const next = valueAt(res.body, '@odata.nextLink');
      const delta = valueAt(res.body, '@odata.deltaLink');
      const nextCursor = typeof next === 'string' && next ? guardLoop(list, at, next) : null;
      return nextCursor ? { items, nextCursor } : { items, nextCursor: null, ...(typeof delta === 'string' ? { deltaLink: delta } : {}) };
    }
    case 'cursor': {
      const token = valueAt(res.body, p.cursorPath);
      if (token === undefined || token === null || token === '') return { items, nextCursor: null };
      if (token === url.searchParams.get(p.param)) throw brokenPage(list, at, `the server gave back the cursor it was sent at "${p.cursorPath}"`);
      url.searchParams.set(p.param, String(token));
      return { items, nextCursor: relative(url) };
    }
    case 'offset': {
      const param = p.offsetParam ?? 'offset';
      const offset = Number(url.searchParams.get(param) ?? 0);
      const total = p.totalPath ? numberAt(res.body, p.totalPath) : undefined;
      const nextOffset = offset + items.length;
      const done = items.length === 0 || (total !== undefined && nextOffset >= total);
      url.searchParams.set(param, String(nextOffset));
      return { items, nextCursor: done ? null : relative(url), ...(total !== undefined ? { total } : {}) };
    }
    case 'page': {
      const param = p.pageParam ?? 'page';
      const first = p.firstPage ?? 1;
      const pageNo = Number(url.searchParams.get(param) ?? first);
      const total = p.totalPath ? numberAt(res.body, p.totalPath) : undefined;
      const pages = p.totalPagesPath ? numberAt(res.body, p.totalPagesPath) : undefined;
      // The total counts items only while pages come full: a server that caps the size sends
      // short pages, and then only the empty page (or its page count) proves the end.
      const full = items.length === p.size;
      const done = items.length === 0 || (pages !== undefined && pageNo - first + 1 >= pages) || (full && total !== undefined && (pageNo - first + 1) * p.size >= total);
      url.searchParams.set(param, String(pageNo + 1));
      return { items, nextCursor: done ? null : relative(url), ...(total !== undefined ? { total } : {}) };
    }
    case 'startIndex': {
      const start = Number(url.searchParams.get('startIndex') ?? 1);
      const total = numberAt(res.body, 'totalResults');
      const nextStart = start + items.length;
      const done = items.length === 0 || (total !== undefined && nextStart - 1 >= total);
      url.searchParams.set('startIndex', String(nextStart));
      return { items, nextCursor: done ? null : relative(url), ...(total !== undefined ? { total } : {}) };
    }
  }
}

/** Every page from `cursor` on (default: the first), one at a time; bounded memory. */
export async function* paginate<T = Record<string, unknown>>(http: HttpClient, list: PagedList, cursor: string | null = null): AsyncGenerator<Page<T>> {
  let at: string | null = cursor;
  do {
    const page: Page<T> = await nextPage<T>(http, list, at);
    yield page;
    at = page.nextCursor;
  } while (at !== null);
}

const relative = (u: URL) => u.pathname + u.search;

function numberAt(body: unknown, path: string): number | undefined {
  const v = Number(valueAt(body, path));
  return Number.isFinite(v) && valueAt(body, path) !== null ? v : undefined;
}

/** A next link equal to the page just read would be followed forever. */
function guardLoop(list: PagedList, at: string, next: string | null): string | null {
  if (next === null) return null;
  if (new URL(next, 'http://first.invalid').href === new URL(at, 'http://first.invalid').href) {
    throw brokenPage(list, at, 'its next link points at the page itself');
  }
  return next;
}

/** Same shape as the client's broken-body error (`step: 'body'`), so callers treat it as a lost page. */
function brokenPage(list: PagedList, at: string, why: string): ConnectorError {
  const path = new URL(at, 'http://first.invalid').pathname;
  return new ConnectorError('transient', `the page at ${path}${list.resource ? ` (${list.resource})` : ''} cannot be followed: ${why}`, {
    resource: list.resource,
    step: 'body',
  });
}
