// Credentials for every HTTP connector, written once: static schemes (SSWS, Bearer, Basic, API
// key) and OAuth 2.0 client credentials with a cached token. Secrets go only into request
// headers or the token request body; no message or error detail ever carries one.

import { request } from 'undici';
import { z } from 'zod';
import { ConnectorError } from '../errors';

/** What one request carries. `stamp` tells which credential was sent, so a 401 renews exactly it. */
export interface AppliedAuth {
  headers: Record<string, string>;
  query?: Record<string, string>;
  stamp?: string;
}

export interface Authenticator {
  credentials(): Promise<AppliedAuth>;
  /** After a 401 on a request that carried `used`: true when a fresh credential is now in hand
   *  and one retry may help; false for static credentials (the 401 is final). */
  renewAfter401?(used: AppliedAuth): Promise<boolean>;
}

const required = (field: string, what: string) =>
  z.string({ error: `${field} is required (${what})` }).min(1, `${field} is required (${what})`);

/** The auth section a connector embeds in its config schema; `field` is where it sits
 *  ("config.auth"), so every message names the exact field to fix. */
export function authSchemaAt(field: string) {
  const scopes = z
    .union([z.string(), z.array(z.string().min(1, `${field}.scopes entries must not be empty`))], {
      error: `${field}.scopes must be a list of scope names or one space-separated string`,
    })
    .transform((s) => (Array.isArray(s) ? s : s.split(/\s+/).filter(Boolean)));
  return z.discriminatedUnion(
    'type',
    [
      z.object({ type: z.literal('ssws'), token: required(`${field}.token`, 'an SSWS API token, e.g. ${OKTA_API_TOKEN}') }),
      z.object({ type: z.literal('bearer'), token: required(`${field}.token`, 'a bearer token, e.g. ${API_TOKEN}') }),
      z.object({
        type: z.literal('basic'),
        username: required(`${field}.username`, 'the user name for HTTP Basic'),
        password: required(`${field}.password`, 'the password for HTTP Basic, e.g. ${API_PASSWORD}'),
      }),
      z.object({
        type: z.literal('apiKey'),
        name: required(`${field}.name`, 'the header or query parameter that carries the key, e.g. X-API-Key'),
        value: required(`${field}.value`, 'the API key, e.g. ${API_KEY}'),
        in: z.enum(['header', 'query'], { error: `${field}.in must be "header" or "query"` }).default('header'),
      }),
      z.object({
        type: z.literal('oauth2'),
        tokenUrl: required(`${field}.tokenUrl`, 'the OAuth 2.0 token endpoint URL').refine(isTokenUrl, {
          message: `${field}.tokenUrl must be an https:// URL (http:// only for 127.0.0.1/localhost)`,
        }),
        clientId: required(`${field}.clientId`, 'the OAuth client id'),
        clientSecret: required(`${field}.clientSecret`, 'the OAuth client secret, e.g. ${CLIENT_SECRET}'),
        scopes: scopes.default([]),
        clientAuth: z
          .enum(['client_secret_post', 'client_secret_basic'], {
            error: `${field}.clientAuth must be "client_secret_post" or "client_secret_basic"`,
          })
          .default('client_secret_post'),
      }),
    ],
    { error: `${field}.type must be one of ssws, bearer, basic, apiKey, oauth2` },
  );
}

export const authSchema = authSchemaAt('auth');
export type AuthConfig = z.output<typeof authSchema>;
export type OAuthClientCredentials = Extract<AuthConfig, { type: 'oauth2' }>;

function isTokenUrl(u: string): boolean {
  try {
    const url = new URL(u);
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname));
  } catch {
    return false;
  }
}

export interface AuthContext {
  /** Names the caller in messages, e.g. `scim connector "app"`. */
  label: string;
  /** Where the auth section is configured ("config.auth"). */
  field: string;
  now?: () => number;
  timeoutMs?: number;
}

/** A fixed header value (`<scheme> <token>` or a ready value) or a token that may change. */
export function headerAuth(scheme: string, token: string | (() => Promise<string>)): Authenticator {
  return {
    async credentials() {
      const t = typeof token === 'function' ? await token() : token;
      return { headers: { authorization: `${scheme} ${t}` } };
    },
  };
}

export function createAuthenticator(auth: AuthConfig, ctx: AuthContext): Authenticator {
  switch (auth.type) {
    case 'ssws':
      return headerAuth('SSWS', auth.token);
    case 'bearer':
      return headerAuth('Bearer', auth.token);
    case 'basic':
      return headerAuth('Basic', Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
    case 'apiKey':
      return {
        credentials: async () => (auth.in === 'query' ? { headers: {}, query: { [auth.name]: auth.value } } : { headers: { [auth.name.toLowerCase()]: auth.value } }),
      };
    case 'oauth2':
      return new ClientCredentials(auth, ctx);
  }
}

interface CachedToken {
  value: string;
  refreshAtMs: number;
  expiresAtMs: number;
}

/** Longest margin before expiry at which a token is renewed; short-lived tokens renew at 90 %. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4). The token is cached and renewed before it
 * expires; concurrent requests share one token request, so a burst of 20 requests costs one
 * round trip to the token endpoint and the server never sees a stampede.
 */
export class ClientCredentials implements Authenticator {
  private cached: CachedToken | null = null;
  private inFlight: Promise<CachedToken> | null = null;
  private readonly now: () => number;

  constructor(
    private readonly cfg: OAuthClientCredentials,
    private readonly ctx: AuthContext,
  ) {
    this.now = ctx.now ?? Date.now;
  }

  async credentials(): Promise<AppliedAuth> {
    const t = this.cached && this.now() < this.cached.refreshAtMs ? this.cached : await this.refresh();
    return { headers: { authorization: `Bearer ${t.value}` }, stamp: t.value };
  }

  /** When the cached token expires (null before the first one); `tiger connector refresh` reports it. */
  get expiresAt(): Date | null {
    return this.cached ? new Date(this.cached.expiresAtMs) : null;
  }

  async renewAfter401(used: AppliedAuth): Promise<boolean> {
    // Only the token that was refused is dropped: if another request already renewed it, reuse that.
    if (this.cached && this.cached.value === used.stamp) this.cached = null;
    if (!this.cached) await this.refresh();
    return true;
  }

  private refresh(): Promise<CachedToken> {
    this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async fetchToken(): Promise<CachedToken> {
    const { cfg, ctx } = this;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (cfg.scopes.length) form.set('scope', cfg.scopes.join(' '));
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (cfg.clientAuth === 'client_secret_basic') {
      // RFC 6749 §2.3.1: both parts are form-encoded before they are joined.
      const basic = `${encodeURIComponent(cfg.clientId)}:${encodeURIComponent(cfg.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
    } else {
      form.set('client_id', cfg.clientId);
      form.set('client_secret', cfg.clientSecret);
    }
    const started = this.now();
    let status: number;
    let text: string;
    try {
      const res = await request(cfg.tokenUrl, {
        method: 'POST',
        headers,
        body: form.toString(),
        headersTimeout: ctx.timeoutMs ?? 30_000,
        bodyTimeout: ctx.timeoutMs ?? 30_000,
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (err) {
      const code = (err as { code?: string })?.code ?? 'network error';
      throw new ConnectorError('transient', `${ctx.label}: the OAuth token request to ${ctx.field}.tokenUrl failed (${code}); it is retried`, {
        connector: ctx.label,
        step: 'token',
      });
    }
    const body = parseJson(text);
    if (status >= 200 && status < 300 && typeof body?.access_token === 'string' && body.access_token) {
      const lifetimeMs = Number(body.expires_in) > 0 ? Number(body.expires_in) * 1000 : 3600_000;
      const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 10);
      const token = { value: body.access_token, refreshAtMs: started + lifetimeMs - margin, expiresAtMs: started + lifetimeMs };
      this.cached = token;
      return token;
    }
    throw this.tokenError(status, body);
  }

  private tokenError(status: number, body: Record<string, unknown> | null): ConnectorError {
    const { ctx } = this;
    const f = ctx.field;
    const code = typeof body?.error === 'string' ? body.error : undefined;
    const said = this.scrub([code, typeof body?.error_description === 'string' ? body.error_description : undefined].filter(Boolean).join(': '));
    const what = `${ctx.label}: the token endpoint (${f}.tokenUrl) answered ${status}${said ? ` (${said})` : ''}`;
    const details = { connector: ctx.label, status, step: 'token' };
    if (status >= 500 || status === 429 || status === 408) return new ConnectorError('transient', `${what}; it is retried`, details);
    switch (code) {
      case 'invalid_client':
      case 'unauthorized_client':
        return new ConnectorError('auth', `${what}: the client credentials were refused; check ${f}.clientId and ${f}.clientSecret (and ${f}.clientAuth: this server may expect ${this.cfg.clientAuth === 'client_secret_post' ? 'client_secret_basic' : 'client_secret_post'})`, details);
      case 'invalid_scope':
        return new ConnectorError('auth', `${what}: check ${f}.scopes (${this.cfg.scopes.join(' ') || 'none given'})`, details);
      case 'unsupported_grant_type':
      case 'invalid_grant':
        return new ConnectorError('auth', `${what}: this client may not use the client_credentials grant; check ${f}.tokenUrl and the client's grant types`, details);
    }
    if (status === 404) return new ConnectorError('config', `${what}: no token endpoint there; check ${f}.tokenUrl`, details);
    if (status === 401 || status === 403) return new ConnectorError('auth', `${what}: check ${f}.clientId and ${f}.clientSecret`, details);
    return new ConnectorError('auth', `${what}: no access_token in the answer; check ${f}.tokenUrl`, details);
  }

  /** Some servers quote what they were sent; the secret never leaves this object. */
  private scrub(text: string): string {
    const s = this.cfg.clientSecret;
    const forms = [s, encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2)].filter((x) => x.length >= 4);
    return forms.reduce((t, x) => t.split(x).join('***'), text).slice(0, 300);
  }
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
