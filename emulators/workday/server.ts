// The Workday emulator over node:http: RaaS custom reports (`/ccx/service/customreport2/…`, with
// the workers report's prompts), the REST API (`/ccx/api/v1/{tenant}/workers` and
// `supervisoryOrganizations`, limit ≤ 100 / offset, `{total, data}`), the OAuth refresh-token grant,
// Basic auth for the integration system user, a fixed-window rate limit answering 429 with
// Retry-After, and an admin API (`/__admin/…`) that changes data and moves "today".

import { text as readBody } from 'node:stream/consumers';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { raasFault, restError } from './errors';
import { generate } from './generate';
import { WorkdayState, type Worker } from './model';
import { organizationEntry, restOrganization, restWorker, workerEntry } from './render';

export interface WorkdayEmulatorOptions {
  port?: number;
  tenant?: string;
  /** The integration system user for Basic auth (`user@tenant`) and its password. */
  username?: string;
  password?: string;
  /** An API client registered for the refresh-token grant. */
  oauth?: { clientId: string; clientSecret: string; refreshToken: string };
  reportOwner?: string;
  workersReport?: string;
  organizationsReport?: string;
  workers?: number;
  organizations?: number;
  seed?: number;
  /** The emulator's "now" at start (ISO); default the real time. */
  now?: string;
  rateLimit?: RateLimit | null;
}

export interface RateLimit {
  requests: number;
  windowMs: number;
}

export interface Knobs {
  rateLimit: RateLimit | null;
  /** REST list (`workers`, `supervisoryOrganizations`) or RaaS report name answering 403 past
   *  its first page (a report: always): an integration user missing a domain permission. */
  refuse: string | null;
}

export interface WorkdayEmulator {
  url: string;
  port: number;
  tenant: string;
  state: WorkdayState;
  options: Required<Omit<WorkdayEmulatorOptions, 'port' | 'now' | 'rateLimit'>>;
  setKnobs(k: Partial<Knobs>): void;
  /** Requests served since start (admin calls not counted), and 429s among them. */
  stats(): { requests: number; throttled: number };
  close(): Promise<void>;
}

export const DEFAULTS = {
  tenant: 'acme',
  username: 'ISU_Tiger@acme',
  password: 'workday-emulator-password',
  oauth: { clientId: 'tiger-client', clientSecret: 'workday-client-secret', refreshToken: 'workday-refresh-token' },
  reportOwner: 'ISU_Tiger',
  workersReport: 'Tiger_Workers',
  organizationsReport: 'Tiger_Organizations',
};

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const WORKER_PROMPTS = ['Updated_From', 'Updated_Through', 'Effective_From', 'Effective_Through'];

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
  res.end(JSON.stringify(body));
}


export async function startWorkdayEmulator(o: WorkdayEmulatorOptions = {}): Promise<WorkdayEmulator> {
  const opts = {
    tenant: o.tenant ?? DEFAULTS.tenant,
    username: o.username ?? DEFAULTS.username,
    password: o.password ?? DEFAULTS.password,
    oauth: o.oauth ?? DEFAULTS.oauth,
    reportOwner: o.reportOwner ?? DEFAULTS.reportOwner,
    workersReport: o.workersReport ?? DEFAULTS.workersReport,
    organizationsReport: o.organizationsReport ?? DEFAULTS.organizationsReport,
    workers: o.workers ?? 200,
    organizations: o.organizations ?? 8,
    seed: o.seed ?? 1,
  };
  const state = new WorkdayState();
  if (o.now) state.setNow(o.now);
  generate(state, { workers: opts.workers, organizations: opts.organizations, seed: opts.seed });
  const knobs: Knobs = { rateLimit: o.rateLimit ?? null, refuse: null };
  const tokens = new Set<string>();
  let window = { start: 0, count: 0 };
  let requests = 0;
  let throttled = 0;

  const authorized = (req: IncomingMessage): boolean => {
    const h = req.headers.authorization ?? '';
    if (h.startsWith('Basic ')) {
      const [user, ...rest] = Buffer.from(h.slice(6), 'base64').toString('utf8').split(':');
      return same(user ?? '', opts.username) && same(rest.join(':'), opts.password);
    }
    if (h.startsWith('Bearer ')) return tokens.has(h.slice(7));
    return false;
  };

  /** True when the request may go on; otherwise 429 was sent. */
  const withinLimit = (res: ServerResponse, rest: boolean): boolean => {
    const rl = knobs.rateLimit;
    if (!rl) return true;
    const now = Date.now();
    if (now - window.start >= rl.windowMs) window = { start: now, count: 0 };
    if (++window.count <= rl.requests) return true;
    throttled++;
    const retry = String(Math.max(1, Math.ceil((window.start + rl.windowMs - now) / 1000)));
    if (rest) restError(res, 429, 'Too many requests: the rate limit for this tenant was exceeded', undefined, { 'retry-after': retry });
    else {
      res.setHeader('retry-after', retry);
      raasFault(res, 429, 'Server.RateLimit', 'Request rate limit exceeded; retry later');
    }
    return false;
  };

  const token = async (req: IncomingMessage, res: ServerResponse) => {
    const form = new URLSearchParams(await readBody(req));
    let clientId = form.get('client_id') ?? '';
    let clientSecret = form.get('client_secret') ?? '';
    const basic = req.headers.authorization?.startsWith('Basic ') ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString('utf8') : null;
    if (basic) [clientId, clientSecret] = [decodeURIComponent(basic.split(':')[0] ?? ''), decodeURIComponent(basic.split(':').slice(1).join(':'))];
    if (!same(clientId, opts.oauth.clientId) || !same(clientSecret, opts.oauth.clientSecret)) return json(res, 401, { error: 'invalid_client', error_description: 'Invalid client credentials' });
    if (form.get('grant_type') !== 'refresh_token') return json(res, 400, { error: 'unsupported_grant_type', error_description: 'Only the refresh_token grant is enabled for this client' });
    if (!same(form.get('refresh_token') ?? '', opts.oauth.refreshToken)) return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
    const access = randomBytes(24).toString('base64url');
    tokens.add(access);
    json(res, 200, { access_token: access, token_type: 'Bearer', expires_in: 3600, refresh_token: opts.oauth.refreshToken });
  };

  const report = (res: ServerResponse, name: string, q: URLSearchParams) => {
    if (knobs.refuse === name) return raasFault(res, 403, 'Client.authorizationError', 'The task submitted is not authorized.');
    const format = q.get('format');
    if (format !== 'json') return raasFault(res, 400, 'Client.validationError', 'Validation error occurred. Only format=json is served by this emulator', { message: `Invalid format: ${format ?? '(none)'}`, field: 'format' });
    const prompts = name === opts.workersReport ? WORKER_PROMPTS : [];
    for (const [k, v] of q) {
      if (k === 'format') continue;
      if (!prompts.includes(k)) return raasFault(res, 400, 'Client.validationError', `Validation error occurred. ${k} is not a prompt of report ${name}`, { message: `Invalid prompt: ${k}`, field: k });
      const isDate = k.startsWith('Effective_');
      if (!(isDate ? DATE : DATETIME).test(v)) {
        return raasFault(res, 400, 'Client.validationError', `Validation error occurred. Invalid value for prompt ${k}`, {
          message: `${k} must be a ${isDate ? 'date (YYYY-MM-DD)' : 'datetime (YYYY-MM-DDThh:mm:ss.sss+hh:mm)'}`,
          field: k,
        });
      }
    }
    if (name === opts.organizationsReport) return json(res, 200, { Report_Entry: state.orgList().map(organizationEntry) });
    const from = q.get('Updated_From');
    const through = q.get('Updated_Through');
    const effFrom = q.get('Effective_From');
    const effThrough = q.get('Effective_Through');
    const t = (s: string) => Date.parse(s);
    const inEffective = (d: string | null) => d !== null && (!effFrom || d >= effFrom) && (!effThrough || d <= effThrough);
    const entries = state
      .workerList()
      .filter((w) => (!from || t(w.lastUpdated) >= t(from)) && (!through || t(w.lastUpdated) <= t(through)))
      .filter((w) => (!effFrom && !effThrough) || inEffective(w.hireDate) || inEffective(w.terminationDate))
      .map((w) => workerEntry(state, w));
    json(res, 200, { Report_Entry: entries });
  };

  const page = (res: ServerResponse, q: URLSearchParams, list: string, items: () => Record<string, unknown>[]) => {
    const limitRaw = q.get('limit') ?? '20';
    const offsetRaw = q.get('offset') ?? '0';
    const limit = Number(limitRaw);
    const offset = Number(offsetRaw);
    const errors = [
      ...(!Number.isInteger(limit) || limit < 1 || limit > 100 ? [{ error: 'must be a whole number from 1 to 100', field: 'limit' }] : []),
      ...(!Number.isInteger(offset) || offset < 0 ? [{ error: 'must be a whole number of 0 or more', field: 'offset' }] : []),
    ];
    if (errors.length) return restError(res, 400, `invalid request: ${errors.map((e) => `${e.field} ${e.error}`).join('; ')}`, errors);
    if (knobs.refuse === list && offset > 0) return restError(res, 403, 'The task submitted is not authorized.');
    const all = items();
    json(res, 200, { total: all.length, data: all.slice(offset, offset + limit) });
  };

  const rest = (res: ServerResponse, parts: string[], q: URLSearchParams, base: string) => {
    const [resource, id, sub] = parts;
    const notFound = () => restError(res, 404, `invalid resource ID: ${id}`, [{ error: 'no such resource', field: 'ID' }]);
    if (resource === 'workers') {
      if (!id) return page(res, q, 'workers', () => state.workerList().map((w) => restWorker(state, base, w)));
      const w = state.workers.get(id);
      return w && !sub ? json(res, 200, restWorker(state, base, w)) : notFound();
    }
    if (resource === 'supervisoryOrganizations') {
      if (!id) return page(res, q, 'supervisoryOrganizations', () => state.orgList().map((o) => restOrganization(state, base, o)));
      const org = state.orgs.get(id);
      if (!org) return notFound();
      if (!sub) return json(res, 200, restOrganization(state, base, org));
      if (sub === 'workers') return page(res, q, 'members', () => state.workerList().filter((w) => w.orgId === id).map((w) => restWorker(state, base, w)));
    }
    restError(res, 404, `no such resource: ${parts.join('/')}`);
  };

  const admin = async (req: IncomingMessage, res: ServerResponse, parts: string[]) => {
    const body = req.method === 'GET' || req.method === 'DELETE' ? {} : (JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>);
    const [what, id] = parts;
    if (what === 'snapshot' && req.method === 'GET') {
      const today = state.today();
      return json(res, 200, {
        now: state.now().toISOString(),
        today,
        workers: state.workerList().map((w: Worker) => ({ ...w, active: state.isActive(w, today) })),
        organizations: state.orgList(),
      });
    }
    if (what === 'clock' && req.method === 'POST') {
      state.setNow(String(body.now));
      return json(res, 200, { now: state.now().toISOString(), today: state.today() });
    }
    if (what === 'knobs' && req.method === 'POST') {
      Object.assign(knobs, body);
      return json(res, 200, knobs);
    }
    if (what === 'workers' || what === 'organizations') {
      const isWorker = what === 'workers';
      if (req.method === 'POST' && !id) return json(res, 201, isWorker ? state.addWorker(body) : state.addOrg(body));
      if (req.method === 'PATCH' && id) {
        const out = isWorker ? state.updateWorker(id, body) : state.updateOrg(id, body);
        return out ? json(res, 200, out) : restError(res, 404, `no ${what} ${id}`);
      }
      if (req.method === 'DELETE' && id) return (isWorker ? state.removeWorker(id) : state.removeOrg(id)) ? res.writeHead(204).end() : restError(res, 404, `no ${what} ${id}`);
    }
    restError(res, 404, `no admin route ${req.method} /__admin/${parts.join('/')}`);
  };

  const server = createServer((req, res) => {
    // Workday's clock, not ours: tests move "today", and clients take their watermarks from here.
    res.setHeader('date', state.now().toUTCString());
    const url = new URL(req.url ?? '/', 'http://workday.invalid');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    void (async () => {
      if (parts[0] === '__admin') return admin(req, res, parts.slice(1));
      requests++;
      const isRest = parts[1] === 'api';
      if (!withinLimit(res, isRest)) return;
      if (parts[0] !== 'ccx') return restError(res, 404, 'not found');
      if (parts[1] === 'oauth2' && parts[3] === 'token' && req.method === 'POST') {
        if (parts[2] !== opts.tenant) return json(res, 404, { error: 'invalid_request', error_description: `unknown tenant ${parts[2]}` });
        return token(req, res);
      }
      if (req.method !== 'GET') return restError(res, 405, `method ${req.method} is not allowed here`);
      if (parts[1] === 'service' && parts[2] === 'customreport2') {
        const [, , , tenant, owner, name] = parts;
        if (!authorized(req)) return raasFault(res, 401, 'Client.authenticationError', 'invalid username or password');
        if (tenant !== opts.tenant || owner !== opts.reportOwner || (name !== opts.workersReport && name !== opts.organizationsReport)) {
          return raasFault(res, 404, 'Client.validationError', `Report not found: ${owner}/${name} in tenant ${tenant}`);
        }
        return report(res, name, url.searchParams);
      }
      if (isRest && parts[2] === 'v1') {
        if (!authorized(req)) return restError(res, 401, 'invalid_token: the access token is missing, invalid or expired');
        if (parts[3] !== opts.tenant) return restError(res, 404, `unknown tenant: ${parts[3]}`);
        return rest(res, parts.slice(4), url.searchParams, `http://${req.headers.host}/ccx/api/v1/${opts.tenant}`);
      }
      restError(res, 404, 'not found');
    })().catch((err: unknown) => {
      if (!res.headersSent) restError(res, 500, `emulator error: ${(err as Error).message}`);
      else res.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(o.port ?? 0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    tenant: opts.tenant,
    state,
    options: opts,
    setKnobs: (k) => Object.assign(knobs, k),
    stats: () => ({ requests, throttled }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
