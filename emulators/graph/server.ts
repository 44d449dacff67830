// The HTTP front of the Graph emulator: the token endpoint (`/{tenant}/oauth2/v2.0/token`), Graph
// (`/v1.0/...`, bearer token, throttling per app, Graph's error bodies and request-id headers) and
// the admin API (`/_admin/...`) on one origin, so the origin serves as both `authority` and Graph
// base URL.

import { text as readBody } from 'node:stream/consumers';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createRng } from '../okta/random';
import { createAdmin, handleAdmin, type GraphAdmin } from './admin';
import { Auth } from './auth';
import { DeltaEngine } from './delta';
import { GraphError, graphErrorBody, oauthErrorBody } from './errors';
import { generateTenant } from './generate';
import { DEFAULTS, type GraphEmulatorOptions } from './options';
import { handleGraph, type GraphContext } from './routes';
import { Subscriptions } from './subscriptions';
import { BadRequest, NotFound } from './tenant';
import { Throttle } from './throttle';
import { selfSignedCertificate } from './tls';

export interface GraphEmulator {
  /** Origin, e.g. http://127.0.0.1:41234 — the `authority` for tokens and the Graph host. */
  url: string;
  /** `${url}/v1.0` */
  graphUrl: string;
  /** `${url}/${tenantId}/oauth2/v2.0/token` */
  tokenUrl: string;
  port: number;
  /** With `tls`: the certificate (PEM) clients must trust. */
  ca?: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Change the tenant, permissions, throttling, token lifetimes; the same as `/_admin/...`. */
  admin: GraphAdmin;
  close(): Promise<void>;
}

export async function startGraphEmulator(opts: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const tenantId = opts.tenantId ?? DEFAULTS.tenantId;
  const seed = opts.seed ?? DEFAULTS.seed;
  const users = opts.users ?? DEFAULTS.users;
  const tenant = generateTenant({
    tenantId,
    seed,
    users,
    groups: opts.groups ?? DEFAULTS.groups,
    apps: opts.apps ?? DEFAULTS.apps,
    membersPerGroup: opts.membersPerGroup ?? DEFAULTS.membersPerGroup,
    bigGroupMembers: opts.bigGroupMembers ?? (users >= DEFAULTS.bigGroupMembers ? DEFAULTS.bigGroupMembers : 0),
  });
  const clientId = opts.clientId ?? DEFAULTS.clientId;
  const clientSecret = opts.clientSecret ?? DEFAULTS.clientSecret;
  const auth = new Auth(tenantId, [{ clientId, clientSecret, permissions: opts.permissions ?? [...DEFAULTS.permissions] }, ...(opts.extraClients ?? [])], opts.tokenTtlSeconds ?? DEFAULTS.tokenTtlSeconds);
  const delta = new DeltaEngine(tenant, {
    pageSize: opts.deltaPageSize ?? DEFAULTS.deltaPageSize,
    membersPerEntry: opts.membersPerDeltaEntry ?? DEFAULTS.membersPerDeltaEntry,
    epoch: 1,
    expiredCode: 'syncStateNotFound',
    maxAgeMs: opts.deltaTokenMaxAgeMs,
  });
  const throttle = new Throttle();
  if (opts.throttle) throttle.set(opts.throttle);
  const subscriptions = new Subscriptions(tenant, {
    validationTimeoutMs: opts.validationTimeoutMs ?? DEFAULTS.validationTimeoutMs,
    notificationDelayMs: opts.notificationDelayMs ?? DEFAULTS.notificationDelayMs,
  });
  const options = { emptyPageRate: opts.emptyPageRate ?? 0, defaultPageSize: opts.defaultPageSize ?? DEFAULTS.defaultPageSize };
  if (!(options.emptyPageRate >= 0 && options.emptyPageRate <= 1)) throw new Error('emptyPageRate must be a number from 0 to 1');
  const pageRng = createRng(seed ^ 0x5eed);
  let requests = 0;
  const admin = createAdmin({ tenant, auth, delta, throttle, subscriptions, options, requests: () => requests });
  const ctx: GraphContext = {
    tenant, delta, subscriptions,
    defaultPageSize: () => options.defaultPageSize,
    emptyPage: () => options.emptyPageRate > 0 && pageRng.chance(options.emptyPageRate),
  };
  let base = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const requestId = randomUUID();
    const clientRequestId = header(req, 'client-request-id') ?? requestId;
    res.setHeader('request-id', requestId);
    res.setHeader('client-request-id', clientRequestId);
    res.setHeader('x-ms-ags-diagnostic', JSON.stringify({ ServerInfo: { DataCenter: 'Emulator', Slice: 'E', Ring: '0', ScaleUnit: '000', RoleInstance: 'EMU' } }));
    const segments = url.pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));

    // Token endpoint: /{tenant}/oauth2/v2.0/token
    if (segments.length === 4 && segments[1] === 'oauth2' && segments[2] === 'v2.0' && segments[3] === 'token') {
      if (method !== 'POST') return sendJson(res, 405, { error: 'invalid_request', error_description: 'AADSTS900561: The endpoint only accepts POST requests.' });
      const r = auth.issue(segments[0]!, new URLSearchParams(raw));
      res.setHeader('Cache-Control', 'no-store, no-cache');
      return r.ok ? sendJson(res, 200, r.body) : sendJson(res, r.err.status, oauthErrorBody(r.err));
    }

    if (segments[0] === '_admin') {
      if (opts.adminToken && header(req, 'authorization') !== `Bearer ${opts.adminToken}`) {
        return sendJson(res, 401, { error: { code: 'Unauthorized', message: 'the admin API needs Authorization: Bearer <adminToken>' } });
      }
      try {
        const body = raw.length ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
        const [status, out] = await handleAdmin(admin, method, segments.slice(1), url.searchParams, body);
        return out === undefined ? sendEmpty(res, status) : sendJson(res, status, out);
      } catch (e) {
        const status = e instanceof NotFound ? 404 : e instanceof BadRequest || e instanceof SyntaxError || e instanceof Error ? 400 : 500;
        return sendJson(res, status, { error: { code: status === 404 ? 'NotFound' : 'BadRequest', message: (e as Error).message } });
      }
    }

    try {
      if (segments[0] !== 'v1.0') throw new GraphError(400, 'BadRequest', `Invalid version: ${segments[0] ?? '(none)'}. This emulator serves v1.0.`);
      requests++;
      const token = auth.check(header(req, 'authorization'));
      throttle.admit(`${tenantId}|${token.clientId}`);
      let body: Record<string, unknown> | undefined;
      if (raw.length) {
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          throw new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
        }
      }
      const out = await handleGraph(ctx, { method, segments: segments.slice(1), query: url.searchParams, headers: req.headers, body, base, token });
      for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
      if (out.text !== undefined) {
        res.writeHead(out.status);
        res.end(out.text);
        return;
      }
      return out.body === undefined ? sendEmpty(res, out.status) : sendJson(res, out.status, out.body, 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8');
    } catch (e) {
      const err = e instanceof GraphError ? e : new GraphError(500, 'generalException', `Unexpected emulator error: ${(e as Error).message}`);
      for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
      return sendJson(res, err.status, graphErrorBody(err, requestId, clientRequestId));
    }
  };

  const sockets = new Set<Socket>();
  const listener: RequestListener = (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'generalException', message: (e as Error).message } });
      else res.destroy();
    });
  };
  const tls = opts.tls === true ? selfSignedCertificate() : opts.tls || undefined;
  const server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, listener) : createServer(listener);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? DEFAULTS.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${tls ? 'https' : 'http'}://${opts.host ?? DEFAULTS.host}:${port}`;
  base = (opts.publicUrl ?? url).replace(/\/$/, '');

  return {
    url,
    graphUrl: `${url}/v1.0`,
    tokenUrl: `${url}/${tenantId}/oauth2/v2.0/token`,
    port,
    ca: tls?.cert,
    tenantId,
    clientId,
    clientSecret,
    admin,
    close: async () => {
      await subscriptions.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}


function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json; charset=utf-8'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}
