// A small configurable REST API for the generic REST connector's tests: people and teams with
// members, one paging style per server (Link header, cursor in the body, offset/limit, page
// numbers), one auth style, change selection by `updated_since` / `version_since` (at or after
// the value), and faults (403 on chosen paths, 429 with Retry-After). Lists are in id order, so
// an update never moves a record between pages.
//
// GET /api/people, /api/people/{id}, /api/teams, /api/teams/{id}, /api/teams/{id}/members;
// POST /oauth/token. Lists answer {data: {items}, meta: {total, pages?, next?}}; one object
// {data: {...}}; errors {error: {code, message}}.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { RestData } from './data';
import { DEFAULT_REST_TOKEN, DELTA_PARAMS, type RestFaults, type RestPagingStyle, type RestServerAuth, type RestServerOptions } from './options';

export interface RestRecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

export interface RestServer {
  /** http://127.0.0.1:PORT */
  url: string;
  tokenUrl: string;
  port: number;
  data: RestData;
  paging: RestPagingStyle;
  /** Every request answered, oldest first (clear with requests.length = 0). */
  requests: RestRecordedRequest[];
  setFaults(f: RestFaults): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

export async function startRestServer(o: RestServerOptions = {}): Promise<RestServer> {
  const data = new RestData();
  data.seed(o.people ?? 0, o.teams ?? 0);
  const paging = o.paging ?? 'link';
  const maxPage = o.maxPageSize ?? 50;
  const auth: RestServerAuth = o.auth ?? { type: 'bearer', token: DEFAULT_REST_TOKEN };
  let faults: RestFaults = o.faults ?? {};
  let served = 0;
  const requests: RestRecordedRequest[] = [];
  const tokens = new Map<string, number>();
  const sockets = new Set<Socket>();

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) => send(res, status, { error: { code, message } }, headers);

  function authorized(req: IncomingMessage, url: URL): boolean {
    const header = req.headers.authorization ?? '';
    switch (auth.type) {
      case 'none':
        return true;
      case 'bearer':
        return header === `Bearer ${auth.token}`;
      case 'basic':
        return header === `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
      case 'apiKey':
        return auth.in === 'header' ? req.headers[auth.name.toLowerCase()] === auth.value : url.searchParams.get(auth.name) === auth.value;
      case 'oauth': {
        const expires = tokens.get(header.replace(/^Bearer /, ''));
        return expires !== undefined && expires > Date.now();
      }
    }
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (auth.type !== 'oauth') return fail(res, 404, 'not_found', 'no token endpoint');
    let body = '';
    for await (const chunk of req) body += chunk;
    const form = new URLSearchParams(body);
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (basic) [id, secret] = Buffer.from(basic[1]!, 'base64').toString().split(':').map(decodeURIComponent) as [string, string];
    if (form.get('grant_type') !== 'client_credentials') return send(res, 400, { error: 'unsupported_grant_type' });
    if (id !== auth.clientId || secret !== auth.clientSecret) return send(res, 401, { error: 'invalid_client', error_description: 'unknown client or wrong secret' });
    const ttl = auth.tokenTtlSeconds ?? 3600;
    const t = randomBytes(16).toString('hex');
    tokens.set(t, Date.now() + ttl * 1000);
    send(res, 200, { access_token: t, token_type: 'Bearer', expires_in: ttl });
  }

  /** Records at or after the delta parameters, in id order. */
  function selected<T extends { id: string; meta: { updated: string; version: number } }>(all: Iterable<T>, url: URL): T[] | string {
    const since = url.searchParams.get(DELTA_PARAMS.updated);
    const version = url.searchParams.get(DELTA_PARAMS.version);
    const sinceMs = since === null ? null : Date.parse(since);
    if (sinceMs !== null && !Number.isFinite(sinceMs)) return `${DELTA_PARAMS.updated} must be an ISO-8601 time`;
    if (version !== null && !/^\d+$/.test(version)) return `${DELTA_PARAMS.version} must be a whole number`;
    return [...all]
      .filter((r) => (sinceMs === null || Date.parse(r.meta.updated) >= sinceMs) && (version === null || r.meta.version >= Number(version)))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** One page of `items` in this server's style (400 for bad paging parameters; 403 for a page
   *  `pageNo` refuses). */
  function page(res: ServerResponse, url: URL, items: unknown[], pageNo: (p: number) => boolean): void {
    const int = (name: string, dflt: number) => {
      const v = url.searchParams.get(name);
      return v === null ? dflt : /^\d+$/.test(v) ? Number(v) : NaN;
    };
    const next = new URL(url);
    let start: number;
    let size: number;
    const meta: Json = { total: items.length };
    if (paging === 'offset') {
      start = int('offset', 0);
      size = Math.min(int('limit', 20), maxPage);
    } else if (paging === 'page') {
      size = Math.min(int('per_page', 20), maxPage);
      start = (int('page', 1) - 1) * size;
      meta.pages = Math.ceil(items.length / size);
    } else {
      size = Math.min(int('limit', 20), maxPage);
      const after = paging === 'link' ? url.searchParams.get('after') : url.searchParams.get('cursor') && Buffer.from(url.searchParams.get('cursor')!, 'base64url').toString();
      start = after ? items.findIndex((r) => (r as { id: string }).id > after) : 0;
      if (start < 0) start = items.length;
    }
    if (!Number.isFinite(start) || !Number.isFinite(size) || size < 1 || start < 0) return fail(res, 400, 'bad_paging', 'paging parameters must be whole numbers (size at least 1)');
    if (!pageNo(Math.floor(start / size) + 1)) return fail(res, 403, 'forbidden', 'this token may not read that page', { 'www-authenticate': 'Bearer error="insufficient_scope", scope="directory:read"' });
    const slice = items.slice(start, start + size);
    const more = start + slice.length < items.length && slice.length > 0;
    const headers: Record<string, string> = {};
    if (more && paging === 'link') {
      next.searchParams.set('after', (slice.at(-1) as { id: string }).id);
      next.searchParams.set('limit', String(size));
      headers.link = `<${next.pathname}${next.search}>; rel="next"`;
    }
    if (more && paging === 'cursor') meta.next = Buffer.from((slice.at(-1) as { id: string }).id).toString('base64url');
    send(res, 200, { data: { items: slice }, meta }, headers);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method === 'POST' && url.pathname === '/oauth/token') return token(req, res);
    const every = faults.rateLimit?.every ?? 0;
    if (every > 0 && ++served % every === 0) return fail(res, 429, 'rate_limited', 'slow down', { 'retry-after': String(faults.rateLimit!.retryAfterSeconds) });
    if (!authorized(req, url)) return fail(res, 401, 'unauthorized', 'missing or wrong credentials', { 'www-authenticate': 'Bearer' });
    if (req.method !== 'GET') return fail(res, 405, 'method_not_allowed', 'this API is read-only');
    const denied = (faults.forbidden ?? []).filter((d) => url.pathname.startsWith(d.prefix));
    const allowPage = (n: number) => denied.every((d) => n < (d.fromPage ?? 1));
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== 'api') return fail(res, 404, 'not_found', 'no such endpoint');
    const [, kind, id, sub] = parts;
    if (kind === 'people' || kind === 'teams') {
      const map: Map<string, { id: string; meta: { updated: string; version: number } }> = kind === 'people' ? data.people : data.teams;
      if (id === undefined) {
        const items = selected(map.values(), url);
        if (typeof items === 'string') return fail(res, 400, 'bad_request', items);
        return page(res, url, items.map((r) => structuredClone(r)), allowPage);
      }
      if (!allowPage(1)) return fail(res, 403, 'forbidden', 'this token may not read it', { 'www-authenticate': 'Bearer error="insufficient_scope", scope="directory:read"' });
      const rec = map.get(id);
      if (!rec) return fail(res, 404, 'not_found', `no ${kind === 'people' ? 'person' : 'team'} ${id}`);
      if (sub === undefined) return send(res, 200, { data: rec });
      if (kind === 'teams' && sub === 'members' && parts.length === 4) {
        return page(res, url, data.memberIds(id).map((pid) => ({ id: pid, type: 'person' })), allowPage);
      }
    }
    return fail(res, 404, 'not_found', 'no such endpoint');
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://rest.invalid');
    const done = () => requests.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: res.statusCode });
    res.on('finish', done);
    handle(req, res, url).catch((err: Error) => fail(res, 500, 'internal', err.message));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, o.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://${o.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    tokenUrl: `${url}/oauth/token`,
    port,
    data,
    paging,
    requests,
    setFaults(f) {
      faults = f;
      served = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
