// Graph throttles per app and tenant, not per request: when one run is told to wait (429, or 503
// with Retry-After), every other run of the same app registration in this worker waits with it
// instead of spending requests that would be refused too. Across workers each one learns from
// its own 429s; the server's Retry-After keeps them all within bounds.

const resumeAt = new Map<string, number>();

/** Called with every wait the HTTP client decides (429/503 Retry-After, backoff). */
export function hold(key: string, ms: number, now: number = Date.now()): void {
  const until = now + ms;
  if ((resumeAt.get(key) ?? 0) < until) resumeAt.set(key, until);
}

/** Before a request: the rest of a wait another run of this tenant was told about, if any. */
export function pendingMs(key: string, now: number = Date.now()): number {
  const until = resumeAt.get(key);
  if (until === undefined) return 0;
  if (until <= now) {
    resumeAt.delete(key);
    return 0;
  }
  return until - now;
}
