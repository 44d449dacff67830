// Plain collection reads: `$top` (1–999), `$select`, and paging by `@odata.nextLink` with an opaque
// `$skiptoken` holding the position. A page may be empty while more follow (`emptyPageRate`).

import { badRequest, unsupportedQuery } from './errors';
import { parseSelect, render, SelectError, type DirObject, type Kind } from './model';
import type { OrderedIndex } from './ordered';
import { decodeToken, encodeToken, link } from './tokens';

export interface ListRequest {
  base: string;
  /** Path of the collection under /v1.0, e.g. `users` or `groups/{id}/members`. */
  path: string;
  query: URLSearchParams;
  defaultPageSize: number;
  /** Whether this page (not the last) is to be answered empty. */
  emptyPage: () => boolean;
}

interface ListCursor {
  p: string;
  a: number;
  t: number;
  s: string[] | null;
}

const UNSUPPORTED = ['$filter', '$search', '$orderby', '$expand', '$count', '$skip'];

export function readListOptions(q: URLSearchParams, kind: Kind | null, defaultPageSize: number, path: string): { after: number; top: number; select: string[] | null } {
  for (const name of UNSUPPORTED) {
    if (q.has(name)) throw unsupportedQuery(`The query option ${name} is not supported by this emulator on ${path}.`);
  }
  const skip = q.get('$skiptoken');
  if (skip) {
    const c = decodeToken<ListCursor>(skip, '$skiptoken');
    if (c.p !== path || typeof c.a !== 'number') throw badRequest('Invalid $skiptoken value.');
    return { after: c.a, top: c.t, select: c.s };
  }
  let top = defaultPageSize;
  const rawTop = q.get('$top');
  if (rawTop !== null) {
    const n = Number(rawTop);
    if (!/^\d+$/.test(rawTop) || n < 1 || n > 999) throw badRequest(`Invalid page size specified: '${rawTop}'. Must be between 1 and 999 inclusive.`);
    top = n;
  }
  let select: string[] | null = null;
  try {
    select = kind ? parseSelect(q.get('$select'), kind) : q.get('$select')?.split(',').map((s) => s.trim()).filter(Boolean) ?? null;
  } catch (e) {
    if (e instanceof SelectError) throw badRequest(e.message);
    throw e;
  }
  return { after: 0, top, select };
}

/** One page of `index`; `lookup` turns a key into the object to show (or null to skip it). */
export function listPage<T = DirObject>(
  req: ListRequest,
  index: OrderedIndex,
  kind: Kind | null,
  lookup: (key: string) => T | null,
  show: (obj: T, select: string[] | null) => Record<string, unknown> = (o, s) => render(o as DirObject, s),
  contextName = req.path,
): Record<string, unknown> {
  const { after, top, select } = readListOptions(req.query, kind, req.defaultPageSize, req.path);
  const context = `${req.base}/v1.0/$metadata#${contextName}${select ? `(${select.join(',')})` : ''}`;
  const nextLink = (a: number) =>
    link(req.base, req.path, { $top: req.query.get('$top') ?? undefined, $select: req.query.get('$select') ?? undefined, $skiptoken: encodeToken({ p: req.path, a, t: top, s: select } satisfies ListCursor) });
  const page = index.page(after, top, (k) => lookup(k) !== null);
  if (!page.done && after >= 0 && req.emptyPage()) return { '@odata.context': context, '@odata.nextLink': nextLink(after), value: [] };
  const value = page.keys.map((k) => show(lookup(k)!, select));
  const body: Record<string, unknown> = { '@odata.context': context };
  if (!page.done) body['@odata.nextLink'] = nextLink(page.last);
  body.value = value;
  return body;
}
