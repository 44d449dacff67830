// Okta's management endpoints as this connector reads them: list pages that follow `next`
// links, gets by id, and the scope a 403 on each endpoint is missing.

import type { HttpClient } from '../http/client';
import { isForbidden } from '../http/forbidden';
import { nextLink } from '../http/link';
import { ConnectorError } from '../errors';
import type { ObjectResource, Resource } from './classes';

export type OktaItem = Record<string, unknown> & { id: string };

export interface ListPage {
  items: OktaItem[];
  next: string | null;
}

/** Without `filter`/`search` Okta omits DEPROVISIONED users; naming every status includes them. */
export const ALL_USER_STATUSES = ['STAGED', 'PROVISIONED', 'ACTIVE', 'RECOVERY', 'LOCKED_OUT', 'PASSWORD_EXPIRED', 'SUSPENDED', 'DEPROVISIONED'];
export const ALL_USERS_FILTER = ALL_USER_STATUSES.map((s) => `status eq "${s}"`).join(' or ');

/** Okta's page caps: users and apps ≤ 200, app users ≤ 500, group members 1000, logs 1000. */
export const LIMITS = { users: 200, groups: 200, apps: 200, groupUsers: 1000, appUsers: 500, logs: 1000 } as const;

export const SCOPE_FOR: Record<Resource | 'logs', string> = {
  users: 'okta.users.read',
  groups: 'okta.groups.read',
  memberships: 'okta.groups.read',
  apps: 'okta.apps.read',
  appUsers: 'okta.apps.read',
  logs: 'okta.logs.read',
};

export const OBJECT_PATH = { users: '/api/v1/users', groups: '/api/v1/groups', apps: '/api/v1/apps' } as const;

const FAMILIES = new Set(['users', 'groups', 'apps', 'logs', 'eventHooks']);
const BY_ID = new Set(['users', 'groups', 'apps']);

/** Okta's rate-limit bucket of a request: per endpoint family, where an object by id
 *  (`/api/v1/users/{id}`) has its own, larger limit, while `/groups/{id}/users` and
 *  `/apps/{id}/users` count with their family's list. */
export function oktaBucket(url: URL): string {
  const [, api, version, family, id, more] = url.pathname.split('/');
  if (api !== 'api' || version !== 'v1' || !family || !FAMILIES.has(family)) return 'other';
  return id && more === undefined && BY_ID.has(family) ? `${family}/{id}` : family;
}

/** Okta ids are 20 letters and digits (`00u…`, `00g…`, `0oa…`); anything else (".", "../x", "")
 *  never goes into a URL path, where it could address another endpoint. */
const OKTA_ID = /^[A-Za-z0-9]{1,64}$/;
export const isOktaId = (id: unknown): id is string => typeof id === 'string' && OKTA_ID.test(id);

/**
 * Consecutive empty pages that still carry a `next` link, followed before a list is given up as
 * incomplete. Okta may answer an empty page with `next` when a filter or search matched nothing
 * in one slice of the org, so the link is followed; a server that does so without end must not
 * hold a read forever, nor may the read be taken as complete while a `next` was left unfollowed.
 */
export const MAX_EMPTY_PAGES = 25;

export class OktaApi {
  constructor(
    readonly http: HttpClient,
    readonly label: string,
    private readonly pageSize?: number,
  ) {}

  limit(kind: keyof typeof LIMITS): number {
    return Math.min(this.pageSize ?? LIMITS[kind], LIMITS[kind]);
  }

  /** One page of a list endpoint; `urlOrPath` is either a first-page path or a `next` link. A body
   *  that is not a JSON array (truncated, or another shape) is retried by the client, then thrown
   *  with `details.step = 'body'`. */
  async listPage(urlOrPath: string, resource: string, query?: Record<string, string | number | undefined>, pick?: readonly string[]): Promise<ListPage> {
    const res = await this.http.getJson<OktaItem[]>(urlOrPath, { query, resource, expectArray: true, pick });
    return { items: res.body, next: nextLink(res.headers.link) };
  }

  /** Every page of a list, for bounded lists (one group's members, one app's users). Callers treat
   *  the result as the whole list, so a list that cannot be read to its end throws instead. */
  async listAll(path: string, resource: string, query?: Record<string, string | number | undefined>, pick?: readonly string[]): Promise<OktaItem[]> {
    const out: OktaItem[] = [];
    let page = await this.listPage(path, resource, query, pick);
    let empty = 0;
    for (;;) {
      out.push(...page.items);
      if (!page.next) return out;
      empty = page.items.length === 0 ? empty + 1 : 0;
      if (empty > MAX_EMPTY_PAGES) throw new ConnectorError('transient', `${this.label}: ${emptyPagesText(path)}`, { resource, step: 'body' });
      try {
        page = await this.listPage(page.next, resource, undefined, pick);
      } catch (err) {
        // A 404 here is a lost page, not a vanished parent: the list so far is not the whole list.
        const lost = lostPage(err, true);
        if (lost) throw new ConnectorError('transient', `${lost}; ${pathOf(path)} could not be read to its end`, { resource, step: 'body' });
        throw err;
      }
    }
  }

  /** null when Okta answers 404 (deleted, or never existed). A 403 names the missing scope; an id
   *  that is not an Okta id is refused before any request. */
  async getObject(resource: ObjectResource, id: string): Promise<OktaItem | null> {
    if (!isOktaId(id)) throw invalidId(this.label, resource, id);
    const path = `${OBJECT_PATH[resource]}/${id}`;
    try {
      return (await this.http.getJson<OktaItem>(path, { resource })).body;
    } catch (err) {
      if (err instanceof ConnectorError && err.kind === 'not-found') return null;
      if (isForbidden(err)) {
        throw new ConnectorError('forbidden', `${this.label}: ${forbiddenMessage(path, resource, `${SINGULAR[resource]} ${id} was skipped`)}`, err.details);
      }
      throw err;
    }
  }
}

const SINGULAR: Record<ObjectResource, string> = { users: 'user', groups: 'group', apps: 'app' };

export function invalidId(label: string, resource: Resource, id: unknown): ConnectorError {
  const shown = typeof id === 'string' ? JSON.stringify(id.slice(0, 80)) : String(id);
  return new ConnectorError('bad-request', `${label}: ${resource} id ${shown} is not an Okta id (expected letters and digits only); it was skipped`, {
    resource,
    step: 'id',
  });
}

export const isInvalidId = (err: unknown): err is ConnectorError => err instanceof ConnectorError && err.details.step === 'id';

/**
 * Why a list read ended before its end, or null when `err` is not such a loss: a page whose body
 * stayed malformed after the client's retries, or (when following a `next` link) a 404/410 — an
 * expired or broken cursor, which says nothing about whether the remaining objects exist.
 */
export function lostPage(err: unknown, followingLink: boolean): string | null {
  if (!(err instanceof ConnectorError)) return null;
  if (err.details.step === 'body') return err.message;
  if (followingLink && err.kind === 'not-found') return `${err.message}, on a next-page link`;
  return null;
}

export const emptyPagesText = (path: string) =>
  `${pathOf(path)} answered more than ${MAX_EMPTY_PAGES} empty pages in a row that still had a next link; the list was not read to its end`;

export const pathOf = (urlOrPath: string): string => new URL(urlOrPath, 'http://x').pathname;

// The HTTP kit's 403 test, re-exported for the Okta modules that import it from here.
export { isForbidden };

/** The warning text for a 403: which endpoint, Okta's code, and the scope to grant. */
export function forbiddenMessage(endpoint: string, scopeOf: Resource | 'logs', what: string): string {
  return `GET ${endpoint} was denied (403 E0000006): the API token lacks ${SCOPE_FOR[scopeOf]} (or a read-only admin role covering it); ${what}`;
}
