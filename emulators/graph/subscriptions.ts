// Change notifications: `/subscriptions` with Graph's validation handshake (a POST to the
// notificationUrl with `?validationToken=…`, answered 200 text/plain with the token within 10 s),
// expiry of at most 4230 minutes for users and groups, and batched deliveries of
// `{value:[{subscriptionId, clientState, changeType, resource, resourceData, tenantId, …}]}`.

import { randomUUID } from 'node:crypto';
import { GraphError, badRequest, notFound } from './errors';
import type { Tenant, TenantChange } from './tenant';

export const MAX_EXPIRATION_MINUTES = 4230;

export interface Subscription {
  id: string;
  resource: string;
  /** 'users' | 'groups', from `resource`. */
  set: 'users' | 'groups';
  applicationId: string;
  changeType: string;
  clientState: string | null;
  notificationUrl: string;
  expirationDateTime: string;
  creatorId: string;
}

export interface DeliveryRecord {
  subscriptionId: string;
  notificationUrl: string;
  value: unknown[];
  status: number | null;
  attempts: number;
  error?: string;
  at: string;
}

export interface SubscriptionSettings {
  validationTimeoutMs: number;
  notificationDelayMs: number;
}

const CHANGE_TYPES = ['created', 'updated', 'deleted'];

export class Subscriptions {
  private readonly subs = new Map<string, Subscription>();
  private pending = new Map<string, unknown[]>();
  private timer: NodeJS.Timeout | null = null;
  private inflight = new Set<Promise<void>>();
  readonly deliveries: DeliveryRecord[] = [];
  private closed = false;

  constructor(private readonly tenant: Tenant, readonly settings: SubscriptionSettings) {
    tenant.onChange((c) => this.onChange(c));
  }

  list(appId: string): Subscription[] {
    this.dropExpired();
    return [...this.subs.values()].filter((s) => s.applicationId === appId);
  }

  get(id: string, appId: string): Subscription {
    this.dropExpired();
    const s = this.subs.get(id);
    if (!s || s.applicationId !== appId) throw notFound(id);
    return s;
  }

  async create(body: Record<string, unknown>, appId: string, spId: string): Promise<Subscription> {
    const resource = typeof body.resource === 'string' ? body.resource : '';
    const set = /^\/?(users|groups)$/i.exec(resource)?.[1]?.toLowerCase() as 'users' | 'groups' | undefined;
    if (!set) throw new GraphError(400, 'InvalidRequest', `Resource '${resource}' is not supported by this emulator: use 'users' or 'groups'.`);
    const changeType = checkChangeType(body.changeType);
    const notificationUrl = checkUrl(body.notificationUrl);
    const clientState = body.clientState === undefined || body.clientState === null ? null : String(body.clientState);
    if (clientState !== null && clientState.length > 128) throw badRequest('clientState must be at most 128 characters.');
    const expirationDateTime = checkExpiration(body.expirationDateTime);
    await this.validate(notificationUrl);
    const s: Subscription = { id: randomUUID(), resource, set, applicationId: appId, changeType, clientState, notificationUrl, expirationDateTime, creatorId: spId };
    this.subs.set(s.id, s);
    return s;
  }

  async update(id: string, appId: string, body: Record<string, unknown>): Promise<Subscription> {
    const s = this.get(id, appId);
    const next = { ...s };
    if (body.expirationDateTime !== undefined) next.expirationDateTime = checkExpiration(body.expirationDateTime);
    if (body.notificationUrl !== undefined) {
      next.notificationUrl = checkUrl(body.notificationUrl);
      await this.validate(next.notificationUrl);
    }
    this.subs.set(id, next);
    return next;
  }

  remove(id: string, appId: string): void {
    this.get(id, appId);
    this.subs.delete(id);
  }

  render(s: Subscription, base: string): Record<string, unknown> {
    return {
      '@odata.context': `${base}/v1.0/$metadata#subscriptions/$entity`,
      id: s.id, resource: s.resource, applicationId: s.applicationId, changeType: s.changeType, clientState: s.clientState,
      notificationUrl: s.notificationUrl, notificationQueryOptions: null, lifecycleNotificationUrl: null,
      expirationDateTime: s.expirationDateTime, creatorId: s.creatorId, includeResourceData: false,
      latestSupportedTlsVersion: 'v1_2', encryptionCertificate: null, encryptionCertificateId: null, notificationUrlAppId: null,
    };
  }

  /** Waits for deliveries in flight (tests and close). */
  async drain(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.flush();
    }
    while (this.inflight.size) await Promise.all([...this.inflight]);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
    await Promise.allSettled([...this.inflight]);
  }

  private async validate(url: string): Promise<void> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const target = `${url}${url.includes('?') ? '&' : '?'}validationToken=${encodeURIComponent(token)}`;
    let res: Response;
    try {
      res = await fetch(target, { method: 'POST', headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: '', signal: AbortSignal.timeout(this.settings.validationTimeoutMs) });
    } catch (e) {
      const timedOut = (e as Error).name === 'TimeoutError';
      throw new GraphError(400, 'InvalidRequest', timedOut
        ? `Subscription validation request timed out after ${this.settings.validationTimeoutMs / 1000} seconds.`
        : `Subscription validation request failed: the notification endpoint could not be reached (${(e as Error).message}).`);
    }
    const text = await res.text();
    if (res.status !== 200) throw new GraphError(400, 'InvalidRequest', `Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request (it answered ${res.status}).`);
    if (!(res.headers.get('content-type') ?? '').toLowerCase().startsWith('text/plain')) {
      throw new GraphError(400, 'InvalidRequest', 'Subscription validation request failed. The response must have Content-Type text/plain.');
    }
    if (text !== token) throw new GraphError(400, 'InvalidRequest', 'Subscription validation request failed. Response must exactly match validationToken query parameter.');
  }

  private dropExpired(): void {
    const now = Date.now();
    for (const [id, s] of this.subs) if (Date.parse(s.expirationDateTime) <= now) this.subs.delete(id);
  }

  private onChange(c: TenantChange): void {
    if (this.closed) return;
    this.dropExpired();
    for (const s of this.subs.values()) {
      if (s.set !== `${c.kind}s` || !s.changeType.split(',').includes(c.changeType)) continue;
      const type = c.kind === 'user' ? 'User' : 'Group';
      const resourceData: Record<string, unknown> = { '@odata.type': `#Microsoft.Graph.${type}`, '@odata.id': `${type}s/${c.id}`, id: c.id, organizationId: this.tenant.tenantId };
      if (c.members?.length) resourceData['members@delta'] = c.members.map((id) => ({ id }));
      const item = {
        subscriptionId: s.id, subscriptionExpirationDateTime: s.expirationDateTime, changeType: c.changeType, clientState: s.clientState,
        resource: `${type}s/${c.id}`, resourceData, tenantId: this.tenant.tenantId,
      };
      const list = this.pending.get(s.id) ?? [];
      list.push(item);
      this.pending.set(s.id, list);
    }
    if (this.pending.size && !this.timer) this.timer = setTimeout(() => this.flush(), this.settings.notificationDelayMs);
  }

  private flush(): void {
    this.timer = null;
    const batches = this.pending;
    this.pending = new Map();
    for (const [subId, value] of batches) {
      const s = this.subs.get(subId);
      if (!s) continue;
      const p = this.deliver(s, value).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }
  }

  /** Posts one batch; retried a few times with backoff when the endpoint fails (Graph keeps trying
   *  for hours; an emulator gives up sooner and records it). */
  private async deliver(s: Subscription, value: unknown[]): Promise<void> {
    const rec: DeliveryRecord = { subscriptionId: s.id, notificationUrl: s.notificationUrl, value, status: null, attempts: 0, at: new Date().toISOString() };
    this.deliveries.push(rec);
    if (this.deliveries.length > 1000) this.deliveries.shift();
    for (const wait of [0, 200, 1000, 3000]) {
      if (wait) await new Promise((r) => setTimeout(r, wait));
      if (this.closed) return;
      rec.attempts++;
      try {
        const res = await fetch(s.notificationUrl, { method: 'POST', headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify({ value }), signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        rec.status = res.status;
        if (res.status >= 200 && res.status < 300) return;
      } catch (e) {
        rec.error = (e as Error).message;
      }
    }
  }
}

function checkChangeType(v: unknown): string {
  const parts = typeof v === 'string' ? v.split(',').map((s) => s.trim()) : [];
  if (!parts.length || parts.some((p) => !CHANGE_TYPES.includes(p))) {
    throw new GraphError(400, 'InvalidRequest', `changeType must be a comma-separated list of ${CHANGE_TYPES.join(', ')}.`);
  }
  return parts.join(',');
}

function checkUrl(v: unknown): string {
  if (typeof v !== 'string') throw new GraphError(400, 'InvalidRequest', 'notificationUrl is required.');
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new GraphError(400, 'InvalidRequest', `notificationUrl '${v}' is not a valid URL.`);
  }
  // Graph requires HTTPS; an emulator on a laptop has to allow plain HTTP to loopback.
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) {
    throw new GraphError(400, 'InvalidRequest', 'notificationUrl must be an HTTPS URL (or http to a loopback address on this emulator).');
  }
  return v;
}

function checkExpiration(v: unknown): string {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(t)) throw new GraphError(400, 'InvalidRequest', 'expirationDateTime is required (an ISO 8601 date-time).');
  const now = Date.now();
  if (t <= now) throw new GraphError(400, 'InvalidRequest', 'Subscription expiration date time cannot be in the past.');
  if (t > now + MAX_EXPIRATION_MINUTES * 60_000) {
    throw new GraphError(400, 'InvalidRequest', `Subscription expiration can only be ${MAX_EXPIRATION_MINUTES} minutes in the future.`);
  }
  return new Date(t).toISOString();
}
