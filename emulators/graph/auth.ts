// The client-credentials token endpoint and the bearer check in front of every Graph call. App
// permissions are copied into the token when it is issued (the `roles` claim), as on Entra ID:
// changing an app's permissions affects the next token, not the ones already out.

import { randomBytes, randomUUID } from 'node:crypto';
import { invalidToken, type OAuthError } from './errors';
import { DEFAULTS, type GraphClientApp } from './options';

export interface IssuedToken {
  clientId: string;
  roles: string[];
  exp: number;
  revoked: boolean;
}

export interface TokenResponse {
  token_type: 'Bearer';
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
}

export class Auth {
  readonly clients = new Map<string, { clientSecret: string; permissions: string[] }>();
  private readonly tokens = new Map<string, IssuedToken>();
  tokenTtlSeconds: number;
  issued = 0;

  constructor(readonly tenantId: string, apps: GraphClientApp[], ttl: number) {
    for (const a of apps) this.setClient(a);
    this.tokenTtlSeconds = ttl;
  }

  setClient(a: Partial<GraphClientApp> & { clientId: string }): void {
    const old = this.clients.get(a.clientId);
    const secret = a.clientSecret ?? old?.clientSecret;
    if (!secret) throw new Error(`client ${a.clientId}: clientSecret is required for a new client`);
    this.clients.set(a.clientId, { clientSecret: secret, permissions: [...(a.permissions ?? old?.permissions ?? DEFAULTS.permissions)] });
  }

  /** Revokes every token, or those of one client. Returns how many. */
  revoke(clientId?: string): number {
    let n = 0;
    for (const t of this.tokens.values()) {
      if (!t.revoked && (!clientId || t.clientId === clientId)) {
        t.revoked = true;
        n++;
      }
    }
    return n;
  }

  /** `POST /{tenant}/oauth2/v2.0/token` with a form body. */
  issue(tenant: string, form: URLSearchParams): { ok: true; body: TokenResponse } | { ok: false; err: OAuthError } {
    if (tenant !== this.tenantId && tenant !== 'organizations') {
      return fail(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    }
    const grant = form.get('grant_type');
    if (grant !== 'client_credentials') {
      return fail(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant ?? ''}'.`);
    }
    const clientId = form.get('client_id') ?? '';
    if (!clientId) return fail(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    const scope = form.get('scope');
    if (!scope) return fail(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
    if (scope !== 'https://graph.microsoft.com/.default') {
      return fail(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
    }
    const client = this.clients.get(clientId);
    if (!client) {
      return fail(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${this.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
    }
    const secret = form.get('client_secret');
    if (!secret) return fail(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    if (secret !== client.clientSecret) {
      return fail(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
    }
    const now = Math.floor(Date.now() / 1000);
    const exp = now + this.tokenTtlSeconds;
    const roles = [...client.permissions];
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const access = [
      b64({ typ: 'JWT', alg: 'RS256', kid: 'emulator' }),
      b64({ aud: 'https://graph.microsoft.com', iss: `https://sts.windows.net/${this.tenantId}/`, iat: now, nbf: now, exp, appid: clientId, tid: this.tenantId, roles, uti: randomUUID(), ver: '1.0' }),
      randomBytes(32).toString('base64url'),
    ].join('.');
    this.tokens.set(access, { clientId, roles, exp, revoked: false });
    this.issued++;
    if (this.tokens.size > 10_000) this.forgetOld(now);
    return { ok: true, body: { token_type: 'Bearer', expires_in: this.tokenTtlSeconds, ext_expires_in: this.tokenTtlSeconds, access_token: access } };
  }

  /** Tokens expired for over an hour are forgotten (a client that old gets "invalid" instead of
   *  "expired", which it must handle the same way). */
  private forgetOld(nowSeconds: number): void {
    for (const [k, t] of this.tokens) if (t.exp < nowSeconds - 3600) this.tokens.delete(k);
  }

  /** The token behind an Authorization header, or the 401 Graph answers. */
  check(header: string | undefined): IssuedToken {
    if (!header || !/^Bearer\s+\S/i.test(header)) throw invalidToken('Access token is empty.');
    const token = header.replace(/^Bearer\s+/i, '').trim();
    const t = this.tokens.get(token);
    if (!t) throw invalidToken(token.split('.').length === 3 ? 'Access token validation failure. Invalid audience.' : 'IDX14100: JWT is not well formed, there are no dots (.).');
    if (t.revoked) throw invalidToken('Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp');
    if (t.exp * 1000 <= Date.now()) throw invalidToken('Lifetime validation failed, the token is expired.');
    return t;
  }
}

function fail(status: number, error: string, aadsts: number, description: string): { ok: false; err: OAuthError } {
  return { ok: false, err: { status, error, aadsts, description } };
}
