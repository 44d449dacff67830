// How one configured endpoint is listed through the HTTP kit: its path below the base URL, its
// paging style with the page size, where its records sit, and how a record gives its id and its
// change time. A record without an id, or a body without the records array, is a config mistake
// far more often than a broken server, so those errors name the config field to check.

import { ConnectorError } from '../errors';
import type { HttpClient } from '../http/client';
import { valueAt } from '../http/json-path';
import { nextPage, type Page, type PagedList, type Paging } from '../http/paging';
import type { RestClassConfig, RestConfig, RestLinkConfig, RestPaging } from './config';

export type Json = Record<string, unknown>;

export interface ListContext {
  http: HttpClient;
  config: RestConfig;
  /** The base URL's own path ('' or '/v1'), put before every configured path. */
  basePath: string;
  label: string;
}

function kitPaging(p: RestPaging, size: number): { paging: Paging; sizeQuery: Record<string, number> } {
  switch (p.style) {
    case 'link':
      return { paging: { style: 'link', ...(p.rel ? { rel: p.rel } : {}) }, sizeQuery: p.sizeParam ? { [p.sizeParam]: size } : {} };
    case 'cursor':
      return { paging: { style: 'cursor', cursorPath: p.cursorPath, param: p.param }, sizeQuery: p.sizeParam ? { [p.sizeParam]: size } : {} };
    case 'offset':
      return { paging: { style: 'offset', limit: size, offsetParam: p.offsetParam, limitParam: p.limitParam, totalPath: p.totalPath }, sizeQuery: {} };
    case 'page':
      return { paging: { style: 'page', size, pageParam: p.pageParam, sizeParam: p.sizeParam, firstPage: p.firstPage, totalPath: p.totalPath, totalPagesPath: p.totalPagesPath }, sizeQuery: {} };
  }
}

export function listOf(ctx: ListContext, spec: RestClassConfig | RestLinkConfig, path: string, resource: string, extra: Record<string, string> = {}): PagedList {
  const { paging, sizeQuery } = kitPaging((spec.paging ?? ctx.config.paging)!, ctx.config.pageSize);
  return {
    path: ctx.basePath + path,
    query: { ...stringify(spec.query), ...sizeQuery, ...extra },
    paging,
    ...(spec.records !== undefined ? { itemsPath: spec.records } : {}),
    resource,
  };
}

const stringify = (q: Record<string, string | number | boolean> | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(q ?? {}).map(([k, v]) => [k, String(v)]));

/** One page; a body without the records array is reported against `<field>.records`
 *  (`field` is where the endpoint is configured: `config.classes.users`). */
export async function pageOf(ctx: ListContext, list: PagedList, cursor: string | null, field: string): Promise<Page<Json>> {
  try {
    return await nextPage<Json>(ctx.http, list, cursor);
  } catch (err) {
    if (err instanceof ConnectorError && err.details.step === 'body' && /no JSON array at|where a JSON array was expected/.test(err.message)) {
      throw new ConnectorError('config', `${ctx.label}: ${err.message}; check ${field}.records (the JSON path of the records in the body, '' for a body that is the array)`, {
        ...err.details,
        connector: ctx.label,
      });
    }
    throw err;
  }
}

/** A record's id as a string; ids must be strings or numbers. */
export function idOf(ctx: ListContext, record: Json, path: string, field: string, resource: string): string {
  const v = valueAt(record, path);
  if ((typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isFinite(v))) return String(v);
  throw new ConnectorError('config', `${ctx.label}: a ${resource} record has no string or number at "${path}"; check ${field}`, { connector: ctx.label, resource });
}

/** The source's change time as ISO-8601, when the configured field holds a date. */
export function updatedAtOf(record: Json, path: string | undefined): string | null {
  if (!path) return null;
  const v = valueAt(record, path);
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** `/api/groups/{id}/members` with the id in its place, encoded. */
export const withId = (path: string, id: string): string => path.split('{id}').join(encodeURIComponent(id));
