import { parseRateLimits, type RateBucket } from './rate-limits';

export type FaultKind = '5xx' | '429' | 'timeout' | 'malformed';

/** What a page fault does to one page of a list: an empty page whose `next` link repeats the
 *  request, a 404 or 410 on the page link, a body cut in half, or a JSON object instead of an array. */
export type PageFaultKind = 'empty-next' | '404' | '410' | 'truncated' | 'not-array';
export const PAGE_FAULT_KINDS: PageFaultKind[] = ['empty-next', '404', '410', 'truncated', 'not-array'];

/**
 * Breaks pages of one list deterministically: requests to `path` that follow a `next` link (carry
 * `after`) are counted from 2 (page 1 is the request without `after`), and `times` of them from
 * page `page` on are answered with `kind` (retries count as requests).
 */
export interface PageFault {
  path: string;
  page: number;
  kind: PageFaultKind;
  times: number;
}

/** Endpoint families: the unit of rate limits, `forbidden` and stats. */
export type Family = 'users' | 'groups' | 'apps' | 'logs' | 'eventHooks' | 'other';

export interface OktaEmulatorOptions {
  /** 0 = ephemeral. */
  port?: number;
  host?: string;
  users?: number;
  groups?: number;
  apps?: number;
  seed?: number;
  /** Average members per group (the built-in Everyone group aside). */
  membershipsPerGroup?: number;
  /** Default 'emulator-token'. */
  apiToken?: string;
  /** Per endpoint family and minute window; 0 = off. */
  rateLimitPerMinute?: number;
  /** Okta's per-bucket limits: 'okta' for Okta's defaults (rate-limits.ts), or requests per
   *  window per bucket; unlisted buckets are unlimited. Overrides rateLimitPerMinute. */
  rateLimits?: 'okta' | Partial<Record<RateBucket, number>> | null;
  /** Length of a rate-limit window; Okta's is 60. */
  rateLimitWindowSeconds?: number;
  /** Probability 0..1 that a read of the Okta API is answered with a fault. */
  faultRate?: number;
  faultKinds?: FaultKind[];
  latencyMs?: number;
  /** Endpoint families answering 403 E0000006, e.g. 'logs', 'apps'. */
  forbidden?: string[];
  /** Object ids whose own endpoints (`/api/v1/users/{id}`, `/groups/{id}/users`, …) answer 403. */
  forbiddenIds?: string[];
  pageFaults?: PageFault[];
  /** How far back the System Log reaches; older `since`/`after` answer 400 E0000053. Default 180. */
  logRetentionDays?: number;
}

export type Knobs = Required<
  Pick<OktaEmulatorOptions, 'rateLimitPerMinute' | 'rateLimitWindowSeconds' | 'faultRate' | 'faultKinds' | 'latencyMs' | 'forbidden' | 'forbiddenIds' | 'pageFaults' | 'logRetentionDays'>
> & { rateLimits: Partial<Record<RateBucket, number>> | null };
export type KnobUpdate = Partial<Omit<Knobs, 'rateLimits'>> & { rateLimits?: OktaEmulatorOptions['rateLimits'] };

export const DEFAULTS = {
  host: '127.0.0.1',
  users: 200,
  groups: 20,
  apps: 5,
  seed: 1,
  membershipsPerGroup: 10,
  apiToken: 'emulator-token',
} as const;

export const DEFAULT_KNOBS: Knobs = {
  rateLimitPerMinute: 0,
  rateLimits: null,
  rateLimitWindowSeconds: 60,
  faultRate: 0,
  // Timeouts cost a client 30 s each, so they are only injected when asked for.
  faultKinds: ['5xx', '429'],
  latencyMs: 0,
  forbidden: [],
  forbiddenIds: [],
  pageFaults: [],
  logRetentionDays: 180,
};

const KINDS: FaultKind[] = ['5xx', '429', 'timeout', 'malformed'];

/** Validates a knob update (from code or from `POST /__emulator/knobs`); names the bad field. */
export function parseKnobs(input: unknown): Partial<Knobs> {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new Error('knobs must be a JSON object');
  const k = input as Record<string, unknown>;
  const out: Partial<Knobs> = {};
  const num = (name: keyof Knobs, min: number, max: number): number | undefined => {
    const v = k[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw new Error(`knob ${name} must be a number between ${min} and ${max}`);
    }
    return v;
  };
  const known = new Set(['rateLimitPerMinute', 'rateLimits', 'rateLimitWindowSeconds', 'faultRate', 'faultKinds', 'latencyMs', 'forbidden', 'forbiddenIds', 'pageFaults', 'logRetentionDays']);
  for (const name of Object.keys(k)) if (!known.has(name)) throw new Error(`unknown knob ${name}`);
  const rate = num('rateLimitPerMinute', 0, 1e9);
  if (rate !== undefined) out.rateLimitPerMinute = Math.floor(rate);
  if (k.rateLimits !== undefined) out.rateLimits = parseRateLimits(k.rateLimits);
  const windowSeconds = num('rateLimitWindowSeconds', 1, 3600);
  if (windowSeconds !== undefined) {
    if (!Number.isInteger(windowSeconds)) throw new Error('knob rateLimitWindowSeconds must be a whole number of seconds');
    out.rateLimitWindowSeconds = windowSeconds;
  }
  const fault = num('faultRate', 0, 1);
  if (fault !== undefined) out.faultRate = fault;
  const latency = num('latencyMs', 0, 600_000);
  if (latency !== undefined) out.latencyMs = latency;
  const retention = num('logRetentionDays', 0, 3650);
  if (retention !== undefined) out.logRetentionDays = retention;
  if (k.faultKinds !== undefined) {
    if (!Array.isArray(k.faultKinds) || k.faultKinds.some((x) => !KINDS.includes(x as FaultKind))) {
      throw new Error(`knob faultKinds must be a list of ${KINDS.join(', ')}`);
    }
    out.faultKinds = k.faultKinds as FaultKind[];
  }
  if (k.forbidden !== undefined) {
    if (!Array.isArray(k.forbidden) || k.forbidden.some((x) => typeof x !== 'string')) {
      throw new Error('knob forbidden must be a list of endpoint family names');
    }
    out.forbidden = k.forbidden as string[];
  }
  if (k.forbiddenIds !== undefined) {
    if (!Array.isArray(k.forbiddenIds) || k.forbiddenIds.some((x) => typeof x !== 'string')) {
      throw new Error('knob forbiddenIds must be a list of object ids');
    }
    out.forbiddenIds = k.forbiddenIds as string[];
  }
  if (k.pageFaults !== undefined) out.pageFaults = parsePageFaults(k.pageFaults);
  return out;
}

function parsePageFaults(v: unknown): PageFault[] {
  const shape = `knob pageFaults must be a list of {path: "/api/v1/…", page: ≥ 2, kind: ${PAGE_FAULT_KINDS.join('|')}, times: ≥ 1}`;
  if (!Array.isArray(v)) throw new Error(shape);
  return v.map((f: unknown, i) => {
    const r = (f ?? {}) as Record<string, unknown>;
    const ok =
      typeof r.path === 'string' && r.path.startsWith('/api/v1/') &&
      Number.isInteger(r.page) && (r.page as number) >= 2 &&
      PAGE_FAULT_KINDS.includes(r.kind as PageFaultKind) &&
      (r.times === undefined || (Number.isInteger(r.times) && (r.times as number) >= 1));
    if (!ok) throw new Error(`${shape} (entry ${i} is not)`);
    return { path: r.path as string, page: r.page as number, kind: r.kind as PageFaultKind, times: (r.times as number | undefined) ?? 1 };
  });
}
