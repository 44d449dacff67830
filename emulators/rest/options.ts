// What a test (or `tiger emulator rest`) can ask of the generic REST test server.

export type RestPagingStyle = 'link' | 'cursor' | 'offset' | 'page';

export type RestServerAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'apiKey'; in: 'header' | 'query'; name: string; value: string }
  /** OAuth 2.0 client credentials: POST /oauth/token issues bearer tokens (client_secret_post or _basic). */
  | { type: 'oauth'; clientId: string; clientSecret: string; tokenTtlSeconds?: number };

export interface RestFaults {
  /** Path prefixes (`/api/people`, `/api/teams/`) answered 403 from list page `fromPage` on (1 = all). */
  forbidden?: { prefix: string; fromPage?: number }[];
  /** Every `every`-th request is answered 429 with Retry-After. */
  rateLimit?: { every: number; retryAfterSeconds: number } | null;
}

export interface RestServerOptions {
  port?: number;
  host?: string;
  paging?: RestPagingStyle;
  /** Largest page served, whatever the client asks. */
  maxPageSize?: number;
  auth?: RestServerAuth;
  /** Seeded people and teams. */
  people?: number;
  teams?: number;
  faults?: RestFaults;
}

export const DEFAULT_REST_TOKEN = 'rest-emulator-token';

/** Query parameters that select changes: ISO time or version at or after the value. */
export const DELTA_PARAMS = { updated: 'updated_since', version: 'version_since' } as const;
