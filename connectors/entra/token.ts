// The client-credentials token of one app registration, from the HTTP kit's ClientCredentials
// (cached, renewed before expiry and once after a 401), with Entra's refusals turned into
// messages naming the config field to fix. Entra puts its reason in error_description as an
// AADSTS code; only the code is repeated, never the description (it quotes ids and, from some
// proxies, what was sent).

import { ConnectorError } from '../errors';
import { ClientCredentials, type AppliedAuth, type Authenticator } from '../http/auth';
import type { EntraConfig } from './config';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/** AADSTS code → what it means and the field that holds the cause. */
const AADSTS: Record<string, { field: string; what: string }> = {
  '7000215': { field: 'config.clientSecret', what: 'the client secret is not valid for this app registration (wrong value, or the secret id given instead of its value)' },
  '7000222': { field: 'config.clientSecret', what: 'the client secret has expired; create a new one for the app registration' },
  '700016': { field: 'config.clientId', what: 'no application with this client id exists in the tenant (wrong id, or the app is registered in another tenant than config.tenantId)' },
  '700023': { field: 'config.clientId', what: 'the app registration is not allowed in this tenant' },
  '90002': { field: 'config.tenantId', what: 'the tenant does not exist' },
  '900023': { field: 'config.tenantId', what: 'the tenant id is not a valid tenant id or domain' },
  '90013': { field: 'config.tenantId', what: 'the tenant id is not valid' },
  '7000112': { field: 'config.clientId', what: 'the application is disabled' },
};

export function tokenUrlOf(config: Pick<EntraConfig, 'authority' | 'tenantId'>): string {
  return `${config.authority}/${encodeURIComponent(config.tenantId)}/oauth2/v2.0/token`;
}

export class EntraToken implements Authenticator {
  private readonly inner: ClientCredentials;

  constructor(
    config: EntraConfig,
    private readonly label: string,
    now?: () => number,
  ) {
    this.inner = new ClientCredentials(
      { type: 'oauth2', tokenUrl: tokenUrlOf(config), clientId: config.clientId, clientSecret: config.clientSecret, scopes: [GRAPH_SCOPE], clientAuth: 'client_secret_post' },
      { label, field: 'config', now },
    );
  }

  async credentials(): Promise<AppliedAuth> {
    try {
      return await this.inner.credentials();
    } catch (err) {
      throw this.explain(err);
    }
  }

  get expiresAt(): Date | null {
    return this.inner.expiresAt;
  }

  async renewAfter401(used: AppliedAuth): Promise<boolean> {
    try {
      return await this.inner.renewAfter401(used);
    } catch (err) {
      throw this.explain(err);
    }
  }

  private explain(err: unknown): unknown {
    if (!(err instanceof ConnectorError) || err.details.step !== 'token' || err.retryable) return err;
    const code = /AADSTS(\d+)/.exec(err.message)?.[1];
    const known = code ? AADSTS[code] : undefined;
    const status = err.details.status;
    if (known) return new ConnectorError('auth', `${this.label}: Entra ID refused the token request (AADSTS${code}): ${known.what}; check ${known.field}`, err.details);
    if (status === 404) return new ConnectorError('config', `${this.label}: no token endpoint at config.authority for config.tenantId (404); check both`, err.details);
    const said = code ? ` (AADSTS${code})` : status ? ` (${status})` : '';
    return new ConnectorError(err.kind, `${this.label}: Entra ID refused the token request${said}; check config.tenantId, config.clientId and config.clientSecret`, err.details);
  }
}
