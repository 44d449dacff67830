// The HTTP front: auth, rate limits, 403 knob, latency and faults around the route table, with
// the headers every Okta response carries.

import { text as readBody } from 'node:stream/consumers';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { badBody, badMethod, errorBody, forbidden, invalidToken, notFound, OktaApiError, rateLimited, serverError } from './errors';
import { generateOrg } from './generate';
import { HookDispatcher } from './hooks';
import { DEFAULT_KNOBS, DEFAULTS, parseKnobs, type KnobUpdate, type OktaEmulatorOptions } from './options';
import { createRng } from './random';
import { matchRoute, type ApiResponse, type Route, type RouteContext } from './router';
import { appRoutes } from './routes/apps';
import { handleControl } from './routes/control';
import { eventHookRoutes } from './routes/eventHooks';
import { groupRoutes } from './routes/groups';
import { logRoutes } from './routes/logs';
import { schemaRoutes } from './routes/schemas';
import { userRoutes } from './routes/users';
import type { OktaState } from './state';
import { familyOf, Traffic } from './traffic';

export interface OktaEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
  /** The in-memory org, for tests. */
  state: OktaState;
  setKnobs(k: KnobUpdate): void;
}

/** A request held by the 'timeout' fault is dropped after this long if the client has not given up. */
const HOLD_MS = 30_000;

export async function startOktaEmulator(opts: OktaEmulatorOptions = {}): Promise<OktaEmulator> {
  const seed = opts.seed ?? DEFAULTS.seed;
  const state = generateOrg({
    users: opts.users ?? DEFAULTS.users,
    groups: opts.groups ?? DEFAULTS.groups,
    apps: opts.apps ?? DEFAULTS.apps,
    seed,
    membershipsPerGroup: opts.membershipsPerGroup ?? DEFAULTS.membershipsPerGroup,
  });
  const token = opts.apiToken ?? DEFAULTS.apiToken;
  const traffic = new Traffic({ ...DEFAULT_KNOBS }, seed);
  const setKnobs = (k: KnobUpdate) => traffic.setKnobs(parseKnobs(k));
  setKnobs({
    rateLimitPerMinute: opts.rateLimitPerMinute,
    rateLimits: opts.rateLimits,
    rateLimitWindowSeconds: opts.rateLimitWindowSeconds,
    faultRate: opts.faultRate,
    faultKinds: opts.faultKinds,
    latencyMs: opts.latencyMs,
    forbidden: opts.forbidden,
    forbiddenIds: opts.forbiddenIds,
    pageFaults: opts.pageFaults,
    logRetentionDays: opts.logRetentionDays,
  } satisfies KnobUpdate);

  let origin = '';
  const hooks = new HookDispatcher(state, () => origin);
  const ctx: RouteContext = { state, hooks, knobs: () => traffic.knobs };
  const routes: Route[] = [...userRoutes(ctx), ...groupRoutes(ctx), ...appRoutes(ctx), ...logRoutes(ctx), ...eventHookRoutes(ctx), ...schemaRoutes(ctx)];
  const errorRng = createRng(seed ^ 0x68e31da4);
  const held = new Set<NodeJS.Timeout>();

  const sendError = (res: ServerResponse, e: OktaApiError) => {
    res.writeHead(e.status);
    res.end(JSON.stringify(errorBody(e, errorRng)));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.setHeader('X-Okta-Request-Id', randomBytes(15).toString('base64url'));
    res.setHeader('Content-Type', 'application/json');
    const base = req.headers.host ? `http://${req.headers.host}` : origin;
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    const raw = await readBody(req);

    const auth = req.headers.authorization ?? '';
    if (auth !== `SSWS ${token}` && auth !== `Bearer ${token}`) return sendError(res, invalidToken());
    let body: Record<string, unknown> | undefined;
    if (raw.length) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return sendError(res, badBody());
      }
    }
    if (url.pathname.startsWith('/__emulator/')) {
      return handleControl({ state, traffic, hooks, setKnobs }, method, url.pathname, body, base, res);
    }

    const family = familyOf(url.pathname);
    const rate = traffic.consume(family, url.pathname);
    for (const [k, v] of Object.entries(rate.headers)) res.setHeader(k, v);
    if (traffic.isForbidden(family) || (method === 'GET' && traffic.isForbiddenObject(url.pathname))) {
      traffic.stats.forbidden++;
      return sendError(res, forbidden());
    }
    // Reads are what a sync makes; writes come from tests and tools, which must not be refused.
    const read = method === 'GET';
    if (read && rate.exceeded) {
      traffic.refused(family, url.pathname);
      return sendError(res, rateLimited());
    }
    if (traffic.knobs.latencyMs > 0) await new Promise((r) => setTimeout(r, traffic.knobs.latencyMs));
    const pageFault = read ? traffic.pageFault(url.pathname, url.searchParams.has('after')) : null;
    if (pageFault === '404') return sendError(res, notFound(url.searchParams.get('after') ?? '', 'Page'));
    if (pageFault === '410') return sendError(res, new OktaApiError(410, 'E0000007', 'Not found: the page cursor has expired'));
    if (pageFault === 'empty-next') {
      // Okta may answer an empty page that still links onward; this one links to itself.
      res.setHeader('Link', [`<${base}${url.pathname}${url.search}>; rel="self"`, `<${base}${url.pathname}${url.search}>; rel="next"`]);
      res.writeHead(200);
      return void res.end('[]');
    }
    const fault = read && url.pathname.startsWith('/api/v1/') ? traffic.pickFault() : null;
    if (fault === '5xx') return sendError(res, serverError());
    if (fault === '429') {
      res.setHeader('X-Rate-Limit-Remaining', '0');
      return sendError(res, rateLimited());
    }
    if (fault === 'timeout') {
      const timer = setTimeout(() => {
        held.delete(timer);
        req.socket.destroy();
      }, HOLD_MS);
      held.add(timer);
      req.socket.once('close', () => {
        clearTimeout(timer);
        held.delete(timer);
      });
      return;
    }

    const match = matchRoute(routes, method, url.pathname);
    if (match === null) return sendError(res, notFound(url.pathname, 'Path'));
    if (match === 'method-not-allowed') return sendError(res, badMethod());
    let reply: ApiResponse;
    try {
      reply = await match.route.handler({
        method,
        url,
        params: match.params,
        body,
        base,
        info: {
          requestId: String(res.getHeader('X-Okta-Request-Id')),
          uri: req.url ?? '/',
          userAgent: req.headers['user-agent'] ?? '',
          ip: req.socket.remoteAddress ?? '127.0.0.1',
        },
      });
    } catch (e) {
      if (e instanceof OktaApiError) return sendError(res, e);
      throw e;
    }
    if (reply.links?.length) res.setHeader('Link', reply.links);
    res.writeHead(reply.status);
    if (reply.status === 204 || reply.body === undefined) return void res.end();
    const text = pageFault === 'not-array' && reply.status === 200 ? JSON.stringify({ items: reply.body }) : JSON.stringify(reply.body);
    // A cut-off body with a 200: what a client sees when a proxy drops the connection mid-stream.
    const cut = (fault === 'malformed' || pageFault === 'truncated') && reply.status === 200;
    res.end(cut ? text.slice(0, Math.floor(text.length / 2)) : text);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendError(res, serverError());
      else res.destroy();
      console.error('okta emulator: request failed', e);
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  const host = opts.host ?? DEFAULTS.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;

  return {
    url: origin,
    port,
    state,
    setKnobs,
    async close() {
      for (const t of held) clearTimeout(t);
      held.clear();
      await hooks.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

