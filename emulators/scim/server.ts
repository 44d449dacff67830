// The HTTP front of the SCIM server: express with scimmy-routers under /scim/v2, and around it
// what scimmy leaves to the application — latency, rate limits, feature flags, per-server
// discovery, absolute locations, ETag headers and the real totalResults of a page.

import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';
import { Authenticator } from './auth';
import { resolveOptions, type ScimFeatures, type ScimServerOptions } from './options';
import { declareResources, groupToScim, userToScim, type RequestContext } from './resources';
import { seedDirectory, type SeedGroup, type SeedResult, type SeedUser } from './seed';
import { ScimStore, type ScimDoc } from './store';

export const SCIM_PATH = '/scim/v2';

export interface RecordedRequest {
  method: string;
  /** Path below the SCIM base, e.g. /Users/abc */
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  status: number;
  ifMatch?: string;
}

export interface ScimServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** url + /scim/v2: the SCIM base URL clients are configured with. */
  baseUrl: string;
  /** url + /oauth/token (answers only when auth.type is oauth). */
  tokenUrl: string;
  port: number;
  store: ScimStore;
  db: ScimStore['db'];
  /** Every request answered, oldest first (clear with requests.length = 0). */
  requests: RecordedRequest[];
  features: ScimFeatures;
  auth: Authenticator;
  /** Change flags, rate limit or latency while running. */
  configure(c: { features?: Partial<ScimFeatures>; rateLimit?: { requests: number; windowMs?: number } | null; latencyMs?: number }): void;
  seed(users: SeedUser[], groups?: SeedGroup[]): SeedResult;
  getUser(id: string): ScimDoc | undefined;
  userByName(userName: string): ScimDoc | undefined;
  getGroup(id: string): ScimDoc | undefined;
  groupByName(displayName: string): ScimDoc | undefined;
  /** Member ids of a group, in insertion order. */
  memberIds(groupId: string): string[];
  counts(): { users: number; groups: number; memberships: number };
  close(): Promise<void>;
}

export async function startScimServer(opts: ScimServerOptions = {}): Promise<ScimServer> {
  const o = resolveOptions(opts);
  declareResources();
  const store = new ScimStore(o.dbPath);
  const auth = new Authenticator(o.auth);
  const features = { ...o.features };
  let rateLimit = o.rateLimit;
  let latencyMs = o.latencyMs;
  let window = { start: Date.now(), used: 0 };
  const requests: RecordedRequest[] = [];
  let origin = '';

  const context = (method = 'GET', ifMatch?: string): RequestContext => ({
    store,
    features,
    baseUrl: origin + SCIM_PATH,
    method,
    ifMatch,
    defaultCount: o.defaultCount,
    maxResults: o.maxResults,
  });

  const app = express();
  app.disable('x-powered-by');
  // The only ETag is the resource version (meta.version); express's body hash would pass for one.
  app.set('etag', false);

  app.use((req, res, next) => {
    // Routers rewrite req.url while they run; originalUrl is the path as the client sent it.
    const path = new URL(req.originalUrl, 'http://scim.invalid').pathname;
    res.on('finish', () => {
      if (!path.startsWith(SCIM_PATH)) return;
      requests.push({
        method: req.method,
        path: path.slice(SCIM_PATH.length),
        query: { ...req.query },
        body: req.body as unknown,
        status: res.statusCode,
        ...(req.header('if-match') ? { ifMatch: req.header('if-match') } : {}),
      });
    });
    next();
  });

  app.use((req, res, next) => {
    if (latencyMs > 0) setTimeout(next, latencyMs);
    else next();
  });

  app.use((req, res, next) => {
    if (!rateLimit) return next();
    const now = Date.now();
    if (now - window.start >= rateLimit.windowMs) window = { start: now, used: 0 };
    if (window.used < rateLimit.requests) {
      window.used += 1;
      return next();
    }
    const retryAfter = Math.max(1, Math.ceil((window.start + rateLimit.windowMs - now) / 1000));
    res.status(429).setHeader('Retry-After', String(retryAfter));
    res.type('application/scim+json').send(JSON.stringify(scimError(429, `rate limit of ${rateLimit.requests} requests per ${rateLimit.windowMs} ms exceeded`)));
  });

  app.post('/oauth/token', express.urlencoded({ extended: false }), express.json(), (req, res) => auth.token(req, res));

  const scim = express.Router();
  scim.use((req, res, next) => {
    const ctx = context(req.method, req.header('if-match'));
    res.locals.scim = ctx;
    shapeResponses(res, ctx, () => origin);
    next();
  });
  scim.use(featureGates(features));
  scim.use(
    new SCIMMYRouters({
      type: auth.schemeType,
      handler: (req) => auth.check(req),
      context: (req) => (req.res as Response).locals.scim as RequestContext,
    }) as unknown as express.Router,
  );
  // ServiceProviderConfig is per server here, scimmy's Config is per process: answer it before the router.
  app.get(`${SCIM_PATH}/ServiceProviderConfig`, (req, res) => {
    try {
      auth.check(req);
    } catch (e) {
      res.status(401).type('application/scim+json').send(JSON.stringify(scimError(401, (e as Error).message)));
      return;
    }
    const doc = new SCIMMY.Schemas.ServiceProviderConfig(
      {
        patch: { supported: features.patch },
        bulk: { supported: features.bulk, maxOperations: features.bulk ? 1000 : 0, maxPayloadSize: 1_048_576 },
        filter: { supported: features.filter, maxResults: o.maxResults },
        changePassword: { supported: false },
        sort: { supported: false },
        etag: { supported: features.etag },
        authenticationSchemes: [authScheme(auth.schemeType)],
      },
      `${SCIM_PATH}`,
    );
    const body = JSON.parse(JSON.stringify(doc)) as ScimDoc;
    absolutize(body, origin);
    res.type('application/scim+json').send(JSON.stringify(body));
  });
  app.use(SCIM_PATH, scim);

  const server: Server = createServer(app);
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${o.host}:${port}`;

  const ctx = () => context();
  return {
    url: origin,
    baseUrl: origin + SCIM_PATH,
    tokenUrl: `${origin}/oauth/token`,
    port,
    store,
    db: store.db,
    requests,
    features,
    auth,
    configure(c) {
      if (c.features) Object.assign(features, c.features);
      if (c.rateLimit !== undefined) {
        rateLimit = c.rateLimit && c.rateLimit.requests > 0 ? { requests: c.rateLimit.requests, windowMs: c.rateLimit.windowMs ?? 60_000 } : undefined;
        window = { start: Date.now(), used: 0 };
      }
      if (c.latencyMs !== undefined) latencyMs = c.latencyMs;
    },
    seed: (users, groups = []) => seedDirectory(store, users, groups),
    getUser: (id) => {
      const r = store.get('users', id);
      return r && userToScim(r, ctx());
    },
    userByName: (userName) => {
      const r = store.userByName(userName);
      return r && userToScim(r, ctx());
    },
    getGroup: (id) => {
      const r = store.get('groups', id);
      return r && groupToScim(r, ctx());
    },
    groupByName: (displayName) => {
      const r = store.query('groups', [{ attr: 'displayName', op: 'eq', value: displayName }], { offset: 0, limit: 1 }).items[0];
      return r && groupToScim(r, ctx());
    },
    memberIds: (groupId) => store.members(groupId).map((m) => m.value),
    counts: () => store.counts(),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      store.close();
    },
  };
}

/** RFC 7644 §3.12 error body; status is a string there. */
function scimError(status: number, detail: string, scimType?: string): ScimDoc {
  return { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

/** What a server without a feature answers (RFC 7644 §3.12: 501 for an unsupported operation). */
function featureGates(features: ScimFeatures) {
  return (req: Request, res: Response, next: NextFunction) => {
    const send = (status: number, detail: string, scimType?: string) =>
      res.status(status).type('application/scim+json').send(JSON.stringify(scimError(status, detail, scimType)));
    if (req.method === 'PATCH' && !features.patch) return send(501, 'PATCH is not supported by this service provider; use PUT');
    if (req.path === '/Bulk' || req.path.endsWith('/.search')) return send(501, `${req.path} is not implemented by this service provider`);
    if (req.method === 'GET' && 'filter' in req.query && !features.filter) {
      return send(400, 'filtering is not supported by this service provider (ServiceProviderConfig filter.supported is false)', 'invalidFilter');
    }
    next();
  };
}

const AUTH_SCHEMES = {
  bearer: { type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'Authentication scheme using the OAuth Bearer Token Standard', specUri: 'https://datatracker.ietf.org/doc/html/rfc6750' },
  basic: { type: 'httpbasic', name: 'HTTP Basic', description: 'Authentication scheme using the HTTP Basic Standard', specUri: 'https://datatracker.ietf.org/doc/html/rfc2617' },
  oauth: { type: 'oauth2', name: 'OAuth 2.0 Client Credentials', description: 'Bearer tokens from POST /oauth/token (grant_type=client_credentials)', specUri: 'https://datatracker.ietf.org/doc/html/rfc6749' },
} as const;

function authScheme(type: keyof typeof AUTH_SCHEMES) {
  return { ...AUTH_SCHEMES[type], primary: true };
}

/**
 * scimmy writes relative locations (one base path per process) and counts only the page it is
 * handed; this puts the server's origin in front of every location, the real total in
 * totalResults, the page length in itemsPerPage and the version in an ETag header.
 */
function shapeResponses(res: Response, ctx: RequestContext, origin: () => string): void {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    if (!body || typeof body !== 'object' || Buffer.isBuffer(body)) return send(body);
    const doc = JSON.parse(JSON.stringify(body)) as ScimDoc;
    if (Array.isArray(doc.Resources)) {
      for (const r of doc.Resources as ScimDoc[]) absolutize(r, origin());
      if (ctx.totalResults !== undefined) doc.totalResults = ctx.totalResults;
      doc.itemsPerPage = doc.Resources.length;
    } else {
      absolutize(doc, origin());
      const meta = doc.meta as { version?: string; location?: string } | undefined;
      if (ctx.features.etag && meta?.version) res.setHeader('ETag', meta.version);
      if (res.statusCode === 201 && meta?.location) res.setHeader('Location', meta.location);
    }
    return send(JSON.stringify(doc));
  };
}

function absolutize(doc: ScimDoc, origin: string): void {
  const meta = doc.meta as { location?: string } | undefined;
  if (meta && typeof meta.location === 'string' && meta.location.startsWith('/')) meta.location = origin + meta.location;
}
