// Deltas from the System Log. The watermark is JSON:
//   {"v":1, "since": ISO, "seen": [uuids published exactly at `since`], "next": <poll link>|null}
// A delta continues from `next` (Okta's polling link, which never skips an event) and, if
// that link is refused, from `since` with the `seen` events dropped — so nothing is read twice
// or missed. Events only say WHAT changed: every target is re-fetched by id; a 404 is a deletion.
// Without okta.logs.read (403) or with useSystemLog false, it falls back to lastUpdated
// searches, which cannot see deletions or app assignment changes (the warning says so).

import { ConnectorError } from '../errors';
import type { ChangesResult, LinkSet, ObjectResource, ReadWarning, Resource, SourceRecord } from '../types';
import { forbiddenMessage, isForbidden, LIMITS, OBJECT_PATH, type OktaApi, type OktaItem } from './api';
import { readAllLinks } from './pages';
import { membershipLink, toObject } from './records';

export interface OktaWatermark {
  v: 1;
  since: string;
  seen?: string[];
  next?: string | null;
}

interface LogCursor {
  kind: 'log';
  pos: OktaWatermark;
}
interface SearchCursor {
  kind: 'search';
  since: string;
  until: string;
  phase: SearchPhase;
  next: string | null;
}
type SearchPhase = 'users' | 'groups' | 'apps';
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
const REFETCH_CONCURRENCY = 8;

export function watermarkAt(nowMs: number = Date.now()): string {
  return JSON.stringify({ v: 1, since: new Date(nowMs - CLOCK_SKEW_MS).toISOString() } satisfies OktaWatermark);
}

export interface ChangeContext {
  api: OktaApi;
  label: string;
  useSystemLog: boolean;
}

export async function readChanges(ctx: ChangeContext, resources: Resource[], watermark: string, cursor: string | null): Promise<ChangesResult> {
  const wm = parseWatermark(watermark);
  if (!wm) {
    return {
      records: [], deletions: [], linkSets: [], warnings: [], nextCursor: null, watermark: watermarkAt(),
      fullSyncRequired: 'the stored watermark is not an Okta System Log position',
    };
  }
  const c = cursor ? parse<ChangeCursor>(cursor, ctx.label, 'change cursor') : null;
  if (c?.kind === 'search') return searchStep(ctx, resources, c, []);
  if (!c && !ctx.useSystemLog) {
    const w = fallbackWarning(resources, 'useSystemLog is false');
    return searchStep(ctx, resources, startSearch(wm.since, resources), [w]);
  }
  const pos = c?.pos ?? wm;

  let page: { events: LogEvent[]; next: string | null };
  try {
    page = await fetchLog(ctx.api, pos);
  } catch (err) {
    if (isForbidden(err)) {
      const w = fallbackWarning(resources, forbiddenMessage('/api/v1/logs', 'logs', 'changes are read from lastUpdated instead'));
      return searchStep(ctx, resources, startSearch(pos.since, resources), [w]);
    }
    if (err instanceof ConnectorError && err.kind === 'bad-request') {
      // E0000053: `since` is older than the log keeps (180 days); only a full read is whole.
      return {
        records: [], deletions: [], linkSets: [], warnings: [], nextCursor: null, watermark,
        fullSyncRequired: `the System Log no longer reaches back to ${pos.since} (${err.message})`,
      };
    }
    throw err;
  }

  const seen = new Set(pos.seen ?? []);
  const fresh = page.events.filter((e) => !seen.has(e.uuid));
  const next = advance(pos, page.events, page.next);
  const changes = await applyEvents(ctx.api, resources, fresh);
  return {
    ...changes,
    warnings: [],
    nextCursor: page.events.length > 0 ? JSON.stringify({ kind: 'log', pos: next } satisfies LogCursor) : null,
    watermark: JSON.stringify(next),
  };
}

async function fetchLog(api: OktaApi, pos: OktaWatermark) {
  if (pos.next) {
    try {
      return await logPage(api, pos.next);
    } catch (err) {
      // A poll link can expire; `since` + `seen` resumes at the same place.
      if (!(err instanceof ConnectorError && err.kind === 'bad-request')) throw err;
    }
  }
  return logPage(api, '/api/v1/logs', { since: pos.since, limit: LIMITS.logs, sortOrder: 'ASCENDING' });
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

/** Which objects and link parents the events touched, re-read from Okta now. */
async function applyEvents(api: OktaApi, resources: Resource[], events: LogEvent[]) {
  const want = new Set(resources);
  const objects: Record<ObjectResource, Set<string>> = { users: new Set(), groups: new Set(), apps: new Set() };
  const linkParents = { memberships: new Set<string>(), appUsers: new Set<string>() };
  // Okta puts a new user into groups by rule and into Everyone without membership events, so a
  // created user's groups are read from the user's side.
  const created = new Set<string>();
  for (const e of events) {
    const result = e.outcome?.result;
    if (result === 'FAILURE' || result === 'DENY') continue;
    const membership = e.eventType.startsWith('group.user_membership.');
    const assignment = e.eventType.startsWith('application.user_membership.');
    for (const t of e.target ?? []) {
      // Adding a user to a group changes the group's members, not the user object.
      if (t.type === 'User' && !membership && !assignment) objects.users.add(t.id);
      if (t.type === 'User' && e.eventType === 'user.lifecycle.create') created.add(t.id);
      if (t.type === 'UserGroup') (membership ? linkParents.memberships : objects.groups).add(t.id);
      if (t.type === 'AppInstance') (assignment ? linkParents.appUsers : objects.apps).add(t.id);
    }
  }
  const records: SourceRecord[] = [];
  const deletions: ChangesResult['deletions'] = [];
  const linkSets: LinkSet[] = [];
  for (const r of ['users', 'groups', 'apps'] as const) {
    if (!want.has(r)) continue;
    const found = await mapLimit([...objects[r]], REFETCH_CONCURRENCY, (id) => api.getObject(`${OBJECT_PATH[r]}/${encodeURIComponent(id)}`, r));
    [...objects[r]].forEach((id, i) => {
      const obj = found[i];
      if (obj) records.push(toObject(r, obj));
      else deletions.push({ resource: r, id });
    });
  }
  if (want.has('memberships')) {
    const ids = [...created].filter((id) => records.some((r) => r.type === 'object' && r.id === id));
    const groupsOf = await mapLimit(ids, REFETCH_CONCURRENCY, (id) => api.listAll(`${OBJECT_PATH.users}/${encodeURIComponent(id)}/groups`, 'memberships'));
    ids.forEach((userId, i) => {
      for (const g of groupsOf[i]!) {
        if (!linkParents.memberships.has(g.id)) records.push(membershipLink(g.id, { id: userId }));
      }
    });
  }
  for (const r of ['memberships', 'appUsers'] as const) {
    if (!want.has(r)) continue;
    const parents = [...linkParents[r]];
    const sets = await mapLimit(parents, REFETCH_CONCURRENCY, (id) => readAllLinks(api, r, id));
    parents.forEach((parentId, i) => linkSets.push({ resource: r, parentId, links: sets[i]! }));
  }
  return { records, deletions, linkSets };
}

const PHASES: SearchPhase[] = ['users', 'groups', 'apps'];

function phasesFor(resources: Resource[]): SearchPhase[] {
  const want = new Set(resources);
  return PHASES.filter((p) => want.has(p) || (p === 'groups' && want.has('memberships')));
}

function startSearch(since: string, resources: Resource[]): SearchCursor {
  return { kind: 'search', since, until: new Date(Date.now() - CLOCK_SKEW_MS).toISOString(), phase: phasesFor(resources)[0] ?? 'users', next: null };
}

function fallbackWarning(resources: Resource[], why: string): ReadWarning {
  return {
    resource: resources.includes('users') ? 'users' : (resources[0] ?? 'users'),
    incomplete: true,
    message: `${why}. Falling back to lastUpdated searches: deletions and app assignment changes cannot be seen this way; run a full sync to catch them`,
  };
}

/** One page of the lastUpdated fallback: users, then groups (members re-read), then apps. */
async function searchStep(ctx: ChangeContext, resources: Resource[], c: SearchCursor, warnings: ReadWarning[]): Promise<ChangesResult> {
  const want = new Set(resources);
  const records: SourceRecord[] = [];
  const linkSets: LinkSet[] = [];
  const { api } = ctx;
  const ts = `"${c.since}"`;
  let next: string | null = null;
  const phases = phasesFor(resources);
  try {
    if (phases.length === 0) {
      next = null;
    } else if (c.phase === 'users') {
      const page = await api.listPage(c.next ?? OBJECT_PATH.users, 'users', c.next ? undefined : { search: `lastUpdated gt ${ts}`, limit: api.limit('users') });
      page.items.forEach((u) => records.push(toObject('users', u)));
      next = page.items.length ? page.next : null;
    } else if (c.phase === 'groups') {
      const page = await api.listPage(c.next ?? OBJECT_PATH.groups, 'groups', c.next ? undefined : {
        filter: `lastUpdated gt ${ts} or lastMembershipUpdated gt ${ts}`,
        limit: api.limit('groups'),
      });
      if (want.has('groups')) page.items.forEach((g) => records.push(toObject('groups', g)));
      if (want.has('memberships')) {
        const sets = await mapLimit(page.items, REFETCH_CONCURRENCY, (g) => readAllLinks(api, 'memberships', g.id));
        page.items.forEach((g, i) => linkSets.push({ resource: 'memberships', parentId: g.id, links: sets[i]! }));
      }
      next = page.items.length ? page.next : null;
    } else {
      // Apps are few; Okta's apps filter does not cover lastUpdated, so compare here.
      const page = await api.listPage(c.next ?? OBJECT_PATH.apps, 'apps', c.next ? undefined : { limit: api.limit('apps') });
      page.items.filter((a) => isAfter(a, c.since)).forEach((a) => records.push(toObject('apps', a)));
      next = page.items.length ? page.next : null;
    }
  } catch (err) {
    if (!isForbidden(err)) throw err;
    warnings.push({ resource: c.phase, incomplete: true, message: forbiddenMessage(OBJECT_PATH[c.phase], c.phase, `changed ${c.phase} were not read`) });
    next = null;
  }
  const done: OktaWatermark = { v: 1, since: c.until };
  let cursor: SearchCursor | null = next ? { ...c, next } : null;
  if (!cursor) {
    const later = phases[phases.indexOf(c.phase) + 1];
    cursor = later ? { ...c, phase: later, next: null } : null;
  }
  return { records, deletions: [], linkSets, warnings, nextCursor: cursor ? JSON.stringify(cursor) : null, watermark: JSON.stringify(done) };
}

const isAfter = (o: OktaItem, since: string) => typeof o.lastUpdated === 'string' && Date.parse(o.lastUpdated) > Date.parse(since);

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let i = 0;
  const worker = async () => {
    while (i < items.length) {
      const k = i++;
      out[k] = await fn(items[k]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
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
