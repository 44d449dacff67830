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

/** One response's X-Rate-Limit-* triple, with the window's end put on our clock. */
export interface RateWindowHeaders {
  limit: number;
  remaining: number;
  /** The server's window id: epoch seconds at which it resets. */
  reset: number;
  endsAtMs: number;
}

export function rateWindowOf(headers: Record<string, HeaderValue>, nowMs: number = Date.now()): RateWindowHeaders | null {
  const limit = Number(first(headers['x-rate-limit-limit']));
  const remaining = Number(first(headers['x-rate-limit-remaining']));
  const reset = Number(first(headers['x-rate-limit-reset']));
  if (!Number.isFinite(limit) || limit <= 0 || !Number.isFinite(remaining) || !Number.isFinite(reset) || reset <= 0) return null;
  return { limit, remaining, reset, endsAtMs: nowMs + (resetWaitMs(headers, nowMs) ?? 0) };
}

/** go now, or wait `waitMs` (null: until the request that is learning the window is answered). */
export type Admission = { go: true } | { go: false; waitMs: number | null };

interface PacedWindow {
  reset: number;
  limit: number;
  endsAtMs: number;
  /** Lowest X-Rate-Limit-Remaining seen in the window, and `spent` less what was still in flight
   *  when it was seen (those may not be counted in it yet). */
  floor: number;
  spentAtFloor: number;
}

/** A server that sends no rate-limit headers is asked again for them this often. */
const UNMETERED_RECHECK_MS = 10_000;

/**
 * One rate-limit bucket as seen by every client that shares it: at most `share × limit` of our
 * requests per server window, never past what the server says remains (minus `reserve`). Requests
 * go at once while the window's allowance lasts, then wait for the reset: no per-request sleep
 * while there is budget, and the window's end comes from X-Rate-Limit-Reset, not a fixed minute.
 * While the window is unknown (at first, and after each reset) one request goes alone and its
 * answer opens the window for the others.
 */
export class BucketPacer {
  private window: PacedWindow | null = null;
  private lastReset = 0;
  /** Our requests counted in the current window (at least what the server counted, at its start). */
  private spent = 0;
  private probing = false;
  /** Requests sent and not yet answered. */
  private inFlight = 0;
  /** A 429 in this window: wait for its reset, unless a later answer shows the server still serves. */
  private exhausted = false;
  private unmeteredUntil = 0;

  constructor(private readonly reserve: number) {}

  admit(share: number, nowMs: number = Date.now()): Admission {
    if (nowMs < this.unmeteredUntil) return this.send();
    const w = this.window;
    if (w && nowMs >= w.endsAtMs) {
      this.window = null;
      this.spent = 0;
      this.exhausted = false;
    }
    if (!this.window) {
      if (this.probing) return { go: false, waitMs: null };
      this.probing = true;
      return this.send();
    }
    const win = this.window;
    const cap = Math.max(1, Math.floor(share * win.limit));
    const serverLeft = win.floor - (this.spent - win.spentAtFloor);
    if (!this.exhausted && this.spent < cap && serverLeft > this.reserve) return this.send();
    return { go: false, waitMs: Math.max(0, win.endsAtMs - nowMs) };
  }

  /** A request sent without admission (its caller stopped waiting): it still spends budget. */
  force(): void {
    this.send();
  }

  private send(): Admission {
    this.spent++;
    this.inFlight++;
    return { go: true };
  }

  observe(headers: Record<string, HeaderValue>, status: number, nowMs: number = Date.now()): void {
    this.probing = false;
    this.inFlight = Math.max(0, this.inFlight - 1);
    const h = rateWindowOf(headers, nowMs);
    if (!h) {
      if (!this.window) this.unmeteredUntil = nowMs + UNMETERED_RECHECK_MS;
      return;
    }
    if (h.reset < this.lastReset) return; // an answer counted in a window already over
    const w = this.window;
    if (h.reset > this.lastReset || !w) {
      // A window we had not seen: count all the server has counted in it as ours, and what is
      // still in flight as if it will be counted here too. Exact when we are alone and nothing
      // straddles the reset; otherwise it errs on the safe side.
      if (h.reset > this.lastReset) this.spent = h.limit - h.remaining + this.inFlight;
      this.window = { reset: h.reset, limit: h.limit, endsAtMs: h.endsAtMs, floor: h.remaining, spentAtFloor: this.spent - this.inFlight };
      this.lastReset = h.reset;
      this.exhausted = status === 429;
      return;
    }
    w.limit = h.limit;
    if (status === 429) {
      this.exhausted = true;
      return;
    }
    // Okta also answers 429 for too many concurrent requests; a served request shows the window is not spent.
    this.exhausted = false;
    if (h.remaining < w.floor) {
      w.floor = h.remaining;
      w.spentAtFloor = this.spent - this.inFlight;
    }
  }

  /** The request failed without an answer (network): let another learn the window. */
  release(): void {
    this.probing = false;
    this.inFlight = Math.max(0, this.inFlight - 1);
  }
}
