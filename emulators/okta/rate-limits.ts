// Okta's per-minute limits for the endpoints a sync reads, as Okta documents them for Workforce
// Identity orgs ("Management rate limits"). Each row is a bucket: the family's list and
// subresources (`/groups/{id}/users` counts with `/groups`), and an object by id, which Okta
// counts apart with its own limit. Okta's separate limit for user writes by id is not modelled:
// writes are never refused here.

import type { Family } from './options';

export type RateBucket = Family | 'users/{id}' | 'groups/{id}' | 'apps/{id}';

export const RATE_BUCKETS: RateBucket[] = ['users', 'users/{id}', 'groups', 'groups/{id}', 'apps', 'apps/{id}', 'logs', 'eventHooks', 'other'];

export const OKTA_RATE_LIMITS: Record<RateBucket, number> = {
  users: 600,
  'users/{id}': 2000,
  groups: 500,
  'groups/{id}': 1000,
  apps: 100,
  'apps/{id}': 500,
  logs: 120,
  // "Most other API actions" (/api/v1).
  eventHooks: 1200,
  other: 1200,
};

/** The bucket of a request to `pathname`, given its family. */
export function rateBucketOf(family: Family, pathname: string): RateBucket {
  const parts = pathname.split('/');
  const byId = parts.length === 5 && parts[4] !== '' && (family === 'users' || family === 'groups' || family === 'apps');
  return byId ? (`${family}/{id}` as RateBucket) : family;
}

/** `'okta'` (the table above) or {bucket: requests per window}; names the bad entry. */
export function parseRateLimits(v: unknown): Partial<Record<RateBucket, number>> | null {
  if (v === null) return null;
  if (v === 'okta') return { ...OKTA_RATE_LIMITS };
  const shape = `knob rateLimits must be "okta", null or {bucket: requests per window} with buckets ${RATE_BUCKETS.join(', ')}`;
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error(shape);
  const out: Partial<Record<RateBucket, number>> = {};
  for (const [k, n] of Object.entries(v as Record<string, unknown>)) {
    if (!RATE_BUCKETS.includes(k as RateBucket)) throw new Error(`${shape} (${JSON.stringify(k)} is not a bucket)`);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new Error(`knob rateLimits.${k} must be a whole number ≥ 1`);
    out[k as RateBucket] = n;
  }
  return out;
}
