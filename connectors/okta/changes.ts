// Deltas from the System Log. The watermark is JSON:
//   {"v":1, "since": ISO, "seen": [uuids published exactly at `since`], "next": <poll link>|null,
//    "phases"?: {users|groups|apps: ISO}  (only after a lastUpdated fallback that left a phase unread)}
// A delta continues from `next` (Okta's polling link, which never skips an event) and, if
// that link is refused, from `since` with the `seen` events dropped — so nothing is read twice
// or missed. Events only say WHAT changed: every target is re-fetched by id (refetch.ts).
// Without okta.logs.read (403) or with useSystemLog false, it falls back to lastUpdated
// searches (search.ts), which cannot see deletions or app assignment changes (the warning says so).
// When the log cannot reach back to the watermark (older than Okta keeps, E0000053), the result
// says a full sync is required.

import { ConnectorError } from '../errors';
import type { ChangesResult } from '../types';
import type { Resource } from './classes';
import { forbiddenMessage, isForbidden, LIMITS, type OktaApi } from './api';
import { emptyTargets, refetch, type Targets } from './refetch';
import { fallbackWarning, searchStep, startSearch, type SearchCursor, type SearchPhase } from './search';

export interface OktaWatermark {
  v: 1;
  since: string;
  seen?: string[];
  next?: string | null;
  phases?: Partial<Record<SearchPhase, string>>;
}

interface LogCursor {
  kind: 'log';
  pos: OktaWatermark;
}
type ChangeCursor = LogCursor | SearchCursor;

interface LogEvent {
  uuid: string;
  published: string;
  eventType: string;
  outcome?: { result?: string };
  target?: { id: string; type: string }[] | null;
}

/** Okta's log is eventually consistent and clocks drift: start each window a little early. */
export const CLOCK_SKEW_MS = 60_000;
/** Okta refuses `since` more than 180 days back (400 E0000053). */
export const LOG_RETENTION_MS = 180 * 86_400_000;

export function watermarkAt(nowMs: number = Date.now()): string {
  return JSON.stringify({ v: 1, since: new Date(nowMs - CLOCK_SKEW_MS).toISOString() } satisfies OktaWatermark);
}

export interface ChangeContext {
  api: OktaApi;
  label: string;
  useSystemLog: boolean;
}

/** The log cannot continue from the watermark: only a full read is whole. */
class LogUnreachable extends Error {}

/** The framework takes its own watermark before the full read; a fresh one is returned anyway so a
 *  caller that stores this result never stores the stale position again. */
const fullSyncRequired = (reason: string): ChangesResult => ({
  records: [], deletions: [], linkSets: [], warnings: [], nextCursor: null, watermark: watermarkAt(), fullSyncRequired: reason,
});

export async function readChanges(ctx: ChangeContext, resources: Resource[], watermark: string, cursor: string | null): Promise<ChangesResult> {
  const wm = parseWatermark(watermark);
  if (!wm) return fullSyncRequired('the stored watermark is not an Okta System Log position');
  const c = cursor ? parse<ChangeCursor>(cursor, ctx.label, 'change cursor') : null;
  if (c?.kind === 'search') return searchStep(ctx.api, resources, c, []);
  const untilMs = Date.now() - CLOCK_SKEW_MS;
  if (!c && !ctx.useSystemLog) {
    const w = fallbackWarning(resources, 'useSystemLog is false');
    return searchStep(ctx.api, resources, startSearch(wm, resources, untilMs), [w]);
  }
  const pos = c?.pos ?? wm;

  let page: { events: LogEvent[]; next: string | null };
  try {
    page = await fetchLog(ctx.api, pos);
  } catch (err) {
    if (isForbidden(err)) {
      const w = fallbackWarning(resources, forbiddenMessage('/api/v1/logs', 'logs', 'changes are read from lastUpdated instead'));
      // Mid-window the log position has moved on; at the start, phases left unread earlier keep their starts.
      return searchStep(ctx.api, resources, startSearch(c ? { since: pos.since } : wm, resources, untilMs), [w]);
    }
    if (err instanceof LogUnreachable) return fullSyncRequired(err.message);
    throw err;
  }

  const seen = new Set(pos.seen ?? []);
  const fresh = page.events.filter((e) => !seen.has(e.uuid));
  const next = advance(pos, page.events, page.next);
  const changes = await refetch(ctx.api, resources, targetsOf(fresh));
  return {
    ...changes,
    nextCursor: page.events.length > 0 ? JSON.stringify({ kind: 'log', pos: next } satisfies LogCursor) : null,
    watermark: JSON.stringify(next),
  };
}

async function fetchLog(api: OktaApi, pos: OktaWatermark) {
  if (pos.next) {
    try {
      return await logPage(api, pos.next);
    } catch (err) {
      // A poll link can expire (400 "Invalid after", 404/410); `since` + `seen` resumes at the same place.
      if (!(err instanceof ConnectorError && (err.kind === 'bad-request' || err.kind === 'not-found'))) throw err;
    }
  }
  if (Date.now() - Date.parse(pos.since) > LOG_RETENTION_MS) {
    throw new LogUnreachable(`the watermark ${pos.since} is older than the System Log keeps (180 days)`);
  }
  try {
    return await logPage(api, '/api/v1/logs', { since: pos.since, limit: LIMITS.logs, sortOrder: 'ASCENDING' });
  } catch (err) {
    // E0000053: `since` is older than this org's log reaches.
    if (err instanceof ConnectorError && err.kind === 'bad-request') {
      throw new LogUnreachable(`the System Log no longer reaches back to ${pos.since} (${err.message})`);
    }
    throw err;
  }
}

async function logPage(api: OktaApi, urlOrPath: string, query?: Record<string, string | number>) {
  const page = await api.listPage(urlOrPath, 'logs', query);
  return { events: page.items as unknown as LogEvent[], next: page.next };
}

function advance(pos: OktaWatermark, events: LogEvent[], next: string | null): OktaWatermark {
  if (events.length === 0) return { v: 1, since: pos.since, seen: pos.seen ?? [], next: next ?? pos.next ?? null };
  const last = events[events.length - 1]!.published;
  const carried = last === pos.since ? (pos.seen ?? []) : [];
  const atLast = events.filter((e) => e.published === last).map((e) => e.uuid);
  return { v: 1, since: last, seen: [...new Set([...carried, ...atLast])], next };
}

/** Which objects and link parents the events touched. */
function targetsOf(events: LogEvent[]): Targets {
  const t = emptyTargets();
  for (const e of events) {
    const result = e.outcome?.result;
    if (result === 'FAILURE' || result === 'DENY') continue;
    const membership = e.eventType.startsWith('group.user_membership.');
    const assignment = e.eventType.startsWith('application.user_membership.');
    for (const target of e.target ?? []) {
      // Adding a user to a group changes the group's members, not the user object.
      if (target.type === 'User' && !membership && !assignment) t.objects.users.add(target.id);
      if (target.type === 'User' && e.eventType === 'user.lifecycle.create') t.created.add(target.id);
      if (target.type === 'UserGroup') (membership ? t.linkParents.memberships : t.objects.groups).add(target.id);
      if (target.type === 'AppInstance') (assignment ? t.linkParents.appUsers : t.objects.apps).add(target.id);
    }
  }
  return t;
}

function parseWatermark(text: string): OktaWatermark | null {
  try {
    const v = JSON.parse(text) as OktaWatermark;
    return v && v.v === 1 && typeof v.since === 'string' && Number.isFinite(Date.parse(v.since)) ? v : null;
  } catch {
    return null;
  }
}

function parse<T>(text: string, label: string, what: string): T {
  try {
    const v = JSON.parse(text) as T;
    if (v && typeof v === 'object') return v;
  } catch {
    /* reported below */
  }
  throw new ConnectorError('bad-request', `${label}: the stored ${what} is not one this connector wrote; run a full sync to start over`);
}
