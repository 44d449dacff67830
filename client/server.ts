// The webhook and REST server: `GET/POST /webhooks/okta/<connector>` (Okta event hooks),
// `POST /webhooks/graph/<connector>` (Graph change notifications) and
// `POST /api/v1/connectors/test` (seed 004, bearer token). It answers fast and leaves the work
// to workflows: a delivery becomes a signal to live/<connector>.
import type { Client } from '@temporalio/client';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { loadSecrets, resolveReferences } from '../config/references';
import type { Manifest } from '../connectors/framework/manifest';
import { CONNECTOR_TYPES } from '../connectors/registry';
import type { ConnectorDefinition } from '../config/types';
import type { IdentityStore } from '../store/types';
import { refOf, sendLiveEvents } from '../runtime/requests';
import { testConnection } from './test-connection';
import { toGraphEvents, validationToken } from './webhooks/graph';
import { secretMatches, toLiveEvents, verificationAnswer } from './webhooks/okta';

export interface ServerDeps {
  store: IdentityStore;
  /** Called per request that needs Temporal; see reconnectingClient for a factory that retries. */
  client: () => Promise<Client>;
  apiToken?: string;
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
  /** Largest request body accepted (bytes); Okta batches are far below the default. */
  maxBodyBytes?: number;
  /** Slow or stalled clients are cut off after these (ms). */
  timeouts?: { headersMs?: number; requestMs?: number; checkEveryMs?: number };
}

const MAX_BODY = 5 * 1024 * 1024;
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

class BodyTooLarge extends Error {}
class TemporalUnavailable extends Error {}

/**
 * A client factory that connects on first use and keeps only a connection that succeeded: a
 * Temporal server that was down when the first request came is tried again on the next one.
 */
export function reconnectingClient(connect: () => Promise<Client>): () => Promise<Client> {
  let pending: Promise<Client> | undefined;
  return () => {
    pending ??= connect().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

export function createTigerServer(deps: ServerDeps): Server {
  const env = deps.env ?? process.env;
  const log = deps.log ?? (() => undefined);
  const maxBody = deps.maxBodyBytes ?? MAX_BODY;
  const headersTimeout = deps.timeouts?.headersMs ?? HEADERS_TIMEOUT_MS;
  const server = createServer(
    {
      headersTimeout,
      requestTimeout: Math.max(deps.timeouts?.requestMs ?? REQUEST_TIMEOUT_MS, headersTimeout),
      connectionsCheckingInterval: deps.timeouts?.checkEveryMs ?? Math.min(headersTimeout, 5_000),
    },
    (req, res) => {
      handle(req, res).catch((err) => {
        if (err instanceof TemporalUnavailable) {
          log(`temporal unavailable: ${err.message}`);
          if (!res.headersSent) send(res, 503, { error: 'the Temporal server is not reachable; retry later' });
          return;
        }
        log(`server error: ${(err as Error).message}`);
        if (!res.headersSent) send(res, 500, { error: 'internal error' });
      });
    },
  );
  server.keepAliveTimeout = 5_000;
  return server;

  async function temporal(): Promise<Client> {
    try {
      return await deps.client();
    } catch (err) {
      throw new TemporalUnavailable((err as Error).message);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const hook = /^\/webhooks\/okta\/([^/]+)$/.exec(url.pathname);
    if (hook) return oktaHook(decodeURIComponent(hook[1]), req, res);
    const graph = /^\/webhooks\/graph\/([^/]+)$/.exec(url.pathname);
    if (graph) return graphHook(decodeURIComponent(graph[1]), url, req, res);
    if (url.pathname === '/api/v1/connectors/test' && req.method === 'POST') return apiTest(req, res);
    if (url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
    send(res, 404, { error: 'not found' });
  }

  // A disabled connector is treated as absent: its hook answers 404 and nothing is signalled.
  // The route is chosen by the kind of webhooks the type's manifest declares, not by type name.
  async function webhookConnector(name: string, kind: NonNullable<Manifest['webhooks']>): Promise<ConnectorDefinition | null> {
    const stored = await deps.store.getConnector(name);
    const def = stored?.definition as ConnectorDefinition | undefined;
    const declared = def && Object.prototype.hasOwnProperty.call(CONNECTOR_TYPES, def.type) ? CONNECTOR_TYPES[def.type]!.manifest.webhooks : undefined;
    return stored?.enabled && def && def.enabled !== false && declared === kind && def.webhooks?.enabled ? def : null;
  }

  /** Only this connector's webhook secret is resolved, never the rest of its config. */
  function webhookSecret(def: ConnectorDefinition): string {
    if (!def.webhooks.secret) return '';
    return resolveReferences(def.webhooks.secret, { env, secrets: loadSecrets({ env }) }, `connector ${def.name} webhooks.secret`);
  }

  async function oktaHook(name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const def = await webhookConnector(name, 'okta-event-hook');
    if (!def) return send(res, 404, { error: 'no enabled okta connector with webhooks enabled by that name' });
    if (req.method === 'GET') {
      const answer = verificationAnswer(header(req, 'x-okta-verification-challenge'));
      return answer ? send(res, 200, answer) : send(res, 400, { error: 'missing x-okta-verification-challenge header' });
    }
    if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' });
    if (!secretMatches(header(req, 'authorization'), webhookSecret(def))) {
      log(`webhook ${def.name}: rejected a delivery with a wrong or missing Authorization header`);
      return send(res, 401, { error: 'unauthorized' });
    }
    const body = await readJson(req, res);
    if (body === NO_BODY) return;
    let parsed: ReturnType<typeof toLiveEvents>;
    try {
      parsed = toLiveEvents(body, def.webhooks.events);
    } catch (err) {
      return send(res, 400, { error: (err as Error).message });
    }
    for (const d of parsed.dropped) log(`webhook ${def.name}: dropped target id ${d.id} of event ${JSON.stringify(d.eventId.slice(0, 64))}: not an Okta id (letters and digits only)`);
    if (parsed.events.length > 0) await sendLiveEvents(await temporal(), refOf(def), parsed.events);
    log(`webhook ${def.name}: ${parsed.events.length} events signalled, ${parsed.ignored} ignored, ${parsed.dropped.length} target ids dropped`);
    send(res, 200, { accepted: parsed.events.length, ignored: parsed.ignored, dropped: parsed.dropped.length });
  }

  async function graphHook(name: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const def = await webhookConnector(name, 'graph-notifications');
    if (!def) return send(res, 404, { error: 'no enabled entra-id connector with webhooks enabled by that name' });
    if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' });
    let token: string | null;
    try {
      token = validationToken(url);
    } catch (err) {
      return send(res, 400, { error: (err as Error).message });
    }
    if (token !== null) {
      // Graph waits at most 10 s for the echo: nothing else is done first.
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end(token);
    }
    const body = await readJson(req, res, 'a Graph change notification {value: [...]}');
    if (body === NO_BODY) return;
    let parsed: ReturnType<typeof toGraphEvents>;
    try {
      parsed = toGraphEvents(body);
    } catch (err) {
      return send(res, 400, { error: (err as Error).message });
    }
    const secret = webhookSecret(def);
    // Every item must carry this connector's clientState: one forged item refuses the whole post.
    if (parsed.clientStates.length === 0 || !parsed.clientStates.every((s) => secretMatches(s, secret))) {
      log(`webhook ${def.name}: rejected a Graph notification with a wrong or missing clientState`);
      return send(res, 401, { error: 'unauthorized' });
    }
    for (const id of parsed.dropped) log(`webhook ${def.name}: dropped Graph notification for id ${id}: not a Graph object id`);
    if (parsed.events.length > 0) await sendLiveEvents(await temporal(), refOf(def), parsed.events);
    log(`webhook ${def.name}: ${parsed.events.length} Graph changes signalled, ${parsed.ignored} ignored, ${parsed.dropped.length} dropped`);
    send(res, 202, { accepted: parsed.events.length, ignored: parsed.ignored, dropped: parsed.dropped.length });
  }

  /** The parsed body, or NO_BODY once an error answer was sent. Never echoes the body. */
  async function readJson(req: IncomingMessage, res: ServerResponse, expected = 'an Okta event hook delivery'): Promise<unknown> {
    let text: string;
    try {
      text = await readBody(req, maxBody);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        res.setHeader('connection', 'close');
        send(res, 413, { error: `body larger than ${maxBody} bytes` });
        return NO_BODY;
      }
      throw err;
    }
    try {
      return JSON.parse(text);
    } catch {
      send(res, 400, { error: `body: expected JSON (${expected})` });
      return NO_BODY;
    }
  }

  async function apiTest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = deps.apiToken ?? env.TIGER_API_TOKEN;
    const auth = header(req, 'authorization') ?? '';
    if (!token || !auth.startsWith('Bearer ') || !secretMatches(auth.slice(7), token)) {
      return send(res, 401, { status: 'failure', message: token ? 'invalid bearer token' : 'the server has no TIGER_API_TOKEN set' });
    }
    const parsed = await readJson(req, res, '{"connectorId": "<name>"}');
    if (parsed === NO_BODY) return;
    const body = (parsed !== null && typeof parsed === 'object' ? parsed : {}) as { connectorId?: unknown };
    if (typeof body.connectorId !== 'string' || !body.connectorId) {
      return send(res, 400, { status: 'failure', message: 'connectorId: expected a connector name' });
    }
    if (!(await deps.store.getConnector(body.connectorId))) {
      return send(res, 404, { status: 'failure', message: `no connector named "${body.connectorId}"` });
    }
    const result = await testConnection(await temporal(), body.connectorId);
    send(res, result.status === 'success' ? 200 : 502, result);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const NO_BODY = Symbol('answered');

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new BodyTooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // Keep reading (and dropping) so the 413 reaches a client that is still sending.
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('end', () => (over ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function listen(server: Server, port: number, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}
