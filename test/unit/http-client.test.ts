// The shared HTTP client against a real local HTTP server: each test scripts the server's
// answers and checks what the client did with them (attempts made, waits asked for, errors).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient, type HttpClientOptions } from '../../connectors/http/client';
import { findLink, nextLink, parseLinkHeader } from '../../connectors/http/link';
import { ConnectorError } from '../../connectors/errors';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

const TOKEN = '00SECRET-token-value-xyz';
let server: Server | undefined;
const servers: Server[] = [];
const clients: HttpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => (s.listening ? s.close(() => r()) : r()))));
  server = undefined;
});

/** Starts a server answering request n (1-based) with script(n); records what it received. */
async function serve(handler: Handler) {
  const seen: { url: string; auth?: string }[] = [];
  server = createServer((req, res) => {
    seen.push({ url: req.url!, auth: req.headers.authorization });
    handler(req, res, seen.length);
  });
  servers.push(server);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen };
}

function makeClient(url: string, extra: Partial<HttpClientOptions> = {}) {
  const waits: number[] = [];
  const client = new HttpClient({
    baseUrl: url,
    auth: { scheme: 'SSWS', token: TOKEN },
    label: 'okta connector "test-okta"',
    service: 'Okta',
    credentialField: 'config.apiToken',
    credentialName: 'API token',
    backoffBaseMs: 5,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
  clients.push(client);
  return { client, waits };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

describe('HttpClient', () => {
  it('sends the SSWS header and returns status, headers and parsed body', async () => {
    const { url, seen } = await serve((_q, res) => json(res, 200, [{ id: 'u1' }], { 'x-okta-request-id': 'r1' }));
    const { client } = makeClient(url);
    const r = await client.getJson<{ id: string }[]>('/api/v1/users', { query: { limit: 200, filter: 'status eq "ACTIVE"' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual([{ id: 'u1' }]);
    expect(r.headers['x-okta-request-id']).toBe('r1');
    expect(seen[0]!.auth).toBe(`SSWS ${TOKEN}`);
    expect(new URL(seen[0]!.url, url).searchParams.get('filter')).toBe('status eq "ACTIVE"');
  });

  it('on 429 waits X-Rate-Limit-Reset measured against the response Date (+1 s) and retries', async () => {
    const { url, seen } = await serve((_q, res, n) => {
      if (n === 1) {
        const date = new Date('2030-01-01T00:00:00Z'); // server clock far from ours: only the difference counts
        json(res, 429, { errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.' }, {
          date: date.toUTCString(),
          'x-rate-limit-limit': '600',
          'x-rate-limit-remaining': '0',
          'x-rate-limit-reset': String(date.getTime() / 1000 + 5),
        });
      } else json(res, 200, { ok: true });
    });
    const { client, waits } = makeClient(url);
    const r = await client.getJson<{ ok: boolean }>('/api/v1/users');
    expect(r.body).toEqual({ ok: true });
    expect(seen).toHaveLength(2);
    expect(waits).toEqual([6000]);
  });

  it('honours a fractional Retry-After', async () => {
    const { url, seen } = await serve((_q, res, n) =>
      n === 1 ? json(res, 429, {}, { 'retry-after': '0.25' }) : json(res, 200, { ok: 1 }),
    );
    const { client, waits } = makeClient(url);
    await client.getJson('/v1.0/users');
    expect(seen).toHaveLength(2);
    expect(waits).toEqual([250]);
  });

  it('caps a rate-limit wait and gives up with a rate-limit error carrying retryAfterMs', async () => {
    const { url, seen } = await serve((_q, res) => json(res, 429, { errorCode: 'E0000047' }, { 'retry-after': '120' }));
    const { client, waits } = makeClient(url, { maxAttempts: 3, maxRateLimitWaitMs: 60_000 });
    const err = (await client.getJson('/api/v1/logs').catch((e) => e)) as ConnectorError;
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.kind).toBe('rate-limit');
    expect(err.details.retryAfterMs).toBe(120_000);
    expect(seen).toHaveLength(3);
    expect(waits).toEqual([60_000, 60_000]);
  });

  it('pauses before the next request of a family whose remaining budget is low', async () => {
    const date = new Date('2030-01-01T00:00:00Z');
    const { url, seen } = await serve((req, res) =>
      json(res, 200, [], {
        date: date.toUTCString(),
        'x-rate-limit-remaining': req.url!.startsWith('/api/v1/users') ? '1' : '50',
        'x-rate-limit-reset': String(date.getTime() / 1000 + 3),
      }),
    );
    const { client, waits } = makeClient(url);
    await client.getJson('/api/v1/users');
    await client.getJson('/api/v1/groups'); // another family: no pause
    expect(waits).toEqual([]);
    await client.getJson('/api/v1/users?after=x');
    expect(seen).toHaveLength(3);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(3000);
    expect(waits[0]).toBeLessThanOrEqual(4000);
  });

  it('retries 5xx within the attempt budget, then fails as transient', async () => {
    const { url, seen } = await serve((_q, res, n) =>
      n <= 2 ? json(res, 503, { errorCode: 'E0000009', errorSummary: 'Internal Server Error' }) : json(res, 200, { n }),
    );
    const { client, waits } = makeClient(url);
    expect((await client.getJson('/api/v1/groups')).body).toEqual({ n: 3 });
    expect(waits).toHaveLength(2);

    const always = await serve((_q, res) => json(res, 500, { errorCode: 'E0000009', errorSummary: 'Internal Server Error' }));
    const c2 = makeClient(always.url, { maxAttempts: 4 }).client;
    const err = (await c2.getJson('/api/v1/groups').catch((e) => e)) as ConnectorError;
    expect(err.kind).toBe('transient');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('E0000009');
    expect(always.seen).toHaveLength(4);
    expect(seen.length).toBe(3);
  });

  it('retries a malformed JSON body on 200', async () => {
    const { url, seen } = await serve((_q, res, n) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(n === 1 ? '[{"id":"u1"' : '[{"id":"u1"}]');
    });
    const { client } = makeClient(url);
    expect((await client.getJson('/api/v1/users')).body).toEqual([{ id: 'u1' }]);
    expect(seen).toHaveLength(2);
  });


  it('with pick, keeps only the named members of each element, and still retries a truncated body', async () => {
    const members = [
      { id: '00u1', type: { id: 'oty1' }, profile: { login: 'zoë@example.com', id: 'not-this' } },
      { id: '00u2', status: 'DEPROVISIONED', profile: { login: 'björn@example.com' } },
    ];
    const body = JSON.stringify(members);
    const { url, seen } = await serve((_q, res, n) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(n === 1 ? body.slice(0, body.length - 40) : body);
    });
    const { client } = makeClient(url);
    const res = await client.getJson('/api/v1/groups/00g1/users', { expectArray: true, pick: ['id'] });
    expect(res.body).toEqual([{ id: '00u1' }, { id: '00u2' }]);
    expect(seen).toHaveLength(2);
  });

  it('with pick, a body that is not an array of objects is reported as it would be without', async () => {
    const { url } = await serve((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"errorCode":"E0000000"}');
    });
    const { client } = makeClient(url, { maxAttempts: 1 });
    await expect(client.getJson('/api/v1/groups/00g1/users', { expectArray: true, pick: ['id'] })).rejects.toThrow(/a JSON object where a JSON array was expected/);
  });
  it('does not retry a 401 and names the fix without echoing the token', async () => {
    const { url, seen } = await serve((_q, res) =>
      json(res, 401, { errorCode: 'E0000011', errorSummary: 'Invalid token provided', errorLink: 'E0000011', errorId: 'x', errorCauses: [] }),
    );
    const { client } = makeClient(url);
    const err = (await client.getJson('/api/v1/users').catch((e) => e)) as ConnectorError;
    expect(err.kind).toBe('auth');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('Okta rejected the API token (E0000011 Invalid token provided)');
    expect(err.message).toContain('check config.apiToken');
    expect(err.message).toContain('test-okta');
    expect(err.message).not.toContain(TOKEN);
    expect(JSON.stringify(err.details)).not.toContain(TOKEN);
    expect(seen).toHaveLength(1);
  });

  it('maps 400 with its causes, 403 and 404 to their kinds without retrying', async () => {
    const { url, seen } = await serve((req, res) => {
      if (req.url!.startsWith('/bad'))
        json(res, 400, { errorCode: 'E0000001', errorSummary: 'Api validation failed: filter', errorCauses: [{ errorSummary: 'Invalid filter' }] });
      else if (req.url!.startsWith('/forbidden')) json(res, 403, { errorCode: 'E0000006', errorSummary: 'You do not have permission' });
      else json(res, 404, { errorCode: 'E0000007', errorSummary: 'Not found: Resource not found: x (User)' });
    });
    const { client } = makeClient(url);
    const bad = (await client.getJson('/bad').catch((e) => e)) as ConnectorError;
    expect(bad.kind).toBe('bad-request');
    expect(bad.message).toContain('E0000001 Api validation failed: filter: Invalid filter');
    const forbidden = (await client.getJson('/forbidden').catch((e) => e)) as ConnectorError;
    expect(forbidden.kind).toBe('forbidden');
    expect(forbidden.message).toContain('E0000006');
    const missing = (await client.getJson('/missing').catch((e) => e)) as ConnectorError;
    expect(missing.kind).toBe('not-found');
    expect(seen).toHaveLength(3);
  });

  it('refuses to follow a link to another origin (it would leak the credential)', async () => {
    const { url, seen } = await serve((_q, res) => json(res, 200, []));
    const { client } = makeClient(url);
    await expect(client.getJson('https://evil.example.com/api/v1/users?after=1')).rejects.toThrow(/refusing to follow/);
    expect(seen).toHaveLength(0);
  });

  it('reports a refused connection as a transient TCP failure after its retries', async () => {
    const { url } = await serve((_q, res) => json(res, 200, []));
    await new Promise<void>((r) => server!.close(() => r()));
    const { client, waits } = makeClient(url, { maxAttempts: 2 });
    const err = (await client.getJson('/api/v1/users').catch((e) => e)) as ConnectorError;
    expect(err.kind).toBe('transient');
    expect(err.details.step).toBe('tcp');
    expect(waits).toHaveLength(1);
  });
});

describe('Link header parsing', () => {
  it('reads separate header lines (Okta) and comma-joined lists', () => {
    const lines = ['<https://o.okta.com/api/v1/users?limit=200>; rel="self"', '<https://o.okta.com/api/v1/users?after=00u1&limit=200>; rel="next"'];
    expect(nextLink(lines)).toBe('https://o.okta.com/api/v1/users?after=00u1&limit=200');
    expect(nextLink(lines.join(', '))).toBe('https://o.okta.com/api/v1/users?after=00u1&limit=200');
    expect(findLink(lines, 'self')).toBe('https://o.okta.com/api/v1/users?limit=200');
  });

  it('keeps commas inside URLs and quoted parameters, and accepts several rels and unquoted rel', () => {
    const v = '<https://x/a?f=a,b>; title="one, two"; rel="prev next", <https://x/b>; rel=last';
    const links = parseLinkHeader(v);
    expect(links).toEqual([
      { url: 'https://x/a?f=a,b', rels: ['prev', 'next'], params: { title: 'one, two', rel: 'prev next' } },
      { url: 'https://x/b', rels: ['last'], params: { rel: 'last' } },
    ]);
    expect(nextLink(v)).toBe('https://x/a?f=a,b');
  });

  it('returns null when there is no next link', () => {
    expect(nextLink(undefined)).toBeNull();
    expect(nextLink('<https://x/a>; rel="self"')).toBeNull();
    expect(nextLink([])).toBeNull();
  });
});
