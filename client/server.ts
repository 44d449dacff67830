// The webhook and REST server: `GET/POST /webhooks/okta/<connector>` (Okta event hooks) and
// `POST /api/v1/connectors/test` (seed 004, bearer token). It answers fast and leaves the work
// to workflows: a delivery becomes a signal to live/<connector>.
import type { Client } from '@temporalio/client';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { loadSecrets, resolveReferences } from '../config/references';
import type { ConnectorDefinition } from '../config/types';
import type { IdentityStore } from '../store/types';
import { refOf, sendLiveEvents } from './requests';
import { testConnection } from './test-connection';
import { secretMatches, toLiveEvents, verificationAnswer } from './webhooks/okta';

export interface ServerDeps {
  store: IdentityStore;
  client: () => Promise<Client>;
  apiToken?: string;
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
}

const MAX_BODY = 5 * 1024 * 1024;

export function createTigerServer(deps: ServerDeps): Server {
  const env = deps.env ?? process.env;
  const log = deps.log ?? (() => undefined);
  return createServer((req, res) => {
    handle(req, res).catch((err) => {
      log(`server error: ${(err as Error).message}`);
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const hook = /^\/webhooks\/okta\/([^/]+)$/.exec(url.pathname);
    if (hook) return oktaHook(decodeURIComponent(hook[1]), req, res);
    if (url.pathname === '/api/v1/connectors/test' && req.method === 'POST') return apiTest(req, res);
    if (url.pathname === '/healthz') return send(res, 200, { status: 'ok' });
    send(res, 404, { error: 'not found' });
  }

  async function webhookConnector(name: string): Promise<ConnectorDefinition | null> {
    const stored = await deps.store.getConnector(name);
    const def = stored?.definition as ConnectorDefinition | undefined;
    return def && def.type === 'okta' && def.webhooks.enabled ? def : null;
  }

  async function oktaHook(name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const def = await webhookConnector(name);
    if (!def) return send(res, 404, { error: `no okta connector "${name}" with webhooks enabled` });
    if (req.method === 'GET') {
      const answer = verificationAnswer(header(req, 'x-okta-verification-challenge'));
      return answer ? send(res, 200, answer) : send(res, 400, { error: 'missing x-okta-verification-challenge header' });
    }
    if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' });
    const secret = def.webhooks.secret ? resolveReferences(def.webhooks.secret, { env, secrets: loadSecrets({ env }) }, `connector ${def.name} webhooks.secret`) : '';
    if (!secretMatches(header(req, 'authorization'), secret)) {
      log(`webhook ${name}: rejected a delivery with a wrong or missing Authorization header`);
      return send(res, 401, { error: 'unauthorized' });
    }
    let parsed: ReturnType<typeof toLiveEvents>;
    try {
      parsed = toLiveEvents(JSON.parse(await readBody(req)), def.webhooks.events);
    } catch (err) {
      return send(res, 400, { error: (err as Error).message });
    }
    if (parsed.events.length > 0) await sendLiveEvents(await deps.client(), refOf(def), parsed.events);
    log(`webhook ${name}: ${parsed.events.length} events signalled, ${parsed.ignored} ignored`);
    send(res, 200, { accepted: parsed.events.length, ignored: parsed.ignored });
  }

  async function apiTest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = deps.apiToken ?? env.TIGER_API_TOKEN;
    const auth = header(req, 'authorization') ?? '';
    if (!token || !auth.startsWith('Bearer ') || !secretMatches(auth.slice(7), token)) {
      return send(res, 401, { status: 'failure', message: token ? 'invalid bearer token' : 'the server has no TIGER_API_TOKEN set' });
    }
    let body: { connectorId?: unknown };
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return send(res, 400, { status: 'failure', message: 'body: expected JSON {"connectorId": "<name>"}' });
    }
    if (typeof body.connectorId !== 'string' || !body.connectorId) {
      return send(res, 400, { status: 'failure', message: 'connectorId: expected a connector name' });
    }
    if (!(await deps.store.getConnector(body.connectorId))) {
      return send(res, 404, { status: 'failure', message: `no connector named "${body.connectorId}"` });
    }
    const result = await testConnection(await deps.client(), body.connectorId);
    send(res, result.status === 'success' ? 200 : 502, result);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
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
