// Rate limits, fault injection and request statistics: the knobs that make the emulator behave
// like a busy or flaky org. Windows are per bucket and calendar minute, as Okta's are (the window
// length is a knob so tests can run many windows quickly); `rateLimits` sets Okta's own numbers
// per bucket (rate-limits.ts), `rateLimitPerMinute` one number for every family.

import { createRng, type Rng } from './random';
import type { Family, FaultKind, Knobs, PageFaultKind } from './options';
import { rateBucketOf, type RateBucket } from './rate-limits';

/** Budget advertised while limits are off: large enough never to slow a well-behaved client. */
const UNLIMITED = 1_000_000;

export interface EmulatorStats {
  requests: Record<Family, number>;
  control: number;
  faults: Record<FaultKind, number>;
  rateLimited: number;
  forbidden: number;
  /** Every rate-limit window that saw a request, oldest first (the last WINDOW_HISTORY). */
  rateWindows: RateWindowStats[];
}

export interface RateWindowStats {
  bucket: RateBucket;
  /** Epoch ms at which the window opened; it lasts `seconds`. */
  start: number;
  seconds: number;
  /** The limit in force (null: unlimited). */
  limit: number | null;
  /** Requests counted, refused ones included (as Okta counts them). */
  count: number;
  refused: number;
}

const WINDOW_HISTORY = 5000;

export interface RateDecision {
  headers: Record<string, string>;
  exceeded: boolean;
}

export function familyOf(pathname: string): Family {
  const seg = pathname.split('/')[3];
  if (seg === 'users' || seg === 'groups' || seg === 'apps' || seg === 'logs' || seg === 'eventHooks') return seg;
  return 'other';
}

export class Traffic {
  private readonly windows = new Map<RateBucket, RateWindowStats>();
  private readonly faultRng: Rng;
  readonly stats: EmulatorStats = {
    requests: { users: 0, groups: 0, apps: 0, logs: 0, eventHooks: 0, other: 0 },
    control: 0,
    faults: { '5xx': 0, '429': 0, timeout: 0, malformed: 0 },
    rateLimited: 0,
    forbidden: 0,
    rateWindows: [],
  };

  /** Page-link requests seen per page-fault rule, since the rules were last set. */
  private pageLinks = new Map<number, number>();

  constructor(public knobs: Knobs, seed: number) {
    this.faultRng = createRng(seed ^ 0x2545f491);
  }

  setKnobs(update: Partial<Knobs>): void {
    this.knobs = { ...this.knobs, ...update };
    if (update.pageFaults) this.pageLinks = new Map();
  }

  /** The page fault for this request, if a rule breaks it (see PageFault). */
  pageFault(pathname: string, followsLink: boolean): PageFaultKind | null {
    if (!followsLink) return null;
    let hit: PageFaultKind | null = null;
    this.knobs.pageFaults.forEach((rule, i) => {
      if (rule.path !== pathname.replace(/\/+$/, '')) return;
      const page = (this.pageLinks.get(i) ?? 0) + 2;
      this.pageLinks.set(i, page - 1);
      if (!hit && page >= rule.page && page < rule.page + rule.times) hit = rule.kind;
    });
    return hit;
  }

  /** True when the path addresses a forbidden object (`/api/v1/users/{id}` and below). */
  isForbiddenObject(pathname: string): boolean {
    const id = pathname.split('/')[4];
    if (id === undefined || this.knobs.forbiddenIds.length === 0) return false;
    try {
      return this.knobs.forbiddenIds.includes(decodeURIComponent(id));
    } catch {
      return false;
    }
  }

  /** Counts the request in its bucket's window and returns the X-Rate-Limit-* headers; `refuse`
   *  is true when the request is over the limit (the caller decides whether to refuse it). */
  consume(family: Family, pathname = '', now = Date.now()): RateDecision {
    const { rateLimits, rateLimitPerMinute, rateLimitWindowSeconds } = this.knobs;
    const bucket = rateLimits ? rateBucketOf(family, pathname) : family;
    const set = rateLimits ? rateLimits[bucket] : rateLimitPerMinute > 0 ? rateLimitPerMinute : undefined;
    const windowMs = rateLimitWindowSeconds * 1000;
    const start = Math.floor(now / windowMs) * windowMs;
    let w = this.windows.get(bucket);
    if (!w || w.start !== start || w.seconds !== rateLimitWindowSeconds) {
      w = { bucket, start, seconds: rateLimitWindowSeconds, limit: set ?? null, count: 0, refused: 0 };
      this.windows.set(bucket, w);
      this.stats.rateWindows.push(w);
      if (this.stats.rateWindows.length > WINDOW_HISTORY) this.stats.rateWindows.shift();
    }
    w.limit = set ?? null;
    w.count++;
    this.stats.requests[family]++;
    const limit = set ?? UNLIMITED;
    return {
      headers: {
        'X-Rate-Limit-Limit': String(limit),
        'X-Rate-Limit-Remaining': String(Math.max(0, limit - w.count)),
        'X-Rate-Limit-Reset': String((start + windowMs) / 1000),
      },
      exceeded: set !== undefined && w.count > limit,
    };
  }

  /** The request counted by the last consume() of `family`'s bucket was refused with a 429. */
  refused(family: Family, pathname = ''): void {
    const bucket = this.knobs.rateLimits ? rateBucketOf(family, pathname) : family;
    const w = this.windows.get(bucket);
    if (w) w.refused++;
    this.stats.rateLimited++;
  }

  isForbidden(family: Family): boolean {
    return this.knobs.forbidden.includes(family);
  }

  /** A fault to inject for this read, or null. */
  pickFault(): FaultKind | null {
    const { faultRate, faultKinds } = this.knobs;
    if (faultRate <= 0 || faultKinds.length === 0 || !this.faultRng.chance(faultRate)) return null;
    const kind = this.faultRng.pick(faultKinds);
    this.stats.faults[kind]++;
    return kind;
  }
}
