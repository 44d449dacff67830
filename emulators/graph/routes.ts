// The Graph v1.0 surface: users, groups, members, applications, service principals, their app role
// assignments, delta queries and subscriptions, each behind the app permissions Graph asks for.

import type { IssuedToken } from './auth';
import type { DeltaEngine } from './delta';
import { badRequest, forbidden, GraphError, notFound } from './errors';
import { listPage, type ListRequest } from './lists';
import { parseSelect, render, SelectError, type AppRoleAssignment, type DirObject, type GroupObject, type Kind } from './model';
import type { Subscriptions } from './subscriptions';
import type { Tenant } from './tenant';

export interface GraphContext {
  tenant: Tenant;
  delta: DeltaEngine;
  subscriptions: Subscriptions;
  defaultPageSize: () => number;
  emptyPage: () => boolean;
}

export interface GraphRequest {
  method: string;
  /** Path segments after `/v1.0/`. */
  segments: string[];
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown> | undefined;
  base: string;
  token: IssuedToken;
}

export interface GraphResponse {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

const DIRECTORY = ['Directory.Read.All', 'Directory.ReadWrite.All'];
const NEEDS = {
  users: ['User.Read.All', 'User.ReadWrite.All', ...DIRECTORY],
  groups: ['Group.Read.All', 'Group.ReadWrite.All', 'GroupMember.Read.All', ...DIRECTORY],
  apps: ['Application.Read.All', 'Application.ReadWrite.All', ...DIRECTORY],
  assignments: ['Application.Read.All', 'AppRoleAssignment.ReadWrite.All', ...DIRECTORY],
};

const DELTA = new Set(['delta', 'delta()', 'microsoft.graph.delta', 'microsoft.graph.delta()']);
const SETS: Record<string, Kind> = { users: 'user', groups: 'group', applications: 'application', servicePrincipals: 'servicePrincipal' };

function need(token: IssuedToken, any: string[]): void {
  if (!token.roles.some((r) => any.includes(r))) throw forbidden();
}

function needFor(kind: Kind): string[] {
  return kind === 'user' ? NEEDS.users : kind === 'group' ? NEEDS.groups : NEEDS.apps;
}

export async function handleGraph(ctx: GraphContext, req: GraphRequest): Promise<GraphResponse> {
  const [set, id, rel, ...rest] = req.segments;
  const t = ctx.tenant;
  const listReq = (path: string): ListRequest => ({ base: req.base, path, query: req.query, defaultPageSize: ctx.defaultPageSize(), emptyPage: ctx.emptyPage });

  if (set === 'subscriptions') return handleSubscriptions(ctx, req, id, rel);
  if (set === 'organization' && !id && req.method === 'GET') {
    return { status: 200, body: { '@odata.context': `${req.base}/v1.0/$metadata#organization`, value: [{ id: t.tenantId, displayName: 'Contoso (emulator)', verifiedDomains: [{ name: 'contoso.onmicrosoft.com', isDefault: true, isInitial: true, type: 'Managed' }] }] } };
  }
  const kind = set ? SETS[set] : undefined;
  if (!kind || rest.length) throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${req.segments.join('/')}'.`);
  if (req.method !== 'GET') throw new GraphError(405, 'Request_BadRequest', `The method ${req.method} is not supported by this emulator on /${req.segments.join('/')} (it serves reads; change the tenant through /_admin).`);
  need(req.token, needFor(kind));

  if (!id) return { status: 200, body: listPage(listReq(set!), t.lists[kind], kind, (k) => t.active(k, kind) ?? null) };

  if (DELTA.has(id) && !rel && (kind === 'user' || kind === 'group')) {
    const r = ctx.delta.page({ base: req.base, kind, query: req.query, prefer: header(req, 'prefer'), emptyPage: ctx.emptyPage });
    return { status: 200, body: r.body, headers: r.headers };
  }
  if (id === '$count' && !rel) {
    if ((header(req, 'consistencylevel') ?? '').toLowerCase() !== 'eventual') {
      throw badRequest('Count is not currently supported without the header ConsistencyLevel: eventual.');
    }
    return { status: 200, text: String(t.count(kind)), headers: { 'Content-Type': 'text/plain; charset=utf-8' } };
  }

  const obj = findObject(t, kind, id);
  if (!rel) {
    const select = selectFor(req.query.get('$select'), kind);
    return { status: 200, body: { '@odata.context': `${req.base}/v1.0/$metadata#${set}/$entity`, ...render(obj, select) } };
  }
  if (kind === 'group' && rel === 'members') {
    const g = obj as GroupObject;
    const body = listPage(listReq(`groups/${obj.id}/members`), g.members, null, (k) => t.active(k) ?? null, (o, s) => render(o, s, true), 'directoryObjects');
    return { status: 200, body };
  }
  if (kind === 'servicePrincipal' && rel === 'appRoleAssignedTo') {
    need(req.token, NEEDS.assignments);
    const bucket = t.assignments.get(obj.id)!;
    const body = listPage<AppRoleAssignment>(
      listReq(`servicePrincipals/${obj.id}/appRoleAssignedTo`), bucket.order, null, (k) => bucket.byId.get(k) ?? null,
      (a, s) => (s ? Object.fromEntries(Object.entries(a).filter(([k]) => k === 'id' || s.includes(k))) : { ...a }),
      `servicePrincipals('${obj.id}')/appRoleAssignedTo`,
    );
    return { status: 200, body };
  }
  throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${rel}'.`);
}

function findObject(t: Tenant, kind: Kind, id: string): DirObject {
  const direct = t.active(id, kind);
  if (direct) return direct;
  // Users can also be addressed by userPrincipalName (rare in a sync, so a scan is fine).
  if (kind === 'user' && id.includes('@')) {
    const lower = id.toLowerCase();
    for (const key of t.lists.user.values()) {
      const u = t.active(key, 'user');
      if (u && String(u.props.userPrincipalName).toLowerCase() === lower) return u;
    }
  }
  throw notFound(id);
}

function selectFor(raw: string | null, kind: Kind): string[] | null {
  try {
    return parseSelect(raw, kind);
  } catch (e) {
    if (e instanceof SelectError) throw badRequest(e.message);
    throw e;
  }
}

function header(req: GraphRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function handleSubscriptions(ctx: GraphContext, req: GraphRequest, id: string | undefined, rel: string | undefined): Promise<GraphResponse> {
  if (rel) throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${rel}'.`);
  const subs = ctx.subscriptions;
  const app = req.token.clientId;
  if (!id) {
    if (req.method === 'GET') return { status: 200, body: { '@odata.context': `${req.base}/v1.0/$metadata#subscriptions`, value: subs.list(app).map((s) => strip(subs.render(s, req.base))) } };
    if (req.method === 'POST') {
      const body = req.body ?? {};
      const resource = String(body.resource ?? '');
      need(req.token, /groups/i.test(resource) ? NEEDS.groups : NEEDS.users);
      const s = await subs.create(body, app, app);
      return { status: 201, body: subs.render(s, req.base) };
    }
  } else {
    if (req.method === 'GET') return { status: 200, body: subs.render(subs.get(id, app), req.base) };
    if (req.method === 'PATCH') return { status: 200, body: subs.render(await subs.update(id, app, req.body ?? {}), req.base) };
    if (req.method === 'DELETE') {
      subs.remove(id, app);
      return { status: 204 };
    }
  }
  throw new GraphError(405, 'Request_BadRequest', `The method ${req.method} is not supported on /subscriptions${id ? '/{id}' : ''}.`);
}

function strip(o: Record<string, unknown>): Record<string, unknown> {
  const { ['@odata.context']: _drop, ...rest } = o;
  void _drop;
  return rest;
}
