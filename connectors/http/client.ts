// The one HTTP client every REST connector uses: a keep-alive undici Pool per origin, the
// credential header added here (so no connector formats it, and no message ever echoes it),
// bounded retries for what a retry can fix, and the server's own rate-limit clock honoured.

import { Pool } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { ConnectorError } from '../errors';
import { headerAuth, type Authenticator } from './auth';
import { pickFromArray, utf8 } from './pick-json';
import { classifyNetworkError, errorForStatus, type ErrorContext } from './error-map';
import { ForbiddenError, forbiddenInfo } from './forbidden';
import { valueAt } from './json-path';
import { tenantBudget, type TenantBudget } from './rate-budget';
import { RateLimitTracker, rateFamily, resetWaitMs, retryAfterMs, type BucketOf } from './rate-limit';

export interface HttpAuth {
  scheme: 'SSWS' | 'Bearer';
  /** A fixed token, or a function for tokens that expire (OAuth client credentials). */
  token: string | (() => Promise<string>);
}

export interface HttpClientOptions {
  baseUrl: string;
  /** `{scheme, token}` for a header token, or any Authenticator (see auth.ts: Basic, API key,
   *  OAuth client credentials). */
  auth: HttpAuth | Authenticator;
  /** Names the caller in messages, e.g. `okta connector "okta-production"`. */
  label: string;
  /** Vendor name in messages ("Okta"). */
  service: string;
  /** Where the credential is configured, for the 401 hint ("config.apiToken"). */
  credentialField: string;
  /** What the credential is called in messages ("API token"). */
  credentialName?: string;
  /** Config field holding the base URL ("config.domain"): messages name it instead of quoting the
   *  host, which may have come from a `${ENV}` reference and must not be echoed. */
  baseUrlField?: string;
  connections?: number;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Attempts per request, first one included. */
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Longest single wait for a rate-limit reset. */
  maxRateLimitWaitMs?: number;
  /** Pause before a family's next request when X-Rate-Limit-Remaining is at or below this. */
  lowRemaining?: number;
  /** The rate-limit bucket of a request (an endpoint family); default: rateFamily(path). */
  bucketOf?: BucketOf;
  /** Paces every bucket against one budget shared by all clients of `tenant` in this process
   *  (rate-budget.ts): at most `share` of each window's limit. Without it, each client only
   *  pauses when the server says the window is nearly spent. */
  budget?: { tenant: string; share: number };
  /** Injected in tests to observe waits instead of spending them. */
  sleep?: (ms: number) => Promise<void>;
  userAgent?: string;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** Sent as JSON (with `contentType`, default application/json). */
  body?: unknown;
  contentType?: string;
  /** Retry 5xx and broken connections even for POST/PATCH (the caller knows the call is safe to repeat). */
  idempotent?: boolean;
  /** Resource being read, for error details. */
  resource?: string;
  /** A 2xx body that is not a JSON array is treated like a truncated one: retried, then an error. */
  expectArray?: boolean;
  /** Like expectArray, for the array at this JSON path of an object body (`value`, `Resources`). */
  expectArrayAt?: string;
  /** With expectArray: each element of the 2xx body holds only these top-level members
   *  (pick-json.ts), for lists whose elements are mostly not needed. */
  pick?: readonly string[];
}

export interface JsonResponse<T> {
  status: number;
  headers: IncomingHttpHeaders;
  body: T;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class HttpClient {
  private readonly pool: Pool;
  private readonly base: URL;
  private readonly rateLimits: RateLimitTracker;
  private readonly auth: Authenticator;
  private readonly budget: { shared: TenantBudget; share: number } | null;
  private readonly o: Required<Omit<HttpClientOptions, 'userAgent' | 'credentialName' | 'baseUrlField' | 'budget'>> & {
    userAgent: string;
    credentialName?: string;
    baseUrlField?: string;
  };

  constructor(options: HttpClientOptions) {
    this.o = {
      connections: 8,
      connectTimeoutMs: 10_000,
      headersTimeoutMs: 30_000,
      bodyTimeoutMs: 30_000,
      maxAttempts: 4,
      backoffBaseMs: 250,
      backoffMaxMs: 8_000,
      maxRateLimitWaitMs: 60_000,
      lowRemaining: 2,
      sleep: realSleep,
      userAgent: 'tiger-sync/0.1',
      bucketOf: (url: URL) => rateFamily(url.pathname),
      ...options,
    };
    const a = options.auth;
    this.auth = 'credentials' in a ? a : headerAuth(a.scheme, a.token);
    this.base = new URL(options.baseUrl);
    this.rateLimits = new RateLimitTracker(this.o.lowRemaining);
    this.budget = options.budget ? { shared: tenantBudget(options.budget.tenant, this.o.lowRemaining), share: options.budget.share } : null;
    this.pool = new Pool(this.base.origin, {
      connections: this.o.connections,
      connect: { timeout: this.o.connectTimeoutMs },
      headersTimeout: this.o.headersTimeoutMs,
      bodyTimeout: this.o.bodyTimeoutMs,
    });
  }

  get origin(): string {
    return this.base.origin;
  }

  getJson<T>(urlOrPath: string, opts: RequestOptions = {}): Promise<JsonResponse<T>> {
    return this.request<T>('GET', urlOrPath, opts);
  }

  /** Any method. 429 is always retried (the server did not act on it); 5xx, 408, broken bodies and
   *  broken connections only for idempotent methods or `opts.idempotent`, since a POST that timed
   *  out may have been applied. A 401 with a renewable credential (OAuth) renews it once and retries. */
  async request<T>(method: string, urlOrPath: string, opts: RequestOptions = {}): Promise<JsonResponse<T>> {
    const url = this.resolve(urlOrPath, opts.query);
    const ctx: ErrorContext = {
      label: this.o.label,
      service: this.o.service,
      credentialField: this.o.credentialField,
      credentialName: this.o.credentialName,
      method,
      path: url.pathname,
      resource: opts.resource,
    };
    const family = this.o.bucketOf(url);
    const retrySafe = opts.idempotent ?? IDEMPOTENT.has(method);
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    let renewed = false;
    let lastError: ConnectorError | undefined;

    for (let attempt = 1; attempt <= this.o.maxAttempts; attempt++) {
      const pause = this.budget ? 0 : this.rateLimits.pauseMs(family);
      if (pause > 0) {
        await this.o.sleep(Math.min(pause, this.o.maxRateLimitWaitMs));
        this.rateLimits.reset(family);
      }
      const last = attempt === this.o.maxAttempts;

      const applied = await this.auth.credentials();
      if (this.budget) await this.budget.shared.acquire(family, this.budget.share, this.o.maxRateLimitWaitMs);
      let status: number;
      let headers: IncomingHttpHeaders;
      let bytes: Uint8Array;
      try {
        const res = await this.pool.request({
          method,
          path: withQuery(url, applied.query),
          headers: {
            accept: 'application/json',
            'user-agent': this.o.userAgent,
            ...(payload === undefined ? {} : { 'content-type': opts.contentType ?? 'application/json' }),
            ...opts.headers,
            ...applied.headers,
          },
          body: payload,
        });
        status = res.statusCode;
        headers = res.headers;
        bytes = new Uint8Array(await res.body.arrayBuffer());
      } catch (err) {
        this.budget?.shared.release(family);
        if (err instanceof ConnectorError) throw err;
        const net = classifyNetworkError(err);
        lastError = new ConnectorError(
          net.step === 'tls' ? 'config' : 'transient',
          `${ctx.label}: ${net.step === 'dns' ? 'DNS lookup' : net.step === 'tls' ? 'TLS handshake' : net.step === 'tcp' ? 'TCP connection' : 'request'} failed for ${method} ${url.pathname} on ${this.hostName} (${scrubHost(net.reason, url)})`,
          { connector: ctx.label, resource: opts.resource, step: net.step },
        );
        // A refused connection never reached the server, so even a POST may go again.
        if (!net.retryable || last || (!retrySafe && net.step !== 'tcp')) throw lastError;
        await this.o.sleep(this.backoff(attempt));
        continue;
      }
      if (this.budget) this.budget.shared.observe(family, headers, status);
      else this.rateLimits.observe(family, headers);
      const requestId = headerString(headers['x-okta-request-id'] ?? headers['request-id']);

      if (status >= 200 && status < 300) {
        const picked = opts.pick && opts.expectArray ? pickFromArray(bytes, opts.pick) : undefined;
        if (picked) return { status, headers, body: picked as T };
        const text = utf8.decode(bytes);
        if (text.trim() === '' && !opts.expectArray && opts.expectArrayAt === undefined) return { status, headers, body: null as T };
        const body = parseMaybeJson(text);
        const problem = bodyProblem(body, opts.expectArray, opts.expectArrayAt);
        if (!problem) return { status, headers, body: body as T };
        // A truncated or garbled body on a 200 is a transport problem: the next attempt is usually whole.
        lastError = new ConnectorError(
          'transient',
          `${ctx.label}: ${ctx.service} answered ${method} ${url.pathname} with ${status} but ${problem}${rid(requestId)} (attempt ${attempt} of ${this.o.maxAttempts})`,
          { connector: ctx.label, resource: opts.resource, status, step: 'body' },
        );
        if (last || !retrySafe) throw lastError;
        await this.o.sleep(this.backoff(attempt));
        continue;
      }

      const body = parseMaybeJson(utf8.decode(bytes));
      if (status === 429) {
        const wait = resetWaitMs(headers) ?? this.backoff(attempt);
        if (last) throw withRequestId(errorForStatus(429, body, ctx, wait), requestId);
        await this.o.sleep(Math.min(wait, this.o.maxRateLimitWaitMs));
        this.rateLimits.reset(family);
        continue;
      }
      if (status === 401 && !renewed && this.auth.renewAfter401 && (await this.auth.renewAfter401(applied))) {
        // A cached token can be revoked or rotated before its expiry: one fresh token, one retry.
        renewed = true;
        attempt--;
        continue;
      }
      if (status >= 500 || status === 408) {
        const wait = retryAfterMs(headers) ?? undefined;
        lastError = withRequestId(errorForStatus(status, body, ctx, wait), requestId);
        if (last || !retrySafe) throw lastError;
        await this.o.sleep(Math.min(wait ?? this.backoff(attempt), this.o.maxRateLimitWaitMs));
        continue;
      }
      const err = withRequestId(errorForStatus(status, body, ctx), requestId);
      if (status === 403) throw new ForbiddenError(err, forbiddenInfo(url.pathname, body, headers));
      throw err;
    }
    // Unreachable: the last attempt always returns or throws.
    throw lastError ?? new ConnectorError('transient', `${ctx.label}: ${method} ${url.pathname} failed`);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private get hostName(): string {
    return this.o.baseUrlField ?? 'the configured base URL';
  }

  /** Full jitter on an exponential curve, so many workers retrying do not march in step. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  private resolve(urlOrPath: string, query?: RequestOptions['query']): URL {
    const url = new URL(urlOrPath, this.base);
    // Links come from the server; following one to another origin would hand it our credential.
    if (url.origin !== this.base.origin) {
      throw new ConnectorError('bad-request', `${this.o.label}: refusing to follow a link to ${url.origin}, which is not the origin of ${this.hostName}`, {
        connector: this.o.label,
      });
    }
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }
}


function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Network errors quote the host they dialled (`getaddrinfo ENOTFOUND host`); the host may come
 *  from a reference, so it is replaced by a neutral word. */
function scrubHost(reason: string, url: URL): string {
  const named = [url.host, url.hostname].filter(Boolean).reduce((text, h) => text.split(h).join('<host>'), reason);
  // The address it resolved to says as much as the name.
  return named.replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, '<address>').replace(/\[[0-9a-f:.]+\](:\d+)?/gi, '<address>');
}

function bodyProblem(body: unknown, expectArray?: boolean, arrayAt?: string): string | null {
  if (body === undefined) return 'a malformed (truncated or invalid) JSON body';
  if (expectArray && !Array.isArray(body)) return `a JSON ${body === null ? 'null' : typeof body} where a JSON array was expected`;
  if (arrayAt !== undefined && !Array.isArray(valueAt(body, arrayAt))) return `no JSON array at "${arrayAt}"`;
  return null;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** Credentials in the query (API keys) join the path sent, never the URL kept for messages or cursors. */
function withQuery(url: URL, extra?: Record<string, string>): string {
  if (!extra) return url.pathname + url.search;
  const u = new URL(url);
  for (const [k, v] of Object.entries(extra)) u.searchParams.set(k, v);
  return u.pathname + u.search;
}

const headerString = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const rid = (id?: string) => (id ? ` (request id ${id})` : '');

function withRequestId(err: ConnectorError, requestId?: string): ConnectorError {
  if (!requestId) return err;
  const e = new ConnectorError(err.kind, err.message + rid(requestId), err.details);
  return e;
}
