// Rate limits, fault injection and request statistics: the knobs that make the emulator behave
// like a busy or flaky org. Windows are per endpoint family and calendar minute, as Okta's are.

import { createRng, type Rng } from './random';
import type { Family, FaultKind, Knobs, PageFaultKind } from './options';

/** Budget advertised while limits are off: large enough never to slow a well-behaved client. */
const UNLIMITED = 1_000_000;

export interface EmulatorStats {
  requests: Record<Family, number>;
  control: number;
  faults: Record<FaultKind, number>;
  rateLimited: number;
  forbidden: number;
}

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
  private readonly windows = new Map<Family, { start: number; count: number }>();
  private readonly faultRng: Rng;
  readonly stats: EmulatorStats = {
    requests: { users: 0, groups: 0, apps: 0, logs: 0, eventHooks: 0, other: 0 },
    control: 0,
    faults: { '5xx': 0, '429': 0, timeout: 0, malformed: 0 },
    rateLimited: 0,
    forbidden: 0,
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

  /** Counts the request in its family's minute window and returns the X-Rate-Limit-* headers. */
  consume(family: Family, now = Date.now()): RateDecision {
    const start = Math.floor(now / 60_000) * 60_000;
    let w = this.windows.get(family);
    if (!w || w.start !== start) {
      w = { start, count: 0 };
      this.windows.set(family, w);
    }
    w.count++;
    this.stats.requests[family]++;
    const limit = this.knobs.rateLimitPerMinute > 0 ? this.knobs.rateLimitPerMinute : UNLIMITED;
    return {
      headers: {
        'X-Rate-Limit-Limit': String(limit),
        'X-Rate-Limit-Remaining': String(Math.max(0, limit - w.count)),
        'X-Rate-Limit-Reset': String(start / 1000 + 60),
      },
      exceeded: this.knobs.rateLimitPerMinute > 0 && w.count > limit,
    };
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
