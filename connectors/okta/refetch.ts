// Events and webhooks only say WHAT changed: each target is re-read from Okta by id. Per object,
// a 404 is a deletion; a 403 or an id that is not an Okta id skips that object with a warning
// naming it (and the missing scope), so one object never stops the rest of the batch.

import { ConnectorError } from '../errors';
import { mapLimit } from '../framework/map-limit';
import type { ChangesResult, LinkSet, ReadWarning, SourceRecord } from '../types';
import type { LinkResource, ObjectResource, Resource } from './classes';
import { forbiddenMessage, invalidId, isForbidden, isInvalidId, isOktaId, OBJECT_PATH, type OktaApi } from './api';
import { childrenPath, readAllLinks } from './pages';
import { membershipLink, toObject } from './records';

const REFETCH_CONCURRENCY = 8;

export interface Targets {
  objects: Record<ObjectResource, Set<string>>;
  linkParents: Record<LinkResource, Set<string>>;
  /** Users created in the window: Okta adds them to groups (rules, Everyone) without membership events. */
  created: Set<string>;
}

export const emptyTargets = (): Targets => ({
  objects: { users: new Set(), groups: new Set(), apps: new Set() },
  linkParents: { memberships: new Set(), appUsers: new Set() },
  created: new Set(),
});

/** The warning for an object or link parent skipped because of a 403 or a malformed id; null when
 *  `err` is a failure the whole batch must retry (5xx, 429, network, 401). */
export function skipWarning(resource: Resource, err: unknown): ReadWarning | null {
  if (isForbidden(err) || isInvalidId(err)) return { resource, incomplete: true, message: (err as ConnectorError).message };
  return null;
}

export async function refetch(api: OktaApi, resources: Resource[], t: Targets): Promise<Omit<ChangesResult, 'nextCursor' | 'watermark'>> {
  const want = new Set(resources);
  const records: SourceRecord[] = [];
  const deletions: ChangesResult['deletions'] = [];
  const linkSets: LinkSet[] = [];
  const warnings: ReadWarning[] = [];
  const skip = (resource: Resource, err: unknown) => {
    const w = skipWarning(resource, err);
    if (!w) throw err;
    warnings.push(w);
  };

  for (const r of ['users', 'groups', 'apps'] as const) {
    if (!want.has(r)) continue;
    const ids = [...t.objects[r]];
    const found = await mapLimit(ids, REFETCH_CONCURRENCY, (id) => settle(() => api.getObject(r, id)));
    ids.forEach((id, i) => {
      const res = found[i]!;
      if ('error' in res) skip(r, res.error);
      else if (res.value) records.push(toObject(r, res.value));
      else deletions.push({ resource: r, id });
    });
  }
  if (want.has('memberships')) {
    const ids = [...t.created].filter((id) => records.some((r) => r.type === 'object' && r.id === id));
    const groupsOf = await mapLimit(ids, REFETCH_CONCURRENCY, (id) => settle(() => api.listAll(`${OBJECT_PATH.users}/${id}/groups`, 'memberships')));
    ids.forEach((userId, i) => {
      const res = groupsOf[i]!;
      if ('error' in res) return skip('memberships', res.error);
      for (const g of res.value) {
        if (!t.linkParents.memberships.has(g.id)) records.push(membershipLink(g.id, { id: userId }));
      }
    });
  }
  for (const r of ['memberships', 'appUsers'] as const) {
    if (!want.has(r)) continue;
    const parents = [...t.linkParents[r]];
    const sets = await mapLimit(parents, REFETCH_CONCURRENCY, (id) => settle(() => linksOf(api, r, id)));
    parents.forEach((parentId, i) => {
      const res = sets[i]!;
      // Without the whole child list no LinkSet is sent: a partial one would remove real links.
      if ('error' in res) return skip(r, res.error);
      linkSets.push({ resource: r, parentId, links: res.value });
    });
  }
  return { records, deletions, linkSets, warnings };
}

/** Every child of one parent. A malformed parent id is refused before any request; a 403 names
 *  the parent and the missing scope. A later page lost (404/410, malformed) fails the batch so it
 *  is retried: skipping would leave the parent's links stale without saying so. */
export async function linksOf(api: OktaApi, resource: LinkResource, parentId: string) {
  if (!isOktaId(parentId)) throw invalidId(api.label, resource, parentId);
  try {
    return await readAllLinks(api, resource, parentId);
  } catch (err) {
    if (!isForbidden(err)) throw err;
    const message = forbiddenMessage(childrenPath(resource, parentId), resource, `the ${resource} of ${parentId} were skipped`);
    throw new ConnectorError('forbidden', `${api.label}: ${message}`, err.details);
  }
}

async function settle<T>(fn: () => Promise<T>): Promise<{ value: T } | { error: unknown }> {
  try {
    return { value: await fn() };
  } catch (error) {
    return { error };
  }
}
