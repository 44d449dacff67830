// Event hook verification and delivery. New log events of a subscribed type are batched for
// ~100 ms per hook and POSTed like Okta does: at least once, one retry on 5xx or timeout.

import { uuid } from './random';
import type { EventHookRecord, LogEvent, OktaState } from './state';

const BATCH_MS = 100;
/** Okta gives a hook endpoint 3 s to answer. */
const HOOK_TIMEOUT_MS = 3000;

export interface HookStats {
  delivered: number;
  failed: number;
  retried: number;
}

export class HookDispatcher {
  private readonly pending = new Map<string, LogEvent[]>();
  private timer: NodeJS.Timeout | null = null;
  private readonly inflight = new Set<Promise<void>>();
  private closed = false;
  readonly stats: HookStats = { delivered: 0, failed: 0, retried: 0 };

  constructor(private readonly state: OktaState, private readonly origin: () => string) {
    state.logListeners.push((e) => this.enqueue(e));
  }

  private enqueue(event: LogEvent): void {
    if (this.closed) return;
    for (const h of this.state.hooks) {
      if (h.status !== 'ACTIVE' || h.verificationStatus !== 'VERIFIED' || !h.eventTypes.includes(event.eventType)) continue;
      const queue = this.pending.get(h.id) ?? [];
      queue.push(event);
      this.pending.set(h.id, queue);
    }
    if (this.pending.size && !this.timer) this.timer = setTimeout(() => this.flush(), BATCH_MS);
  }

  private flush(): void {
    this.timer = null;
    for (const [hookId, events] of this.pending) {
      const hook = this.state.hooks.find((h) => h.id === hookId);
      if (!hook) continue;
      const p = this.deliver(hook, events).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }
    this.pending.clear();
  }

  private async deliver(hook: EventHookRecord, events: LogEvent[]): Promise<void> {
    const body = JSON.stringify({
      eventType: 'com.okta.event_hook',
      eventTypeVersion: '1.0',
      cloudEventsVersion: '0.1',
      source: `${this.origin()}/api/v1/eventHooks/${hook.id}`,
      eventId: uuid(this.state.rng),
      eventTime: new Date().toISOString(),
      contentType: 'application/json',
      data: { events },
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      if (attempt) this.stats.retried++;
      const outcome = await send(hook, 'POST', body);
      if (outcome === 'ok') {
        this.stats.delivered++;
        return;
      }
      if (outcome === 'final') break;
    }
    this.stats.failed++;
  }

  /** Okta's one-time verification: a GET carrying a challenge the endpoint must echo. */
  async verify(hook: EventHookRecord): Promise<boolean> {
    const challenge = uuid(this.state.rng);
    try {
      const res = await fetch(hook.uri, {
        method: 'GET',
        headers: { ...hookHeaders(hook), 'x-okta-verification-challenge': challenge },
        signal: AbortSignal.timeout(HOOK_TIMEOUT_MS),
      });
      if (!res.ok) return false;
      const body = (await res.json()) as { verification?: unknown };
      return body?.verification === challenge;
    } catch {
      return false;
    }
  }

  /** Stops batching and waits for deliveries under way. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
    await Promise.allSettled([...this.inflight]);
  }
}

function hookHeaders(hook: EventHookRecord): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of hook.headers) headers[h.key] = h.value;
  if (hook.auth) headers[hook.auth.key] = hook.auth.value;
  return headers;
}

/** 'retry' on 5xx, timeouts and network errors (Okta retries those once), 'final' on other refusals. */
async function send(hook: EventHookRecord, method: string, body: string): Promise<'ok' | 'retry' | 'final'> {
  try {
    const res = await fetch(hook.uri, {
      method,
      headers: { 'Content-Type': 'application/json', ...hookHeaders(hook) },
      body,
      signal: AbortSignal.timeout(HOOK_TIMEOUT_MS),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return 'ok';
    return res.status >= 500 ? 'retry' : 'final';
  } catch {
    return 'retry';
  }
}
