// Okta's management endpoints as this connector reads them: list pages that follow `next`
// links, gets by id, and the scope a 403 on each endpoint is missing.

import type { HttpClient } from '../http/client';
import { nextLink } from '../http/link';
import { ConnectorError } from '../errors';
import type { Resource } from '../types';

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

export class OktaApi {
  constructor(
    readonly http: HttpClient,
    private readonly pageSize?: number,
  ) {}

  limit(kind: keyof typeof LIMITS): number {
    return Math.min(this.pageSize ?? LIMITS[kind], LIMITS[kind]);
  }

  /** One page of a list endpoint; `urlOrPath` is either a first-page path or a `next` link. */
  async listPage(urlOrPath: string, resource: string, query?: Record<string, string | number | undefined>): Promise<ListPage> {
    const res = await this.http.getJson<unknown>(urlOrPath, { query, resource });
    if (!Array.isArray(res.body)) {
      throw new ConnectorError('transient', `Okta answered ${pathOf(urlOrPath)} with ${typeof res.body} where a JSON array was expected`, {
        resource,
        status: res.status,
      });
    }
    return { items: res.body as OktaItem[], next: nextLink(res.headers.link) };
  }

  /** Every page of a list, for bounded lists (one group's members, one app's users). */
  async listAll(path: string, resource: string, query?: Record<string, string | number | undefined>): Promise<OktaItem[]> {
    const out: OktaItem[] = [];
    let page = await this.listPage(path, resource, query);
    for (;;) {
      out.push(...page.items);
      if (!page.next || page.items.length === 0) return out;
      page = await this.listPage(page.next, resource);
    }
  }

  /** null when Okta answers 404 (deleted, or never existed). */
  async getObject(path: string, resource: string): Promise<OktaItem | null> {
    try {
      return (await this.http.getJson<OktaItem>(path, { resource })).body;
    } catch (err) {
      if (err instanceof ConnectorError && err.kind === 'not-found') return null;
      throw err;
    }
  }
}

export const pathOf = (urlOrPath: string): string => new URL(urlOrPath, 'http://x').pathname;

export const isForbidden = (err: unknown): err is ConnectorError => err instanceof ConnectorError && err.kind === 'forbidden';

/** The warning text for a 403: which endpoint, Okta's code, and the scope to grant. */
export function forbiddenMessage(endpoint: string, scopeOf: Resource | 'logs', what: string): string {
  return `GET ${endpoint} was denied (403 E0000006): the API token lacks ${SCOPE_FOR[scopeOf]} (or a read-only admin role covering it); ${what}`;
}
