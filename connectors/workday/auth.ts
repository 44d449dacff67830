// Workday API clients authenticate with the OAuth 2.0 refresh-token grant (RFC 6749 §6): the
// client id and secret with a long-lived refresh token issued for the integration user buy an
// access token. The kit's authenticators cover Basic and client credentials; this one adds the
// grant Workday uses, behind the kit's Authenticator interface so the HttpClient handles 401s.
// The secret and the refresh token go only into the token request; no message carries them.

import { request } from 'undici';
import { ConnectorError } from '../errors';
import { headerAuth, type AppliedAuth, type Authenticator } from '../http/auth';
import type { WorkdayConfig } from './config';

interface Cached {
  value: string;
  refreshAtMs: number;
}

export function workdayAuthenticator(config: WorkdayConfig, label: string): Authenticator {
  const a = config.auth;
  if (a.type === 'basic') return headerAuth('Basic', Buffer.from(`${a.username}:${a.password}`).toString('base64'));
  const tokenUrl = a.tokenUrl ?? `${config.baseUrl}/ccx/oauth2/${encodeURIComponent(config.tenant)}/token`;
  let cached: Cached | null = null;
  let inFlight: Promise<Cached> | null = null;

  const fetchToken = async (): Promise<Cached> => {
    const started = Date.now();
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: a.refreshToken });
    const basic = Buffer.from(`${encodeURIComponent(a.clientId)}:${encodeURIComponent(a.clientSecret)}`).toString('base64');
    let status: number;
    let body: Record<string, unknown> | null = null;
    try {
      const res = await request(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${basic}` },
        body: form.toString(),
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      status = res.statusCode;
      try {
        body = (await res.body.json()) as Record<string, unknown>;
      } catch {
        body = null;
      }
    } catch (err) {
      throw new ConnectorError('transient', `${label}: the OAuth token request failed (${(err as { code?: string }).code ?? 'network error'}); it is retried`, { connector: label, step: 'token' });
    }
    if (status >= 200 && status < 300 && typeof body?.access_token === 'string' && body.access_token) {
      const lifetime = Number(body.expires_in) > 0 ? Number(body.expires_in) * 1000 : 3600_000;
      return { value: body.access_token, refreshAtMs: started + lifetime - Math.min(60_000, lifetime / 10) };
    }
    const code = typeof body?.error === 'string' ? body.error : 'no access_token';
    const details = { connector: label, status, step: 'token' };
    const what = `${label}: the Workday token endpoint (config.auth.tokenUrl, default /ccx/oauth2/<tenant>/token) answered ${status} (${code})`;
    if (status >= 500 || status === 429) return Promise.reject(new ConnectorError('transient', `${what}; it is retried`, details));
    if (code === 'invalid_client' || status === 401) throw new ConnectorError('auth', `${what}: check config.auth.clientId and config.auth.clientSecret`, details);
    if (code === 'invalid_grant') throw new ConnectorError('auth', `${what}: the refresh token was refused (revoked or expired); issue a new one and set config.auth.refreshToken`, details);
    if (status === 404) throw new ConnectorError('config', `${what}: no token endpoint there; check config.baseUrl, config.tenant and config.auth.tokenUrl`, details);
    throw new ConnectorError('auth', `${what}: check config.auth`, details);
  };

  const refresh = (): Promise<Cached> => {
    inFlight ??= fetchToken()
      .then((t) => (cached = t))
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };

  return {
    async credentials(): Promise<AppliedAuth> {
      const t = cached && Date.now() < cached.refreshAtMs ? cached : await refresh();
      return { headers: { authorization: `Bearer ${t.value}` }, stamp: t.value };
    },
    async renewAfter401(used) {
      if (cached?.value === used.stamp) cached = null;
      if (!cached) await refresh();
      return true;
    },
  };
}
