// The HTTP kit's auth schemes against real local servers: one server plays the token endpoint
// and the API, and records every request, so each test checks what went over the wire.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { authSchemaAt, createAuthenticator, type AuthConfig } from '../../connectors/http/auth';
import { HttpClient } from '../../connectors/http/client';
import { ConnectorError } from '../../connectors/errors';

const SECRET = 'cs-VERY-secret+/=value';
const servers: Server[] = [];
const clients: HttpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

interface Seen {
  method: string;
  url: string;
  auth?: string;
  body: string;
  headers: IncomingMessage['headers'];
}
type Handler = (req: Seen, res: ServerResponse) => void;

async function serve(handler: Handler) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, auth: req.headers.authorization, body, headers: req.headers };
      seen.push(s);
      handler(s, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const schema = authSchemaAt('config.auth');

function client(url: string, auth: AuthConfig, now?: () => number) {
  const c = new HttpClient({
    baseUrl: url,
    auth: createAuthenticator(auth, { label: 'scim connector "app"', field: 'config.auth', now }),
    label: 'scim connector "app"',
    service: 'App',
    credentialField: 'config.auth',
    backoffBaseMs: 1,
    sleep: async () => {},
  });
  clients.push(c);
  return c;
}

const oauth = (url: string, extra: Record<string, unknown> = {}) =>
  schema.parse({ type: 'oauth2', tokenUrl: `${url}/oauth/token`, clientId: 'app-1', clientSecret: SECRET, scopes: 'users.read groups.read', ...extra });

/** Token endpoint issuing tok-1, tok-2, … with `expiresIn`; the API accepts only tokens in `valid`. */
function oauthServer(opts: { expiresIn?: number; valid?: (token: string) => boolean } = {}) {
  let issued = 0;
  const handler: Handler = (req, res) => {
    if (req.url === '/oauth/token') {
      issued++;
      return json(res, 200, { access_token: `tok-${issued}`, token_type: 'Bearer', expires_in: opts.expiresIn ?? 3600 });
    }
    const token = req.auth?.replace(/^Bearer /, '') ?? '';
    if (opts.valid && !opts.valid(token)) return json(res, 401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired' } });
    json(res, 200, { ok: true, token });
  };
  return handler;
}

describe('OAuth 2.0 client credentials', () => {
  it('fetches one token for 20 concurrent requests and sends client_secret_post form fields', async () => {
    const { url, seen } = await serve(oauthServer());
    const c = client(url, oauth(url));
    const out = await Promise.all(Array.from({ length: 20 }, (_, i) => c.getJson<{ token: string }>(`/Users/${i}`)));
    const tokenCalls = seen.filter((s) => s.url === '/oauth/token');
    expect(tokenCalls).toHaveLength(1);
    expect(out.map((r) => r.body.token)).toEqual(Array(20).fill('tok-1'));
    const form = new URLSearchParams(tokenCalls[0]!.body);
    expect(Object.fromEntries(form)).toEqual({ grant_type: 'client_credentials', scope: 'users.read groups.read', client_id: 'app-1', client_secret: SECRET });
    expect(tokenCalls[0]!.method).toBe('POST');
    expect(tokenCalls[0]!.auth).toBeUndefined();
    expect(seen.filter((s) => s.url !== '/oauth/token').every((s) => s.auth === 'Bearer tok-1')).toBe(true);
  });

  it('sends the client in a Basic header with client_secret_basic, never in the body', async () => {
    const { url, seen } = await serve(oauthServer());
    const c = client(url, oauth(url, { clientAuth: 'client_secret_basic' }));
    await c.getJson('/Users');
    const t = seen.find((s) => s.url === '/oauth/token')!;
    const [id, secret] = Buffer.from(t.auth!.replace(/^Basic /, ''), 'base64').toString().split(':').map(decodeURIComponent);
    expect([id, secret]).toEqual(['app-1', SECRET]);
    expect(new URLSearchParams(t.body).has('client_secret')).toBe(false);
    expect(new URLSearchParams(t.body).has('client_id')).toBe(false);
  });

  it('renews the token shortly before expiry (10 % of a short lifetime), not after every request', async () => {
    let now = 1_000_000;
    const { url, seen } = await serve(oauthServer({ expiresIn: 100 }));
    const c = client(url, oauth(url), () => now);
    const tokens = async () => (await c.getJson<{ token: string }>('/Users')).body.token;
    expect(await tokens()).toBe('tok-1');
    now += 89_000; // 11 s before expiry: still outside the 10 s margin
    expect(await tokens()).toBe('tok-1');
    now += 2_000; // inside the margin: renewed before the server could refuse it
    expect(await tokens()).toBe('tok-2');
    expect(await tokens()).toBe('tok-2');
    expect(seen.filter((s) => s.url === '/oauth/token')).toHaveLength(2);
  });

  it('renews a long-lived token 60 s before expiry', async () => {
    let now = 0;
    const { url } = await serve(oauthServer({ expiresIn: 3599 }));
    const c = client(url, oauth(url), () => now);
    const token = async () => (await c.getJson<{ token: string }>('/Users')).body.token;
    expect(await token()).toBe('tok-1');
    now = (3599 - 61) * 1000;
    expect(await token()).toBe('tok-1');
    now = (3599 - 59) * 1000;
    expect(await token()).toBe('tok-2');
  });

  it('on a 401 with a cached token renews once and retries once; concurrent 401s share that renewal', async () => {
    const { url, seen } = await serve(oauthServer({ valid: (t) => t !== 'tok-1' }));
    const c = client(url, oauth(url));
    const out = await Promise.all(Array.from({ length: 5 }, () => c.getJson<{ token: string }>('/Users')));
    expect(out.map((r) => r.body.token)).toEqual(Array(5).fill('tok-2'));
    expect(seen.filter((s) => s.url === '/oauth/token')).toHaveLength(2);
    expect(seen.filter((s) => s.url === '/Users')).toHaveLength(10);
  });

  it('gives up after one renewal when the API keeps answering 401, as a non-retryable auth error', async () => {
    const { url, seen } = await serve(oauthServer({ valid: () => false }));
    const c = client(url, oauth(url));
    const err = (await c.getJson('/Users').catch((e) => e)) as ConnectorError;
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.kind).toBe('auth');
    expect(err.retryable).toBe(false);
    expect(seen.map((s) => s.url)).toEqual(['/oauth/token', '/Users', '/oauth/token', '/Users']);
  });

  it('turns invalid_client into an auth error naming the fields, without the secret even when the server echoes it', async () => {
    const { url, seen } = await serve((req, res) =>
      json(res, 401, { error: 'invalid_client', error_description: `Client authentication failed for secret ${SECRET} (${encodeURIComponent(SECRET)})` }),
    );
    const c = client(url, oauth(url));
    const err = (await c.getJson('/Users').catch((e) => e)) as ConnectorError;
    expect(err.kind).toBe('auth');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('invalid_client');
    expect(err.message).toContain('config.auth.clientId');
    expect(err.message).toContain('config.auth.clientSecret');
    expect(err.message).toContain('scim connector "app"');
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain(encodeURIComponent(SECRET));
    expect(JSON.stringify(err.details)).not.toContain(SECRET);
    expect(seen.map((s) => s.url)).toEqual(['/oauth/token']); // the API is never called without a token
  });

  it('names config.auth.scopes on invalid_scope, and reports a 503 token endpoint as retryable', async () => {
    let mode = 'scope';
    const { url } = await serve((_r, res) =>
      mode === 'scope' ? json(res, 400, { error: 'invalid_scope', error_description: 'scope groups.read is not allowed' }) : json(res, 503, { error: 'temporarily_unavailable' }),
    );
    const c = client(url, oauth(url));
    const scopeErr = (await c.getJson('/Users').catch((e) => e)) as ConnectorError;
    expect(scopeErr.kind).toBe('auth');
    expect(scopeErr.message).toContain('config.auth.scopes');
    mode = 'down';
    const down = (await c.getJson('/Users').catch((e) => e)) as ConnectorError;
    expect(down.kind).toBe('transient');
    expect(down.retryable).toBe(true);
    expect(down.message).toContain('config.auth.tokenUrl');
  });
});

describe('static schemes', () => {
  it('sends SSWS, Bearer, Basic and a named API-key header', async () => {
    const { url, seen } = await serve((_r, res) => json(res, 200, {}));
    const cases: [unknown, (s: Seen) => string | undefined, string][] = [
      [{ type: 'ssws', token: 't0k' }, (s) => s.auth, 'SSWS t0k'],
      [{ type: 'bearer', token: 'b34r' }, (s) => s.auth, 'Bearer b34r'],
      [{ type: 'basic', username: 'isu@acme', password: 'p:w' }, (s) => s.auth, `Basic ${Buffer.from('isu@acme:p:w').toString('base64')}`],
      [{ type: 'apiKey', name: 'X-API-Key', value: 'k3y' }, (s) => s.headers['x-api-key'] as string, 'k3y'],
    ];
    for (const [cfg, read, want] of cases) {
      await client(url, schema.parse(cfg)).getJson('/x');
      expect(read(seen.at(-1)!)).toBe(want);
    }
  });

  it('puts a query API key on every request but never in error messages', async () => {
    const { url, seen } = await serve((req, res) => (req.url.startsWith('/missing') ? json(res, 404, {}) : json(res, 200, {})));
    const c = client(url, schema.parse({ type: 'apiKey', name: 'api_key', value: 'q-k3y', in: 'query' }));
    await c.getJson('/list', { query: { limit: 5 } });
    const sent = new URL(seen[0]!.url, url);
    expect(sent.searchParams.get('api_key')).toBe('q-k3y');
    expect(sent.searchParams.get('limit')).toBe('5');
    const err = (await c.getJson('/missing').catch((e) => e)) as ConnectorError;
    expect(err.kind).toBe('not-found');
    expect(err.message).not.toContain('q-k3y');
  });

  it('does not retry a 401 on a static credential', async () => {
    const { url, seen } = await serve((_r, res) => json(res, 401, { errorCode: 'E0000011', errorSummary: 'Invalid token provided' }));
    const err = (await client(url, schema.parse({ type: 'bearer', token: 'x' })).getJson('/x').catch((e) => e)) as ConnectorError;
    expect(err.kind).toBe('auth');
    expect(seen).toHaveLength(1);
  });
});

describe('authSchema', () => {
  const issues = (v: unknown) => schema.safeParse(v).error?.issues.map((i) => i.message) ?? [];

  it('names the missing or bad field in every message', () => {
    expect(issues({ type: 'oauth2', tokenUrl: 'https://login.example.com/token', clientId: 'a' })).toEqual([
      expect.stringContaining('config.auth.clientSecret is required'),
    ]);
    expect(issues({ type: 'oauth2', tokenUrl: 'http://login.example.com/token', clientId: 'a', clientSecret: 'b' })[0]).toContain('config.auth.tokenUrl must be an https:// URL');
    expect(issues({ type: 'oauth2', tokenUrl: 'https://l/t', clientId: 'a', clientSecret: 'b', clientAuth: 'jwt' })[0]).toContain('config.auth.clientAuth');
    expect(issues({ type: 'basic', username: 'u' })[0]).toContain('config.auth.password is required');
    expect(issues({ type: 'apiKey', value: 'v' })[0]).toContain('config.auth.name is required');
    expect(issues({ type: 'kerberos' })[0]).toContain('config.auth.type must be one of ssws, bearer, basic, apiKey, oauth2');
    expect(issues({})[0]).toContain('config.auth.type');
  });

  it('fills defaults and accepts scopes as a list or a space-separated string', () => {
    const a = schema.parse({ type: 'oauth2', tokenUrl: 'https://login.example.com/t', clientId: 'a', clientSecret: 'b', scopes: 'x y' });
    expect(a).toMatchObject({ scopes: ['x', 'y'], clientAuth: 'client_secret_post' });
    expect(schema.parse({ type: 'apiKey', name: 'X-Key', value: 'v' })).toMatchObject({ in: 'header' });
    expect(schema.parse({ type: 'oauth2', tokenUrl: 'https://l/t', clientId: 'a', clientSecret: 'b', scopes: ['https://graph.microsoft.com/.default'] })).toMatchObject({
      scopes: ['https://graph.microsoft.com/.default'],
    });
  });
});
