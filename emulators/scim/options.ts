// What a test or `tiger emulator scim` can ask of the SCIM server, and the defaults.

export type ScimAuth =
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  /** OAuth 2.0 client credentials: POST /oauth/token issues bearer tokens that expire after tokenTtlSeconds. */
  | { type: 'oauth'; clientId: string; clientSecret: string; tokenTtlSeconds?: number };

export interface ScimFeatures {
  /** PATCH (RFC 7644 §3.5.2); off → PATCH answers 501 like a server without it. */
  patch: boolean;
  /** meta.version / ETag header / If-Match → 412 on a stale version. */
  etag: boolean;
  /** `filter=`; off → 400 invalidFilter. */
  filter: boolean;
  /** Advertised only: /Bulk is not served (501). */
  bulk: boolean;
}

export interface ScimServerOptions {
  /** 0 (default) = a free port. */
  port?: number;
  host?: string;
  /** SQLite file; ':memory:' (default) for a throw-away directory. */
  dbPath?: string;
  auth?: ScimAuth;
  features?: Partial<ScimFeatures>;
  /** Requests allowed per window before 429 with Retry-After; 0/undefined = no limit. */
  rateLimit?: { requests: number; windowMs?: number };
  /** Added to every request, in ms. */
  latencyMs?: number;
  /** Largest page served whatever `count` asks (ServiceProviderConfig filter.maxResults). */
  maxResults?: number;
  /** Page size when the client sends no `count`. */
  defaultCount?: number;
}

export const DEFAULT_TOKEN = 'scim-emulator-token';

export const DEFAULT_FEATURES: ScimFeatures = { patch: true, etag: true, filter: true, bulk: false };

export interface ResolvedOptions {
  port: number;
  host: string;
  dbPath: string;
  auth: ScimAuth;
  features: ScimFeatures;
  rateLimit: { requests: number; windowMs: number } | undefined;
  latencyMs: number;
  maxResults: number;
  defaultCount: number;
}

export function resolveOptions(o: ScimServerOptions): ResolvedOptions {
  const positive = (name: string, v: number | undefined, dflt: number) => {
    if (v === undefined) return dflt;
    if (!Number.isInteger(v) || v < 0) throw new TypeError(`SCIM server option ${name}: expected a whole number ≥ 0, got ${String(v)}`);
    return v;
  };
  const auth = o.auth ?? { type: 'bearer', token: DEFAULT_TOKEN };
  if (!['bearer', 'basic', 'oauth'].includes(auth.type)) throw new TypeError(`SCIM server option auth.type: expected bearer, basic or oauth, got ${String(auth.type)}`);
  const rl = o.rateLimit && o.rateLimit.requests > 0 ? { requests: positive('rateLimit.requests', o.rateLimit.requests, 0), windowMs: positive('rateLimit.windowMs', o.rateLimit.windowMs, 60_000) } : undefined;
  return {
    port: positive('port', o.port, 0),
    host: o.host ?? '127.0.0.1',
    dbPath: o.dbPath ?? ':memory:',
    auth,
    features: { ...DEFAULT_FEATURES, ...o.features },
    rateLimit: rl,
    latencyMs: positive('latencyMs', o.latencyMs, 0),
    maxResults: positive('maxResults', o.maxResults, 1000) || 1000,
    defaultCount: positive('defaultCount', o.defaultCount, 100) || 100,
  };
}
