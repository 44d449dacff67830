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
    const parentId = state.pending[0]!;
    requests++;
    try {
      const page = state.children
        ? await api.listPage(state.children, resource)
        : await api.listPage(p.children(parentId), resource, { limit: api.limit(p.limit) });
      for (const item of page.items) records.push(toLink(resource, parentId, item));
      state.children = page.items.length > 0 ? page.next : null;
    } catch (err) {
      if (isForbidden(err)) {
        warnings.push({ resource, incomplete: true, message: forbiddenMessage(p.children(parentId), resource, `the ${resource} of ${parentId} were not read`) });
      } else if (!(err instanceof ConnectorError && err.kind === 'not-found')) {
        throw err; // a parent deleted since it was listed simply has no children left
      }
      state.children = null;
    }
    if (state.children === null) state.pending.shift();
  }

  const done = state.pending.length === 0 && state.parents === null;
  return { records, nextCursor: done ? null : JSON.stringify(state), warnings };
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
