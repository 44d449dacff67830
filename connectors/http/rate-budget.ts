// One rate-limit budget per tenant for the whole worker process. Okta counts requests per org
// (and per token share), not per connection: a sync, a live run and a connection test of the
// same org in one worker spend the same budget, so they must pace against one shared account.

import { createHash } from 'node:crypto';
import type { HeaderValue } from './link';
import { BucketPacer } from './rate-limit';

/** While a window is being learned, waiters look again this often in case its answer is lost. */
const PROBE_POLL_MS = 1_000;

export class TenantBudget {
  private readonly buckets = new Map<string, BucketPacer>();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly reserve: number) {}

  /** Resolves when a request of `bucket` may go; after `maxWaitMs` it goes anyway (and is counted). */
  async acquire(bucket: string, share: number, maxWaitMs: number): Promise<void> {
    const pacer = this.pacer(bucket);
    const started = Date.now();
    for (;;) {
      const now = Date.now();
      const a = pacer.admit(share, now);
      if (a.go) return;
      const left = maxWaitMs - (now - started);
      if (left <= 0) {
        pacer.force();
        return;
      }
      await this.wait(bucket, Math.min(a.waitMs ?? PROBE_POLL_MS, left));
    }
  }

  observe(bucket: string, headers: Record<string, HeaderValue>, status: number): void {
    this.pacer(bucket).observe(headers, status);
    this.wake(bucket);
  }

  release(bucket: string): void {
    this.pacer(bucket).release();
    this.wake(bucket);
  }

  private pacer(bucket: string): BucketPacer {
    let p = this.buckets.get(bucket);
    if (!p) {
      p = new BucketPacer(this.reserve);
      this.buckets.set(bucket, p);
    }
    return p;
  }

  private wait(bucket: string, ms: number): Promise<void> {
    let set = this.waiters.get(bucket);
    if (!set) {
      set = new Set();
      this.waiters.set(bucket, set);
    }
    const waiting = set;
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      waiting.add(done);
    });
  }

  private wake(bucket: string): void {
    const set = this.waiters.get(bucket);
    if (set) for (const done of [...set]) done();
  }
}

const tenants = new Map<string, TenantBudget>();

/** The process-wide budget of one tenant (see tenantKey); created on first use. */
export function tenantBudget(tenant: string, reserve = 2): TenantBudget {
  let b = tenants.get(tenant);
  if (!b) {
    b = new TenantBudget(reserve);
    tenants.set(tenant, b);
  }
  return b;
}

/** Names a tenant by where it is and who asks (an org and its token have their own limits),
 *  without keeping the credential itself as a map key. */
export function tenantKey(origin: string, credential: string): string {
  return `${origin}#${createHash('sha256').update(credential).digest('hex').slice(0, 16)}`;
}
