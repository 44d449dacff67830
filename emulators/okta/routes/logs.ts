// /api/v1/logs: the System Log. Without `until` a request is a poll: it always carries a `next`
// link (even on an empty page) that picks up where this page left off.

import { OktaApiError, validation } from '../errors';
import { compileFilter, jsonPath } from '../filter';
import { collectPositions, decodeCursor, encodeCursor, pageResponse, parseLimit } from '../paging';
import type { ApiRequest, Route, RouteContext } from '../router';
import type { OktaState, StoredLogEvent } from '../state';

const DAY = 86_400_000;

function parseTime(name: string, raw: string | null): number | undefined {
  if (raw === null || raw === '') return undefined;
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw validation(name, 'must be an ISO 8601 timestamp');
  return t;
}

function* descending(from: number): Generator<number> {
  for (let i = from; i >= 0; i--) yield i;
}

function* ascending(from: number, to: number): Generator<number> {
  for (let i = from; i < to; i++) yield i;
}

function firstAtOrAfter(log: StoredLogEvent[], t: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid]!.publishedMs < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function tooOld(what: string): OktaApiError {
  return new OktaApiError(400, 'E0000053', `Invalid ${what}. Since and until must be no more than the log's retention in the past.`, [
    `${what}: must be within the System Log's retention`,
  ]);
}

function listLogs(state: OktaState, req: ApiRequest, retentionDays: number) {
  const params = req.url.searchParams;
  const now = Date.now();
  const limit = parseLimit(params.get('limit'), 100, 1000, 0);
  const descendingOrder = params.get('sortOrder') === 'DESCENDING';
  const since = parseTime('since', params.get('since')) ?? now - 7 * DAY;
  const until = parseTime('until', params.get('until'));
  const oldest = now - retentionDays * DAY;
  if (params.has('since') && since < oldest) throw tooOld('since');
  const kind = descendingOrder ? 'ld' : 'la';
  const after = params.has('after') ? decodeCursor(kind, params.get('after')) : undefined;
  // A poll link whose position has aged out of the log is refused like an old `since`.
  if (after !== undefined && after >= 0 && after < state.log.length && state.log[after]!.publishedMs < oldest) throw tooOld('after');
  const filter = params.get('filter');
  const test = filter ? compileFilter(filter, (e: StoredLogEvent, path) => jsonPath(e.event, path)) : () => true;
  const terms = (params.get('q') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const log = state.log;
  const inWindow = (e: StoredLogEvent) =>
    (after !== undefined || e.publishedMs >= since) && (until === undefined || e.publishedMs < until);
  const matches = (p: number) => {
    const e = log[p]!;
    if (!inWindow(e) || !test(e)) return false;
    if (!terms.length) return true;
    const text = JSON.stringify(e.event).toLowerCase();
    return terms.every((t) => text.includes(t));
  };
  const positions = descendingOrder
    ? descending(after !== undefined ? after - 1 : log.length - 1)
    : ascending(after !== undefined ? after + 1 : firstAtOrAfter(log, since), log.length);
  const page = collectPositions(positions, limit, matches);
  const last = page.positions[page.positions.length - 1];
  let next: number | undefined;
  if (page.more && last !== undefined) next = last;
  else if (!descendingOrder && until === undefined) {
    // Polling: resume after what was returned or, on a short page, after the end of the log.
    const start = after ?? firstAtOrAfter(log, since) - 1;
    next = page.more ? start : Math.max(log.length - 1, start);
  }
  const items = page.positions.map((p) => log[p]!.event);
  return pageResponse(req, items, next === undefined ? undefined : encodeCursor(kind, next), limit);
}

export function logRoutes({ state, knobs }: RouteContext): Route[] {
  return [{ method: 'GET', pattern: '/api/v1/logs', handler: (req) => listLogs(state, req, knobs().logRetentionDays) }];
}
