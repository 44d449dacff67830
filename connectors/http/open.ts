// The HTTP client a connector opens from its `{baseUrl, auth}` config: the label its errors carry,
// the config fields they name, and the caller's options (tests shorten retries) under the
// config's own base URL and credential, which no option may replace.

import { createAuthenticator, type AuthConfig, type Authenticator } from './auth';
import { HttpClient, type HttpClientOptions } from './client';

/** What a connector's opener lets its caller change. */
export type ConnectorHttpOptions = Partial<Omit<HttpClientOptions, 'baseUrl' | 'auth' | 'label'>>;

export interface OpenHttpClient {
  /** The connector instance's name and type, as they appear in messages. */
  name: string;
  kind: string;
  /** What the far side is called in messages ("the SCIM server"). */
  service: string;
  /** `auth` is the kit's config, or an authenticator the kit does not build (given the label). */
  config: { baseUrl: string; auth: AuthConfig | ((label: string) => Authenticator) };
  httpOptions?: ConnectorHttpOptions;
  /** The connector's own defaults, under the caller's options. */
  defaults?: ConnectorHttpOptions;
}

export function openHttpClient(o: OpenHttpClient): { http: HttpClient; label: string } {
  const label = `${o.kind} connector "${o.name}"`;
  const auth = o.config.auth;
  const http = new HttpClient({
    service: o.service,
    credentialField: 'config.auth',
    baseUrlField: 'config.baseUrl',
    ...o.defaults,
    ...o.httpOptions,
    baseUrl: o.config.baseUrl,
    auth: typeof auth === 'function' ? auth(label) : createAuthenticator(auth, { label, field: 'config.auth' }),
    label,
  });
  return { http, label };
}
