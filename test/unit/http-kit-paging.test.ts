// Every paging style of the HTTP kit against real local servers that page a fixed list of items
// their own way (short pages, empty pages, capped page sizes), plus the kit's rate-limit waits
// and the 403 rule. Waits are observed through the injected sleep, never spent.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient, type HttpClientOptions } from '../../connectors/http/client';
import { readPageOr403 } from '../../connectors/http/forbidden';
import { nextPage, paginate, type PagedList, type Page } from '../../connectors/http/paging';
import { ConnectorError } from '../../connectors/errors';

const servers: Server[] = [];
const clients: HttpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, n: number) => void;
async function serve(handler: Handler) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url!);
    handler(req, res, new URL(req.url!, 'http://h'), seen.length);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}
const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

function makeClient(url: string, extra: Partial<HttpClientOptions> = {}) {
  const waits: number[] = [];
  const c = new HttpClient({
    baseUrl: url,
    auth: { scheme: 'Bearer', token: 't' },
    label: 'rest connector "hr"',
    service: 'HR',
    credentialField: 'config.auth',
    backoffBaseMs: 1,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
  clients.push(c);
  return { client: c, waits };
}

const ITEMS = Array.from({ length: 11 }, (_, i) => ({ id: `u${i + 1}` }));
/** Page sizes the servers below use, in order: a short page in the middle, an empty page last. */
const PLAN = [4, 2, 4, 1, 0];
const slice = (page: number) => {
  const start = PLAN.slice(0, page).reduce((a, b) => a + b, 0);
  return ITEMS.slice(start, start + PLAN[page]!);
};

async function readAll(client: HttpClient, list: PagedList) {
  const pages: Page<{ id: string }>[] = [];
  for await (const p of paginate<{ id: string }>(client, list)) pages.push(p);
  return pages;
}
const ids = (pages: Page<{ id: string }>[]) => pages.flatMap((p) => p.items.map((i) => i.id));

describe('paging styles read every item exactly once', () => {
  it('Link rel="next", resumable from a cursor string on another client', async () => {
    let base = '';
    const { url, seen } = await serve((_q, res, u) => {
      const page = Number(u.searchParams.get('page') ?? 0);
      json(res, 200, slice(page), page + 1 < PLAN.length ? { link: `<${base}/users?page=${page + 1}&limit=4>; rel="next"` } : {});
    });
    base = url;
    const list: PagedList = { path: '/users', query: { limit: 4 }, paging: { style: 'link' }, resource: 'users' };
    const { client } = makeClient(url);
    const pages = await readAll(client, list);
    expect(ids(pages)).toEqual(ITEMS.map((i) => i.id));
    expect(pages.map((p) => p.items.length)).toEqual(PLAN);
    expect(seen).toHaveLength(PLAN.length);

    // A cursor is a plain string: a fresh client (another worker) resumes from it.
    const second = await nextPage(client, list, null);
    const other = makeClient(url).client;
    const rest: string[] = [];
    let cursor = second.nextCursor;
    while (cursor) {
      const p = await nextPage<{ id: string }>(other, list, JSON.parse(JSON.stringify(cursor)) as string);
      rest.push(...p.items.map((i) => i.id));
      cursor = p.nextCursor;
    }
    expect([...second.items.map((i) => (i as { id: string }).id), ...rest]).toEqual(ITEMS.map((i) => i.id));
  });

  it('cursor token at a JSON path (meta.next_cursor)', async () => {
    const { url, seen } = await serve((_q, res, u) => {
      const page = Number(u.searchParams.get('cursor')?.replace('c', '') ?? 0);
      json(res, 200, { data: slice(page), meta: { next_cursor: page + 1 < PLAN.length ? `c${page + 1}` : null } });
    });
    const pages = await readAll(makeClient(url).client, { path: '/workers', query: { q: 'x' }, paging: { style: 'cursor', cursorPath: 'meta.next_cursor', param: 'cursor' } });
    expect(ids(pages)).toEqual(ITEMS.map((i) => i.id));
    expect(new URL(seen[2]!, url).searchParams.get('q')).toBe('x');
    expect(new URL(seen[2]!, url).searchParams.get('cursor')).toBe('c2');
  });

  it('offset/limit with a total, from a server that caps the page size below the limit', async () => {
    const { url, seen } = await serve((_q, res, u) => {
      const offset = Number(u.searchParams.get('offset'));
      const limit = Math.min(Number(u.searchParams.get('limit')), 3); // capped: every page is "short"
      json(res, 200, { data: ITEMS.slice(offset, offset + limit), total: ITEMS.length });
    });
    const pages = await readAll(makeClient(url).client, { path: '/workers', paging: { style: 'offset', limit: 5, totalPath: 'total' } });
    expect(ids(pages)).toEqual(ITEMS.map((i) => i.id));
    expect(pages.map((p) => p.items.length)).toEqual([3, 3, 3, 2]);
    expect(seen.map((s) => new URL(s, url).searchParams.get('offset'))).toEqual(['0', '3', '6', '9']);
    expect(pages[0]!.total).toBe(11);
  });

  it('offset/limit without a total reads on past a short page until an empty one', async () => {
    const pageAt = new Map(PLAN.map((_, i) => [PLAN.slice(0, i).reduce((a, b) => a + b, 0), i]));
    const { url, seen } = await serve((_q, res, u) => {
      const page = pageAt.get(Number(u.searchParams.get('offset')));
      json(res, 200, { data: page === undefined ? [] : slice(page) });
    });
    const pages = await readAll(makeClient(url).client, { path: '/workers', paging: { style: 'offset', limit: 4 } });
    expect(ids(pages)).toEqual(ITEMS.map((i) => i.id));
    expect(pages.at(-1)!.items).toEqual([]);
    expect(seen).toHaveLength(PLAN.length);
  });

  it('SCIM startIndex/count advances by the items returned when the server returns fewer than count', async () => {
    const { url, seen } = await serve((_q, res, u) => {
      const start = Number(u.searchParams.get('startIndex'));
      const count = Math.min(Number(u.searchParams.get('count')), start === 1 ? 4 : 2); // fewer than asked
      const Resources = ITEMS.slice(start - 1, start - 1 + count);
      res.writeHead(200, { 'content-type': 'application/scim+json' });
      res.end(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: ITEMS.length, startIndex: start, itemsPerPage: Resources.length, Resources }));
    });
    const pages = await readAll(makeClient(url).client, { path: '/scim/v2/Users', query: { filter: 'active eq true' }, paging: { style: 'startIndex', count: 5 } });
    expect(ids(pages)).toEqual(ITEMS.map((i) => i.id));
    expect(seen.map((s) => new URL(s, url).searchParams.get('startIndex'))).toEqual(['1', '5', '7', '9', '11']);
    expect(seen.every((s) => new URL(s, url).searchParams.get('count') === '5')).toBe(true);
  });

  it('SCIM ends on an empty page when totalResults overstates the list (objects deleted mid-read)', async () => {
    const { url, seen } = await serve((_q, res, u) => {
      const start = Number(u.searchParams.get('startIndex'));
      const page = ITEMS.slice(start - 1, start - 1 + 5);
      // An empty page may omit Resources altogether.
      json(res, 200, { totalResults: 20, startIndex: start, itemsPerPage: page.length, ...(page.length ? { Resources: page } : {}) });
    });
    const pages = await readAll(makeClient(url).client, { path: '/scim/v2/Groups', paging: { style: 'startIndex', count: 5 } });
    expect(ids(pages)).toEqual(ITEMS.map((i) => i.id));
    expect(pages.map((p) => p.items.length)).toEqual([5, 5, 1, 0]);
    expect(seen).toHaveLength(4);
  });

  it('@odata.nextLink through empty pages, with the final @odata.deltaLink', async () => {
    let base = '';
    const { url } = await serve((_q, res, u) => {
      const page = Number(u.searchParams.get('$skiptoken') ?? 0);
      const more = page + 1 < PLAN.length;
      json(res, 200, {
        '@odata.context': `${base}/v1.0/$metadata#users`,
        value: slice(page),
        ...(more ? { '@odata.nextLink': `${base}/v1.0/users/delta?$skiptoken=${page + 1}` } : { '@odata.deltaLink': `${base}/v1.0/users/delta?$deltatoken=D1` }),
      });
    });
    base = url;
    const pages = await readAll(makeClient(url).client, { path: '/v1.0/users/delta', paging: { style: 'odata' } });
    expect(ids(pages)).toEqual(ITEMS.map((i) => i.id));
    expect(pages.slice(0, -1).every((p) => p.deltaLink === undefined)).toBe(true);
    expect(pages.at(-1)!.deltaLink).toBe(`${url}/v1.0/users/delta?$deltatoken=D1`);
  });

  it('refuses a cursor the server hands back unchanged, as a lost page', async () => {
    const { url, seen } = await serve((_q, res) => json(res, 200, { data: [{ id: 'a' }], meta: { next: 'same' } }));
    const list: PagedList = { path: '/w', paging: { style: 'cursor', cursorPath: 'meta.next', param: 'after' }, resource: 'workers' };
    const { client } = makeClient(url);
    const first = await nextPage(client, list, null);
    const err = (await nextPage(client, list, first.nextCursor).catch((e) => e)) as ConnectorError;
    expect(err.details.step).toBe('body');
    expect(err.message).toContain('workers');
    expect(seen).toHaveLength(2);
  });

  it('retries a page whose items are not an array, then reports a lost page', async () => {
    const { url, seen } = await serve((_q, res, _u, n) => json(res, 200, n === 1 ? { value: 'oops' } : { value: [{ id: 'x' }] }));
    const { client } = makeClient(url);
    expect((await nextPage(client, { path: '/v1.0/groups', paging: { style: 'odata' } }, null)).items).toEqual([{ id: 'x' }]);
    expect(seen).toHaveLength(2);
    const bad = await serve((_q, res) => json(res, 200, { value: { id: 'x' } }));
    const err = (await nextPage(makeClient(bad.url, { maxAttempts: 2 }).client, { path: '/v1.0/groups', paging: { style: 'odata' } }, null).catch((e) => e)) as ConnectorError;
    expect(err.details.step).toBe('body');
    expect(err.message).toContain('no JSON array at "value"');
  });
});

describe('rate limits while paging', () => {
  it('waits a Retry-After HTTP date measured against the response Date, then continues', async () => {
    const { url, seen } = await serve((_q, res, u, n) => {
      if (n === 2) {
        const date = new Date('2031-05-01T10:00:00Z');
        return json(res, 429, { error: { code: 'TooManyRequests', message: 'slow down' } }, { date: date.toUTCString(), 'retry-after': new Date(date.getTime() + 7000).toUTCString() });
      }
      const page = Number(u.searchParams.get('$skiptoken') ?? 0);
      json(res, 200, { value: slice(page), ...(page + 1 < PLAN.length ? { '@odata.nextLink': `/v1.0/users?$skiptoken=${page + 1}` } : {}) });
    });
    const { client, waits } = makeClient(url);
    const pages = await readAll(client, { path: '/v1.0/users', paging: { style: 'odata' } });
    expect(ids(pages)).toEqual(ITEMS.map((i) => i.id));
    expect(waits).toEqual([7000]);
    expect(seen[1]).toBe(seen[2]); // the refused page is asked again, not skipped
  });

  it('waits X-Rate-Limit-Reset (epoch seconds, against Date, +1 s) and surfaces retryAfterMs when it gives up', async () => {
    const date = new Date('2031-05-01T10:00:00Z');
    const limited = { date: date.toUTCString(), 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(date.getTime() / 1000 + 4) };
    const { url } = await serve((_q, res, _u, n) => (n === 1 ? json(res, 429, { errorCode: 'E0000047' }, limited) : json(res, 200, [{ id: 'a' }])));
    const { client, waits } = makeClient(url);
    expect((await nextPage(client, { path: '/api/v1/users', paging: { style: 'link' } }, null)).items).toEqual([{ id: 'a' }]);
    expect(waits).toEqual([5000]);

    const always = await serve((_q, res) => json(res, 429, { errorCode: 'E0000047' }, limited));
    const c2 = makeClient(always.url, { maxAttempts: 2 });
    const err = (await nextPage(c2.client, { path: '/api/v1/users', paging: { style: 'link' } }, null).catch((e) => e)) as ConnectorError;
    expect(err.kind).toBe('rate-limit');
    expect(err.details.retryAfterMs).toBe(5000);
    expect(c2.waits).toEqual([5000]);
  });

  it('paces per bucket: a connector-named bucket shares one budget across paths', async () => {
    const date = new Date('2031-05-01T10:00:00Z');
    const { url } = await serve((req, res) =>
      json(res, 200, [], {
        date: date.toUTCString(),
        'x-rate-limit-remaining': req.url!.startsWith('/a') ? '0' : '100',
        'x-rate-limit-reset': String(date.getTime() / 1000 + 2),
      }),
    );
    const byPath = makeClient(url);
    await byPath.client.getJson('/a/1');
    await byPath.client.getJson('/b/1'); // another family by default: no pause
    expect(byPath.waits).toEqual([]);

    const tenant = makeClient(url, { bucketOf: () => 'tenant' });
    await tenant.client.getJson('/a/1');
    await tenant.client.getJson('/b/1'); // same bucket: waits out the window /a exhausted
    expect(tenant.waits).toHaveLength(1);
    expect(tenant.waits[0]).toBeGreaterThan(2000);
    expect(tenant.waits[0]).toBeLessThanOrEqual(3000);
  });
});

describe('the 403 rule', () => {
  const list: PagedList = { path: '/scim/v2/Groups', paging: { style: 'startIndex', count: 100 }, resource: 'groups' };
  const read = (client: HttpClient) =>
    readPageOr403('groups', async () => {
      const p = await nextPage<{ id: string }>(client, list, null);
      return { records: p.items.map((i) => ({ type: 'object' as const, resource: 'groups', id: i.id, raw: i })), nextCursor: p.nextCursor, warnings: [] };
    });

  it('turns a 403 into an incomplete read naming the resource and the scope the server names', async () => {
    const { url, seen } = await serve((_q, res) =>
      json(res, 403, { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '403', detail: 'Insufficient scope' }, {
        'www-authenticate': 'Bearer error="insufficient_scope", scope="groups.read"',
      }),
    );
    const r = await read(makeClient(url).client);
    expect(r.records).toEqual([]);
    expect(r.nextCursor).toBeNull();
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]!.incomplete).toBe(true);
    expect(r.warnings[0]!.resource).toBe('groups');
    expect(r.warnings[0]!.message).toContain('/scim/v2/Groups');
    expect(r.warnings[0]!.message).toContain('groups.read');
    expect(seen).toHaveLength(1); // a 403 is not retried
  });

  it('quotes the vendor reason when no scope is named, and leaves other errors to the caller', async () => {
    const { url } = await serve((_q, res) => json(res, 403, { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } }));
    const r = await read(makeClient(url).client);
    expect(r.warnings[0]!.message).toContain('Authorization_RequestDenied');
    expect(r.warnings[0]!.message).toContain('Insufficient privileges');

    const broken = await serve((_q, res) => json(res, 500, {}));
    await expect(read(makeClient(broken.url, { maxAttempts: 1 }).client)).rejects.toMatchObject({ kind: 'transient' });
    const fine = await serve((_q, res) => json(res, 200, { totalResults: 1, Resources: [{ id: 'g1' }] }));
    expect(await read(makeClient(fine.url).client)).toMatchObject({ records: [{ id: 'g1' }], nextCursor: null, warnings: [] });
  });
});

describe('requests with a body (writes)', () => {
  it('sends JSON with the given content type and does not repeat a POST the server failed', async () => {
    const bodies: string[] = [];
    const { url, seen } = await serve((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        bodies.push(`${req.method} ${req.headers['content-type']} ${b}`);
        json(res, 500, { status: '500', detail: 'db down' });
      });
    });
    const { client, waits } = makeClient(url);
    const err = (await client.request('POST', '/scim/v2/Users', { body: { userName: 'a@x' }, contentType: 'application/scim+json' }).catch((e) => e)) as ConnectorError;
    expect(err.kind).toBe('transient');
    expect(err.message).toContain('db down');
    expect(seen).toHaveLength(1);
    expect(waits).toEqual([]);
    expect(bodies).toEqual(['POST application/scim+json {"userName":"a@x"}']);
    // PUT is idempotent: retried within the attempt budget.
    await client.request('PUT', '/scim/v2/Users/1', { body: {} }).catch(() => null);
    expect(seen).toHaveLength(5);
  });
});
