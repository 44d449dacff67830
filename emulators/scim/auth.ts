// Who may call the SCIM server: a fixed bearer token, HTTP Basic, or bearer tokens issued by the
// server's own OAuth 2.0 client-credentials endpoint (short-lived, so clients must refresh).

import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { ScimAuth } from './options';

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export class Authenticator {
  /** access token → expiry (ms since epoch) */
  private readonly issued = new Map<string, number>();
  tokensIssued = 0;

  constructor(private readonly auth: ScimAuth) {}

  /** scimmy-routers' scheme name, for /ServiceProviderConfig. */
  get schemeType(): 'bearer' | 'basic' | 'oauth' {
    return this.auth.type;
  }

  /** Throws with the reason scimmy-routers puts in the 401 body. */
  check(req: Request): string {
    const header = req.header('authorization') ?? '';
    const a = this.auth;
    if (!header) throw new Error('Authorization header missing');
    if (a.type === 'basic') {
      const m = /^Basic\s+(.+)$/i.exec(header);
      if (!m) throw new Error('expected HTTP Basic credentials');
      if (!same(Buffer.from(m[1], 'base64').toString('utf8'), `${a.username}:${a.password}`)) throw new Error('wrong username or password');
      return a.username;
    }
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) throw new Error('expected a Bearer token');
    if (a.type === 'bearer') {
      if (!same(m[1], a.token)) throw new Error('invalid bearer token');
      return 'bearer-client';
    }
    const expiry = this.issued.get(m[1]);
    if (expiry === undefined) throw new Error('invalid access token');
    if (expiry <= Date.now()) throw new Error('access token expired');
    return a.clientId;
  }

  /** POST /oauth/token (RFC 6749 §4.4): client credentials in Basic auth or in the form body. */
  token(req: Request, res: Response): void {
    const a = this.auth;
    if (a.type !== 'oauth') {
      res.status(404).json({ error: 'not_found', error_description: 'this server is not configured for OAuth' });
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    let clientId = typeof body.client_id === 'string' ? body.client_id : '';
    let clientSecret = typeof body.client_secret === 'string' ? body.client_secret : '';
    const basic = /^Basic\s+(.+)$/i.exec(req.header('authorization') ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      clientId = decodeURIComponent(decoded.slice(0, i));
      clientSecret = decodeURIComponent(decoded.slice(i + 1));
    }
    if (body.grant_type !== 'client_credentials') {
      res.status(400).json({ error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
      return;
    }
    if (!same(clientId, a.clientId) || !same(clientSecret, a.clientSecret)) {
      res.status(401).setHeader('WWW-Authenticate', 'Basic realm="scim-emulator"');
      res.json({ error: 'invalid_client', error_description: 'unknown client or wrong secret' });
      return;
    }
    const ttl = a.tokenTtlSeconds ?? 3600;
    const token = randomBytes(24).toString('base64url');
    this.issued.set(token, Date.now() + ttl * 1000);
    this.tokensIssued += 1;
    res.setHeader('Cache-Control', 'no-store');
    res.json({ access_token: token, token_type: 'Bearer', expires_in: ttl });
  }
}
