// When to come back after a 429, and when to slow down before one. Okta sends
// X-Rate-Limit-Reset as epoch seconds of ITS clock, so the wait is measured against the
// response's own Date header (reset − Date + 1 s, as Okta's SDK does) rather than our clock.
// Graph and others send Retry-After (seconds, possibly fractional, or an HTTP date).

import type { HeaderValue } from './link';

const first = (v: HeaderValue): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Milliseconds until the server's rate-limit window resets, or null when it does not say. */
export function resetWaitMs(headers: Record<string, HeaderValue>, nowMs: number = Date.now()): number | null {
  const reset = Number(first(headers['x-rate-limit-reset']));
  if (Number.isFinite(reset) && reset > 0) {
    const date = Date.parse(first(headers['date']) ?? '');
    const serverNowS = Number.isFinite(date) ? date / 1000 : nowMs / 1000;
    return Math.max(0, Math.round((reset - serverNowS + 1) * 1000));
  }
  return retryAfterMs(headers, nowMs);
}

export function retryAfterMs(headers: Record<string, HeaderValue>, nowMs: number = Date.now()): number | null {
  const raw = first(headers['retry-after'])?.trim();
  if (!raw) return null;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  if (!Number.isFinite(at)) return null;
  const date = Date.parse(first(headers['date']) ?? '');
  return Math.max(0, at - (Number.isFinite(date) ? date : nowMs));
}

/** Names the bucket a request's rate limit is counted in. A connector whose vendor counts
 *  differently (per tenant, per whole API) passes its own to the HttpClient as `bucketOf`. */
export type BucketOf = (url: URL) => string;

/** Rate limits are per endpoint family (users, groups, logs, …): a slow family must not stall the rest. */
export function rateFamily(path: string): string {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  const api = parts[0] === 'api' ? 3 : 1;
  return parts.slice(0, api).join('/') || '/';
}

interface FamilyBudget {
  remaining: number;
  resumeAtMs: number;
}

/** Remembers X-Rate-Limit-Remaining per family so we pause before spending the last few calls. */
export class RateLimitTracker {
  private readonly families = new Map<string, FamilyBudget>();
  constructor(private readonly lowWatermark: number) {}

  observe(family: string, headers: Record<string, HeaderValue>, nowMs: number = Date.now()): void {
    const remaining = Number(first(headers['x-rate-limit-remaining']));
    if (!Number.isFinite(remaining)) return;
    const wait = resetWaitMs(headers, nowMs);
    this.families.set(family, { remaining, resumeAtMs: nowMs + (wait ?? 0) });
  }

  /** How long to wait before the next request of this family (0 when there is budget). */
  pauseMs(family: string, nowMs: number = Date.now()): number {
    const b = this.families.get(family);
    if (!b || b.remaining > this.lowWatermark) return 0;
    const wait = b.resumeAtMs - nowMs;
    if (wait <= 0) {
      this.families.delete(family);
      return 0;
    }
    return wait;
  }

  /** After waiting out a window, let the next response tell us the fresh budget. */
  reset(family: string): void {
    this.families.delete(family);
  }
}
