// What a Graph emulator can be started with. Everything a test may want to change later (throttling,
// permissions, empty pages, token lifetime) can also be changed at run time through the admin API.

/** Application permissions (app roles of Microsoft Graph) the emulator knows. */
export const GRAPH_PERMISSIONS = [
  'User.Read.All',
  'User.ReadWrite.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'GroupMember.Read.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'Application.Read.All',
  'AppRoleAssignment.ReadWrite.All',
] as const;
export type GraphPermission = (typeof GRAPH_PERMISSIONS)[number];

/** An app registration that may ask the token endpoint for a client-credentials token. */
export interface GraphClientApp {
  clientId: string;
  clientSecret: string;
  /** Default: User.Read.All, Group.Read.All, Directory.Read.All, Application.Read.All. */
  permissions?: string[];
}

export interface ThrottleSettings {
  /** Graph requests allowed per app and tenant in each window; 0 = off. */
  limit: number;
  windowMs: number;
  /** What the throttled request gets: 429 (default) or 503. */
  status?: 429 | 503;
  /** Retry-After value in seconds; default: the rest of the window, rounded up to whole seconds
   *  unless `fractional` is set. */
  retryAfterSeconds?: number;
  /** Send Retry-After with a fraction (e.g. "0.35") instead of whole seconds. */
  fractional?: boolean;
}

export interface GraphEmulatorOptions {
  /** 0 (default) = any free port. */
  port?: number;
  host?: string;
  /** Default '7f3e2c1a-0b4d-4e6f-9a8b-1c2d3e4f5a6b'. */
  tenantId?: string;
  /** Same seed, same tenant (ids, names, memberships). Default 1. */
  seed?: number;
  /** Seeded users (default 200), groups (default 20), applications with service principals (default 5). */
  users?: number;
  groups?: number;
  apps?: number;
  /** Average members of an ordinary group (default 8). */
  membersPerGroup?: number;
  /** Members of the one big group (default 1,200 when there are that many users, else none), so
   *  `/groups/{id}/members` and `members@delta` span pages. */
  bigGroupMembers?: number;
  /** The app registration of the connector. Default clientId '11111111-2222-3333-4444-555555555555',
   *  clientSecret 'emulator-secret', all read permissions. */
  clientId?: string;
  clientSecret?: string;
  permissions?: string[];
  /** More app registrations (each with its own permissions and throttling bucket). */
  extraClients?: GraphClientApp[];
  /** Access-token lifetime in seconds (default 3599, as Entra ID). */
  tokenTtlSeconds?: number;
  /** Default page size of lists without `$top` (Graph: 100). */
  defaultPageSize?: number;
  /** Default page size of delta queries (Graph answers ~100–200 per page; default 100). */
  deltaPageSize?: number;
  /** At most this many `members@delta` entries in one group entry of a delta page; a group with more
   *  is repeated in later entries (and pages). Default 100. */
  membersPerDeltaEntry?: number;
  /** Probability (0..1, seeded) that a page which is not the last one is answered empty, with a
   *  nextLink that continues where it stood. Default 0. */
  emptyPageRate?: number;
  throttle?: ThrottleSettings;
  /** Delta tokens older than this are answered 410 (Entra ID keeps them ~7 days). Default none. */
  deltaTokenMaxAgeMs?: number;
  /** When set, `/_admin/*` requires `Authorization: Bearer <adminToken>`. */
  adminToken?: string;
  /** How long a notificationUrl may take to answer the validation request (Graph: 10 s). */
  validationTimeoutMs?: number;
  /** Changes are batched for this long before a notification is posted. Default 50 ms. */
  notificationDelayMs?: number;
  /** Serve HTTPS: `true` makes a self-signed certificate for 127.0.0.1/localhost (its PEM is
   *  `emulator.ca`); or pass your own key and certificate. Default: plain HTTP. */
  tls?: boolean | { key: string; cert: string };
  /** Base URL written into `@odata.nextLink`/`deltaLink` (default the listening URL). */
  publicUrl?: string;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  tenantId: '7f3e2c1a-0b4d-4e6f-9a8b-1c2d3e4f5a6b',
  seed: 1,
  users: 200,
  groups: 20,
  apps: 5,
  membersPerGroup: 8,
  bigGroupMembers: 1200,
  clientId: '11111111-2222-3333-4444-555555555555',
  clientSecret: 'emulator-secret',
  permissions: ['User.Read.All', 'Group.Read.All', 'Directory.Read.All', 'Application.Read.All'],
  tokenTtlSeconds: 3599,
  defaultPageSize: 100,
  deltaPageSize: 100,
  membersPerDeltaEntry: 100,
  validationTimeoutMs: 10_000,
  notificationDelayMs: 50,
} as const;
