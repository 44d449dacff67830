// Full reads and reads by id. REST lists page by offset/limit (limit ≤ 100) until `total`; an
// offset read loses objects when some are deleted mid-read, so a total that shrank, or an empty
// page before the total, marks the read incomplete (nothing of that class is deleted in the run).
// RaaS reports have no paging: each class is one page, the whole report. Memberships are each
// worker's primary supervisory organisation. Cursors are plain JSON: {"offset", "total"}.

import { ConnectorError } from '../errors';
import { readPageOr403 } from '../http/forbidden';
import type { ReadPageResult, ReadWarning, SourceLink, SourceObject, SourceRecord } from '../types';
import { dayIn, type Doc, type WorkdayApi } from './api';
import { derivedOrgs, membershipOf, orgId, orgObject, workerFacts, workerObject, type WorkdayClass } from './records';

interface OffsetCursor {
  offset: number;
  total?: number;
}

export interface RestPage {
  items: Doc[];
  at: Date;
  next: string | null;
  warnings: ReadWarning[];
}

export function parseCursor<T>(api: WorkdayApi, cursor: string, cls: string): T {
  try {
    const v = JSON.parse(cursor) as unknown;
    if (v && typeof v === 'object') return v as T;
  } catch {
    // reported below
  }
  throw new ConnectorError('bad-request', `${api.label}: the ${cls} read cannot continue from a cursor that is not this connector's`, { resource: cls });
}

const incomplete = (cls: string, why: string): ReadWarning => ({ resource: cls, incomplete: true, message: `the ${cls} read is incomplete: ${why}; ${cls} not seen in this run are not deleted` });

/** One page of a REST list (`{total, data}`). */
export async function restPage(api: WorkdayApi, path: string, cls: string, cursor: string | null): Promise<RestPage> {
  const c: OffsetCursor = cursor ? parseCursor<OffsetCursor>(api, cursor, cls) : { offset: 0 };
  const { body, at } = await api.get<{ total?: unknown; data: Doc[] }>(path, { limit: api.config.pageSize, offset: c.offset }, cls, 'data');
  const items = body.data;
  const total = typeof body.total === 'number' ? body.total : undefined;
  const first = c.total ?? total;
  const warnings: ReadWarning[] = [];
  if (first !== undefined && total !== undefined && total < first) warnings.push(incomplete(cls, `Workday's total fell from ${first} to ${total} during the read (objects removed meanwhile shift the pages, so some may have been skipped)`));
  else if (items.length === 0 && total !== undefined && c.offset < total) warnings.push(incomplete(cls, `Workday returned an empty page at offset ${c.offset} although its total is ${total}`));
  const nextOffset = c.offset + items.length;
  const done = warnings.length > 0 || items.length === 0 || (total !== undefined && nextOffset >= total);
  return { items, at, warnings, next: done ? null : JSON.stringify({ offset: nextOffset, ...(first !== undefined ? { total: first } : {}) }) };
}

/** Every page of a REST list (a parent's members, read whole). */
export async function restAll(api: WorkdayApi, path: string, cls: string): Promise<{ items: Doc[]; at: Date; warnings: ReadWarning[] }> {
  const items: Doc[] = [];
  const warnings: ReadWarning[] = [];
  let cursor: string | null = null;
  let at = new Date();
  do {
    const p: RestPage = await restPage(api, path, cls, cursor);
    items.push(...p.items);
    warnings.push(...p.warnings);
    at = p.at;
    cursor = p.next;
  } while (cursor);
  return { items, at, warnings };
}

export const restPath = (api: WorkdayApi, cls: WorkdayClass | 'memberships'): string => `${api.restBase}/${cls === 'organizations' ? 'supervisoryOrganizations' : 'workers'}`;

export function toRecords(api: WorkdayApi, cls: WorkdayClass | 'memberships', items: Doc[], at: Date): SourceRecord[] {
  const today = dayIn(at, api.config.timeZone);
  if (cls === 'workers') return items.map((d) => workerObject(api.config, d, today));
  if (cls === 'organizations') return items.map((d) => orgObject(api.config, d));
  return items.map((d) => membershipOf(api.config, d)).filter((l): l is SourceLink => l !== null);
}

/** The organisations as RaaS gives them: their report, or the ones workers belong to. */
export async function raasOrganizations(api: WorkdayApi): Promise<{ items: Doc[]; at: Date }> {
  const r = api.config.raas!;
  if (r.organizationsReport) {
    const o = await api.report(r.organizationsReport, {}, 'organizations');
    return { items: o.body, at: o.at };
  }
  const w = await api.report(r.workersReport, {}, 'organizations');
  return { items: derivedOrgs(api.config, w.body), at: w.at };
}

export function readPage(api: WorkdayApi, cls: WorkdayClass | 'memberships', cursor: string | null): Promise<ReadPageResult> {
  return readPageOr403(cls, async () => {
    if (api.config.mode === 'rest') {
      const p = await restPage(api, restPath(api, cls), cls, cursor);
      return { records: toRecords(api, cls, p.items, p.at), nextCursor: p.next, warnings: p.warnings };
    }
    if (cls === 'organizations') {
      const o = await raasOrganizations(api);
      return { records: toRecords(api, cls, o.items, o.at), nextCursor: null, warnings: [] };
    }
    const { body, at } = await api.report(api.config.raas!.workersReport, {}, cls);
    return { records: toRecords(api, cls, body, at), nextCursor: null, warnings: [] };
  });
}

const statusOf = (err: unknown) => (err instanceof ConnectorError ? err.details.status : undefined);

export async function getById(api: WorkdayApi, cls: WorkdayClass, id: string): Promise<SourceObject | null> {
  if (api.config.mode === 'rest') {
    try {
      const { body, at } = await api.get<Doc>(`${restPath(api, cls)}/${encodeURIComponent(id)}`, undefined, cls);
      return toRecords(api, cls, [body], at)[0] as SourceObject;
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw err;
    }
  }
  // RaaS has no read by id: the report is read and searched (re-fetches are rare for an HR source).
  if (cls === 'organizations') {
    const o = await raasOrganizations(api);
    const doc = o.items.find((d) => orgId(api.config, d) === id);
    return doc ? (toRecords(api, cls, [doc], o.at)[0] as SourceObject) : null;
  }
  const { body, at } = await api.report(api.config.raas!.workersReport, {}, cls);
  const doc = body.find((d) => workerFacts(api.config, d).id === id);
  return doc ? (toRecords(api, cls, [doc], at)[0] as SourceObject) : null;
}

/** The complete members of one supervisory organisation; none when it is gone. */
export async function getLinks(api: WorkdayApi, parentId: string): Promise<SourceLink[]> {
  if (api.config.mode === 'rest') {
    try {
      const all = await restAll(api, `${api.restBase}/supervisoryOrganizations/${encodeURIComponent(parentId)}/workers`, 'memberships');
      if (all.warnings.length) throw new ConnectorError('transient', `${api.label}: the members of organization ${parentId} changed while they were read; it is retried`, { resource: 'memberships' });
      return toRecords(api, 'memberships', all.items, all.at) as SourceLink[];
    } catch (err) {
      if (statusOf(err) === 404) return [];
      throw err;
    }
  }
  const { body, at } = await api.report(api.config.raas!.workersReport, {}, 'memberships');
  return (toRecords(api, 'memberships', body, at) as SourceLink[]).filter((l) => l.parentId === parentId);
}
