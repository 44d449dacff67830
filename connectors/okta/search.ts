// The lastUpdated fallback for deltas, used without okta.logs.read (403) or with useSystemLog
// false: users, then groups (members re-read), then apps, each searched for changes since its
// own start. A phase that could not be read whole (a 403, a lost page) keeps its start in the
// watermark, so the next delta reads that window again instead of skipping it.

import { mapLimit } from '../framework/map-limit';
import type { ChangesResult, LinkSet, ReadWarning, SourceRecord } from '../types';
import type { Resource } from './classes';
import { emptyPagesText, forbiddenMessage, isForbidden, lostPage, MAX_EMPTY_PAGES, OBJECT_PATH, type OktaApi, type OktaItem } from './api';
import { readAllLinks, incompleteWarning } from './pages';
import { toObject } from './records';

export type SearchPhase = 'users' | 'groups' | 'apps';

/** Where each fallback phase starts; `since` for every phase not named. */
export interface SearchStart {
  since: string;
  phases?: Partial<Record<SearchPhase, string>>;
}

export interface SearchCursor {
  kind: 'search';
  since: string;
  phases?: Partial<Record<SearchPhase, string>>;
  until: string;
  phase: SearchPhase;
  next: string | null;
  /** Empty pages in a row on the current phase's list. */
  empty?: number;
  /** Phases of this window that could not be read whole. */
  unread?: SearchPhase[];
}

const PHASES: SearchPhase[] = ['users', 'groups', 'apps'];
const REFETCH_CONCURRENCY = 8;

export function phasesFor(resources: Resource[]): SearchPhase[] {
  const want = new Set(resources);
  return PHASES.filter((p) => want.has(p) || (p === 'groups' && want.has('memberships')));
}

export function startSearch(start: SearchStart, resources: Resource[], untilMs: number): SearchCursor {
  return {
    kind: 'search',
    since: start.since,
    ...(start.phases ? { phases: start.phases } : {}),
    until: new Date(untilMs).toISOString(),
    phase: phasesFor(resources)[0] ?? 'users',
    next: null,
  };
}

export function fallbackWarning(resources: Resource[], why: string): ReadWarning {
  return {
    resource: resources.includes('users') ? 'users' : (resources[0] ?? 'users'),
    incomplete: true,
    message: `${why}. Falling back to lastUpdated searches: deletions and app assignment changes cannot be seen this way; run a full sync to catch them`,
  };
}

const startOf = (c: SearchCursor, phase: SearchPhase) => c.phases?.[phase] ?? c.since;

/** One page of the fallback. */
export async function searchStep(api: OktaApi, resources: Resource[], c: SearchCursor, warnings: ReadWarning[]): Promise<ChangesResult> {
  const want = new Set(resources);
  const records: SourceRecord[] = [];
  const linkSets: LinkSet[] = [];
  const phases = phasesFor(resources);
  const since = startOf(c, c.phase);
  const ts = `"${since}"`;
  const unread = new Set(c.unread ?? []);
  let next: string | null = null;
  let empty = 0;
  try {
    let page: { items: OktaItem[]; next: string | null } = { items: [], next: null };
    if (phases.length === 0) {
      page = { items: [], next: null };
    } else if (c.phase === 'users') {
      page = await api.listPage(c.next ?? OBJECT_PATH.users, 'users', c.next ? undefined : { search: `lastUpdated gt ${ts}`, limit: api.limit('users') });
      page.items.forEach((u) => records.push(toObject('users', u)));
    } else if (c.phase === 'groups') {
      page = await api.listPage(c.next ?? OBJECT_PATH.groups, 'groups', c.next ? undefined : {
        filter: `lastUpdated gt ${ts} or lastMembershipUpdated gt ${ts}`,
        limit: api.limit('groups'),
      });
      if (want.has('groups')) page.items.forEach((g) => records.push(toObject('groups', g)));
      if (want.has('memberships')) {
        const sets = await mapLimit(page.items, REFETCH_CONCURRENCY, (g) => readAllLinks(api, 'memberships', g.id));
        page.items.forEach((g, i) => linkSets.push({ resource: 'memberships', parentId: g.id, links: sets[i]! }));
      }
    } else {
      // Apps are few; Okta's apps filter does not cover lastUpdated, so compare here.
      page = await api.listPage(c.next ?? OBJECT_PATH.apps, 'apps', c.next ? undefined : { limit: api.limit('apps') });
      page.items.filter((a) => isAfter(a, since)).forEach((a) => records.push(toObject('apps', a)));
    }
    next = page.next;
    empty = page.next && page.items.length === 0 ? (c.empty ?? 0) + 1 : 0;
    if (empty > MAX_EMPTY_PAGES) {
      warnings.push(incompleteWarning(c.phase, emptyPagesText(OBJECT_PATH[c.phase])));
      unread.add(c.phase);
      next = null;
    }
  } catch (err) {
    const lost = isForbidden(err) ? null : lostPage(err, c.next !== null);
    if (!isForbidden(err) && !lost) throw err;
    warnings.push(
      lost
        ? incompleteWarning(c.phase, `${lost}; changed ${c.phase} since ${since} are read again by the next delta`)
        : { resource: c.phase, incomplete: true, message: forbiddenMessage(OBJECT_PATH[c.phase], c.phase, `changed ${c.phase} were not read; the next delta reads them again from ${since}`) },
    );
    unread.add(c.phase);
    records.length = 0;
    linkSets.length = 0;
    next = null;
  }
  const later = phases[phases.indexOf(c.phase) + 1];
  const base = { ...c, unread: [...unread] };
  const cursor: SearchCursor | null = next
    ? { ...base, next, empty: empty || undefined }
    : later
      ? { ...base, phase: later, next: null, empty: undefined }
      : null;
  const finished = (p: SearchPhase) => !unread.has(p) && (phases.indexOf(p) < phases.indexOf(c.phase) || (p === c.phase && !next));
  const watermark = searchWatermark(c, phases, finished);
  return { records, deletions: [], linkSets, warnings, nextCursor: cursor ? JSON.stringify(cursor) : null, watermark };
}

/** A phase read to its end moves to `until`; any other keeps its start. `since` is the earliest
 *  of them, so the System Log, once readable again, also starts there. */
function searchWatermark(c: SearchCursor, phases: SearchPhase[], finished: (p: SearchPhase) => boolean): string {
  if (phases.length === 0) return JSON.stringify({ v: 1, since: c.until });
  const ends = Object.fromEntries(phases.map((p) => [p, finished(p) ? c.until : startOf(c, p)])) as Record<SearchPhase, string>;
  const values = Object.values(ends);
  const since = values.reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
  return JSON.stringify(values.every((v) => v === since) ? { v: 1, since } : { v: 1, since, phases: ends });
}

const isAfter = (o: OktaItem, since: string) => typeof o.lastUpdated === 'string' && Date.parse(o.lastUpdated) > Date.parse(since);
