// Throttling per app and tenant, as Graph does it: a fixed window of requests, then 429 (or 503)
// with Retry-After in seconds — a fraction when asked, since clients must cope with both. Faults
// queued by a test (`failNext`) come first, whatever the rate.

import { GraphError } from './errors';
import type { ThrottleSettings } from './options';

export interface QueuedFault {
  status: 429 | 503;
  retryAfterSeconds: number;
}

export class Throttle {
  settings: ThrottleSettings | null = null;
  private windows = new Map<string, { start: number; count: number }>();
  private faults: QueuedFault[] = [];
  throttled = 0;

  set(s: ThrottleSettings | null): void {
    if (s) {
      if (!Number.isInteger(s.limit) || s.limit < 0) throw new Error('throttle limit must be a whole number ≥ 0 (0 = off)');
      if (!Number.isFinite(s.windowMs) || s.windowMs <= 0) throw new Error('throttle windowMs must be a number > 0');
      if (s.status !== undefined && s.status !== 429 && s.status !== 503) throw new Error('throttle status must be 429 or 503');
      if (s.retryAfterSeconds !== undefined && !(s.retryAfterSeconds >= 0)) throw new Error('throttle retryAfterSeconds must be a number ≥ 0');
    }
    this.settings = s && s.limit > 0 ? { ...s } : null;
    this.windows.clear();
  }

  failNext(count: number, status: 429 | 503, retryAfterSeconds: number): void {
    if (!Number.isInteger(count) || count < 1) throw new Error('faults count must be a whole number ≥ 1');
    if (status !== 429 && status !== 503) throw new Error('faults status must be 429 or 503');
    if (!(retryAfterSeconds >= 0)) throw new Error('faults retryAfterSeconds must be a number ≥ 0');
    for (let i = 0; i < count; i++) this.faults.push({ status, retryAfterSeconds });
  }

  /** Throws the throttling error when this request (of app `bucket`) is over the limit. */
  admit(bucket: string): void {
    const fault = this.faults.shift();
    if (fault) {
      this.throttled++;
      throw throttleError(fault.status, fault.retryAfterSeconds, true);
    }
    const s = this.settings;
    if (!s) return;
    const now = Date.now();
    let w = this.windows.get(bucket);
    if (!w || now - w.start >= s.windowMs) this.windows.set(bucket, (w = { start: now, count: 0 }));
    if (w.count < s.limit) {
      w.count++;
      return;
    }
    this.throttled++;
    const left = (w.start + s.windowMs - now) / 1000;
    const retry = s.retryAfterSeconds ?? (s.fractional ? Math.max(0.01, left) : Math.max(1, Math.ceil(left)));
    throw throttleError(s.status ?? 429, retry, s.fractional ?? false);
  }
}

function throttleError(status: 429 | 503, seconds: number, fractional: boolean): GraphError {
  const value = fractional ? String(Math.round(seconds * 1000) / 1000) : String(Math.ceil(seconds));
  return status === 429
    ? new GraphError(429, 'TooManyRequests', 'Too many requests.', { 'Retry-After': value })
    : new GraphError(503, 'serviceNotAvailable', 'The service is temporarily unavailable. Retry after the time given in Retry-After.', { 'Retry-After': value });
}
