// Full reads, one call per page of the source. Cursors are JSON the framework stores opaquely:
//   objects: {"next": <Okta next link>}
//   links:   {"parents": <next link of the parent list or null>, "pending": [parent ids of the
//             current parent page not finished], "children": <next link inside pending[0] or null>}
// so a group with a million members is read in pages of 1000 and never held whole.

import { ConnectorError } from '../errors';
import type { LinkResource, ObjectResource, ReadPageResult, ReadWarning, Resource, SourceRecord } from '../types';
import { ALL_USERS_FILTER, forbiddenMessage, isForbidden, OBJECT_PATH, type OktaApi } from './api';
import { toLink, toObject } from './records';

interface ObjectCursor {
  next: string;
}
interface LinkCursor {
  parents: string | null;
  pending: string[];
  children: string | null;
}

/** Enough records per call that small groups do not cost one activity each. */
const LINK_RECORDS_PER_CALL = 1000;
const LINK_REQUESTS_PER_CALL = 25;
const PARENTS_AT_ONCE = 8;

export function firstPageQuery(api: OktaApi, resource: ObjectResource): Record<string, string | number> {
  if (resource === 'users') return { limit: api.limit('users'), filter: ALL_USERS_FILTER };
  return { limit: api.limit(resource) };
}

export async function readPage(api: OktaApi, label: string, resource: Resource, cursor: string | null): Promise<ReadPageResult> {
  if (resource === 'memberships' || resource === 'appUsers') return readLinkPage(api, label, resource, cursor);
  const c = cursor ? parseCursor<ObjectCursor>(cursor, label, resource) : null;
  try {
    const page = c
      ? await api.listPage(c.next, resource)
      : await api.listPage(OBJECT_PATH[resource], resource, firstPageQuery(api, resource));
    const records: SourceRecord[] = page.items.map((item) => toObject(resource, item));
    const next = page.items.length > 0 ? page.next : null;
    return { records, nextCursor: next ? JSON.stringify({ next } satisfies ObjectCursor) : null, warnings: [] };
  } catch (err) {
    if (!isForbidden(err)) throw err;
    const warning: ReadWarning = {
      resource,
      incomplete: true,
      message: forbiddenMessage(OBJECT_PATH[resource], resource, `${resource} were not read`),
    };
    return { records: [], nextCursor: null, warnings: [warning] };
  }
}

const PARENT: Record<LinkResource, { list: string; children: (id: string) => string; limit: 'groupUsers' | 'appUsers'; parentLimit: 'groups' | 'apps' }> = {
  memberships: { list: OBJECT_PATH.groups, children: (id) => `/api/v1/groups/${encodeURIComponent(id)}/users`, limit: 'groupUsers', parentLimit: 'groups' },
  appUsers: { list: OBJECT_PATH.apps, children: (id) => `/api/v1/apps/${encodeURIComponent(id)}/users`, limit: 'appUsers', parentLimit: 'apps' },
};

async function readLinkPage(api: OktaApi, label: string, resource: LinkResource, cursor: string | null): Promise<ReadPageResult> {
  const p = PARENT[resource];
  const state: LinkCursor = cursor
    ? parseCursor<LinkCursor>(cursor, label, resource)
    : { parents: `${p.list}?limit=${api.limit(p.parentLimit)}`, pending: [], children: null };
  const records: SourceRecord[] = [];
  const warnings: ReadWarning[] = [];
  let requests = 0;

  while (records.length < LINK_RECORDS_PER_CALL && requests < LINK_REQUESTS_PER_CALL) {
    if (state.pending.length === 0) {
      if (state.parents === null) break;
      requests++;
      try {
        const parents = await api.listPage(state.parents, resource);
        state.pending = parents.items.map((g) => g.id);
        state.parents = parents.items.length > 0 ? parents.next : null;
      } catch (err) {
        if (!isForbidden(err)) throw err;
        warnings.push({ resource, incomplete: true, message: forbiddenMessage(p.list, resource, `${resource} were not read`) });
        return { records, nextCursor: null, warnings };
      }
      continue;
    }
    if (state.children === null && state.pending.length > 1) {
      // Most groups fit in one page: ask for several at once (Okta allows ~75 concurrent requests
      // per org; the HTTP client paces on the rate-limit headers). Sequential reads cost a round
      // trip per group, which dominates a 10,000-group org.
      const batch = state.pending.slice(0, PARENTS_AT_ONCE);
      const pages = await Promise.all(batch.map((id) => readChildren(api, resource, id, null)));
      requests += batch.length;
      for (let i = 0; i < batch.length; i++) {
        const page = pages[i]!;
        records.push(...page.records);
        if (page.warning) warnings.push(page.warning);
        if (page.next) {
          // A large parent continues page by page from the head of the queue.
          state.pending.splice(0, i);
          state.children = page.next;
          break;
        }
        if (i === batch.length - 1) state.pending.splice(0, batch.length);
      }
      continue;
    }
    const parentId = state.pending[0]!;
    requests++;
    const page = await readChildren(api, resource, parentId, state.children);
    records.push(...page.records);
    if (page.warning) warnings.push(page.warning);
    state.children = page.next;
    if (state.children === null) state.pending.shift();
  }

  const done = state.pending.length === 0 && state.parents === null;
  return { records, nextCursor: done ? null : JSON.stringify(state), warnings };
}

/** One page of one parent's children; a 403 becomes a warning, a parent deleted since it was
 *  listed simply has no children left. */
async function readChildren(
  api: OktaApi,
  resource: LinkResource,
  parentId: string,
  next: string | null,
): Promise<{ records: SourceRecord[]; next: string | null; warning?: ReadWarning }> {
  const p = PARENT[resource];
  try {
    const page = next ? await api.listPage(next, resource) : await api.listPage(p.children(parentId), resource, { limit: api.limit(p.limit) });
    return { records: page.items.map((item) => toLink(resource, parentId, item)), next: page.items.length > 0 ? page.next : null };
  } catch (err) {
    if (isForbidden(err)) {
      return { records: [], next: null, warning: { resource, incomplete: true, message: forbiddenMessage(p.children(parentId), resource, `the ${resource} of ${parentId} were not read`) } };
    }
    if (err instanceof ConnectorError && err.kind === 'not-found') return { records: [], next: null };
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

/** Every current child of one parent (a LinkSet must be complete); [] when the parent is gone. */
export async function readAllLinks(api: OktaApi, resource: LinkResource, parentId: string) {
  const p = PARENT[resource];
  try {
    const items = await api.listAll(p.children(parentId), resource, { limit: api.limit(p.limit) });
    return items.map((item) => toLink(resource, parentId, item));
  } catch (err) {
    if (err instanceof ConnectorError && err.kind === 'not-found') return [];
    throw err;
  }
}
