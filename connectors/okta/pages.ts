// Full reads, one call per page of the source. Cursors are JSON the framework stores opaquely:
//   objects: {"next": <Okta next link>, "empty"?: <empty pages in a row so far>}
//   links:   {"parents": <next link of the parent list or null>, "pending": [parent ids of the
//             current parent page not finished], "children": <next link inside pending[0] or null>,
//             "empty"?: <empty pages in a row on the list being walked>}
// so a group with a million members is read in pages of 1000 and never held whole.
// A read that ends before Okta's last page (a lost page, endless empty pages, a 403) returns a
// warning with `incomplete`, so nothing of that resource is deleted in the run.

import { ConnectorError } from '../errors';
import type { ReadPageResult, ReadWarning, SourceRecord } from '../types';
import type { LinkResource, ObjectResource, Resource } from './classes';
import { forbiddenWarning } from '../http/forbidden';
import { ALL_USERS_FILTER, emptyPagesText, forbiddenMessage, lostPage, MAX_EMPTY_PAGES, OBJECT_PATH, type OktaApi } from './api';
import { toLink, toObject } from './records';

interface ObjectCursor {
  next: string;
  empty?: number;
}
interface LinkCursor {
  parents: string | null;
  pending: string[];
  children: string | null;
  empty?: number;
}

/** Enough records per call that small groups do not cost one activity each. */
const LINK_RECORDS_PER_CALL = 1000;
const LINK_REQUESTS_PER_CALL = 25;
const PARENTS_AT_ONCE = 8;

export function firstPageQuery(api: OktaApi, resource: ObjectResource): Record<string, string | number> {
  if (resource === 'users') return { limit: api.limit('users'), filter: ALL_USERS_FILTER };
  return { limit: api.limit(resource) };
}

/** The run-log text for a read that stopped early. */
export function incompleteWarning(resource: Resource, why: string): ReadWarning {
  return { resource, incomplete: true, message: `the read ended early and is incomplete: ${why}; ${resource} not seen in this run are not deleted` };
}

/** Empty pages in a row after this one, or null once more than MAX_EMPTY_PAGES were followed. */
function emptyRun(items: unknown[], before: number | undefined): number | null {
  const n = items.length === 0 ? (before ?? 0) + 1 : 0;
  return n > MAX_EMPTY_PAGES ? null : n;
}

export async function readPage(api: OktaApi, label: string, resource: Resource, cursor: string | null): Promise<ReadPageResult> {
  if (resource === 'memberships' || resource === 'appUsers') return readLinkPage(api, label, resource, cursor);
  const c = cursor ? parseCursor<ObjectCursor>(cursor, label, resource) : null;
  try {
    const page = c
      ? await api.listPage(c.next, resource)
      : await api.listPage(OBJECT_PATH[resource], resource, firstPageQuery(api, resource));
    const records: SourceRecord[] = page.items.map((item) => toObject(resource, item));
    if (!page.next) return { records, nextCursor: null, warnings: [] };
    const empty = emptyRun(page.items, c?.empty);
    if (empty === null) return { records, nextCursor: null, warnings: [incompleteWarning(resource, emptyPagesText(OBJECT_PATH[resource]))] };
    const next: ObjectCursor = empty ? { next: page.next, empty } : { next: page.next };
    return { records, nextCursor: JSON.stringify(next), warnings: [] };
  } catch (err) {
    const denied = forbiddenWarning(err, resource, () => forbiddenMessage(OBJECT_PATH[resource], resource, `${resource} were not read`));
    if (denied) return { records: [], nextCursor: null, warnings: [denied] };
    const lost = lostPage(err, c !== null);
    if (lost) return { records: [], nextCursor: null, warnings: [incompleteWarning(resource, lost)] };
    throw err;
  }
}

interface ParentOf {
  list: string;
  children: (id: string) => string;
  limit: 'groupUsers' | 'appUsers';
  parentLimit: 'groups' | 'apps';
  /** The members of each child the link needs, when it needs few (records.ts). */
  pick?: readonly string[];
}

const PARENT: Record<LinkResource, ParentOf> = {
  // A group's members are whole user objects; the link needs only their ids.
  memberships: { list: OBJECT_PATH.groups, children: (id) => `/api/v1/groups/${encodeURIComponent(id)}/users`, limit: 'groupUsers', parentLimit: 'groups', pick: ['id'] },
  appUsers: { list: OBJECT_PATH.apps, children: (id) => `/api/v1/apps/${encodeURIComponent(id)}/users`, limit: 'appUsers', parentLimit: 'apps' },
};

export const childrenPath = (resource: LinkResource, parentId: string) => PARENT[resource].children(parentId);

async function readLinkPage(api: OktaApi, label: string, resource: LinkResource, cursor: string | null): Promise<ReadPageResult> {
  const p = PARENT[resource];
  const firstParents = `${p.list}?limit=${api.limit(p.parentLimit)}`;
  const state: LinkCursor = cursor ? parseCursor<LinkCursor>(cursor, label, resource) : { parents: firstParents, pending: [], children: null };
  const records: SourceRecord[] = [];
  const warnings: ReadWarning[] = [];
  let requests = 0;

  while (records.length < LINK_RECORDS_PER_CALL && requests < LINK_REQUESTS_PER_CALL) {
    if (state.pending.length === 0) {
      if (state.parents === null) break;
      requests++;
      const following = state.parents !== firstParents;
      try {
        const parents = await api.listPage(state.parents, resource);
        state.pending = parents.items.map((g) => g.id);
        const empty = parents.next ? emptyRun(parents.items, state.empty) : 0;
        if (empty === null) {
          warnings.push(incompleteWarning(resource, emptyPagesText(p.list)));
          state.parents = null;
        } else {
          state.parents = parents.next;
          state.empty = empty || undefined;
        }
      } catch (err) {
        const denied = forbiddenWarning(err, resource, () => forbiddenMessage(p.list, resource, `${resource} were not read`));
        if (denied) return { records, nextCursor: null, warnings: [...warnings, denied] };
        // Without the parent list's next page the remaining parents are unknown: the read ends here.
        const lost = lostPage(err, following);
        if (!lost) throw err;
        warnings.push(incompleteWarning(resource, lost));
        return { records, nextCursor: null, warnings };
      }
      continue;
    }
    if (state.children === null && state.pending.length > 1) {
      // Most groups fit in one page: ask for several at once (Okta allows ~75 concurrent requests
      // per org). Each request is admitted by the tenant's shared rate budget (http/rate-budget.ts),
      // so these spend the groups bucket's share like any other read. Sequential reads cost a
      // round trip per group, which dominates a 10,000-group org.
      const batch = state.pending.slice(0, PARENTS_AT_ONCE);
      const pages = await Promise.all(batch.map((id) => readChildren(api, resource, id, null, undefined)));
      requests += batch.length;
      for (let i = 0; i < batch.length; i++) {
        const page = pages[i]!;
        records.push(...page.records);
        if (page.warning) warnings.push(page.warning);
        if (page.next) {
          // A large parent continues page by page from the head of the queue.
          state.pending.splice(0, i);
          state.children = page.next;
          state.empty = page.empty || undefined;
          break;
        }
        if (i === batch.length - 1) state.pending.splice(0, batch.length);
      }
      continue;
    }
    const parentId = state.pending[0]!;
    requests++;
    const page = await readChildren(api, resource, parentId, state.children, state.empty);
    records.push(...page.records);
    if (page.warning) warnings.push(page.warning);
    state.children = page.next;
    state.empty = page.empty || undefined;
    if (state.children === null) state.pending.shift();
  }

  const done = state.pending.length === 0 && state.parents === null;
  return { records, nextCursor: done ? null : JSON.stringify(state), warnings };
}

/** One page of one parent's children. A 403, a lost page or endless empty pages become an
 *  `incomplete` warning and the read moves on to the next parent; a parent deleted since it was
 *  listed (404 on its first page) simply has no children left. */
async function readChildren(
  api: OktaApi,
  resource: LinkResource,
  parentId: string,
  next: string | null,
  emptyBefore: number | undefined,
): Promise<{ records: SourceRecord[]; next: string | null; empty: number; warning?: ReadWarning }> {
  const p = PARENT[resource];
  try {
    const page = next ? await api.listPage(next, resource, undefined, p.pick) : await api.listPage(p.children(parentId), resource, { limit: api.limit(p.limit) }, p.pick);
    const records = page.items.map((item) => toLink(resource, parentId, item));
    if (!page.next) return { records, next: null, empty: 0 };
    const empty = emptyRun(page.items, emptyBefore);
    if (empty === null) return { records, next: null, empty: 0, warning: incompleteWarning(resource, emptyPagesText(p.children(parentId))) };
    return { records, next: page.next, empty };
  } catch (err) {
    const denied = forbiddenWarning(err, resource, () => forbiddenMessage(p.children(parentId), resource, `the ${resource} of ${parentId} were not read`));
    if (denied) return { records: [], next: null, empty: 0, warning: denied };
    const lost = lostPage(err, next !== null);
    if (lost) return { records: [], next: null, empty: 0, warning: incompleteWarning(resource, `the ${resource} of ${parentId}: ${lost}`) };
    if (err instanceof ConnectorError && err.kind === 'not-found') return { records: [], next: null, empty: 0 };
    throw err;
  }
}

function parseCursor<T>(cursor: string, label: string, resource: string): T {
  try {
    return JSON.parse(cursor) as T;
  } catch {
    throw new ConnectorError('bad-request', `${label}: the ${resource} cursor is not one this connector wrote; restart the full sync`, { resource });
  }
}

/** Every current child of one parent (a LinkSet must be complete); [] when the parent is gone.
 *  A list that cannot be read to its end throws: a partial LinkSet would remove real links. */
export async function readAllLinks(api: OktaApi, resource: LinkResource, parentId: string) {
  const p = PARENT[resource];
  try {
    const items = await api.listAll(p.children(parentId), resource, { limit: api.limit(p.limit) }, p.pick);
    return items.map((item) => toLink(resource, parentId, item));
  } catch (err) {
    // listAll reports a lost later page as transient, so a 404 here is the parent itself.
    if (err instanceof ConnectorError && err.kind === 'not-found') return [];
    throw err;
  }
}
