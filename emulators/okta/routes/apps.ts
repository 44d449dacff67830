// /api/v1/apps: list, read, assigned users (paged), assign and unassign.

import { notFound, validation } from '../errors';
import { compileFilter, type AttrValue, type FilterRules } from '../filter';
import { assignApp, unassignApp } from '../mutations';
import { collectPositions, decodeCursor, encodeCursor, pageResponse, parseLimit, range } from '../paging';
import { renderApp, renderAppUser } from '../render';
import { json, noContent, type ApiRequest, type Route, type RouteContext } from '../router';
import { bsearch, type AppRecord, type OktaState } from '../state';
import { requireUser } from './users';

const FILTER_RULES: FilterRules = { allowed: { status: ['eq'], name: ['eq'], 'user.id': ['eq'] } };

function appAttr(state: OktaState) {
  return (a: AppRecord, path: string): AttrValue => {
    if (path === 'status' || path === 'name' || path === 'label' || path === 'id' || path === 'signOnMode') return a[path];
    if (path === 'user.id') return [...a.assigned].map((i) => state.users[i]!.id);
    return undefined;
  };
}

function requireApp(state: OktaState, id: string): AppRecord {
  const a = state.findApp(id);
  if (!a) throw notFound(id, 'AppInstance');
  return a;
}

function listApps(state: OktaState, req: ApiRequest) {
  const params = req.url.searchParams;
  const limit = parseLimit(params.get('limit'), 20, 200);
  const after = decodeCursor('a', params.get('after'));
  const filter = params.get('filter');
  const test = filter ? compileFilter(filter, appAttr(state), FILTER_RULES) : () => true;
  const q = params.get('q')?.toLowerCase();
  const page = collectPositions(range(after + 1, state.apps.length), limit, (i) => {
    const a = state.apps[i]!;
    return test(a) && (!q || a.name.startsWith(q) || a.label.toLowerCase().startsWith(q));
  });
  const items = page.positions.map((i) => renderApp(state.apps[i]!, req.base));
  const last = page.positions[page.positions.length - 1];
  return pageResponse(req, items, page.more && last !== undefined ? encodeCursor('a', last) : undefined, limit);
}

function listAppUsers(state: OktaState, req: ApiRequest) {
  const a = requireApp(state, req.params.id!);
  const limit = parseLimit(req.url.searchParams.get('limit'), 50, 500);
  // The cursor is a position in the sorted assignment array, which shifts only on writes.
  const afterUser = decodeCursor('au', req.url.searchParams.get('after'));
  const at = afterUser < 0 ? -1 : bsearch(a.assigned, afterUser);
  const start = afterUser < 0 ? 0 : at >= 0 ? at + 1 : -at - 1;
  const q = req.url.searchParams.get('q')?.toLowerCase();
  const page = collectPositions(range(start, a.assigned.length), limit, (p) => {
    const u = state.users[a.assigned[p]!]!;
    return !u.deleted && (!q || String(u.profile.login).toLowerCase().startsWith(q));
  });
  const items = page.positions.map((p) => renderAppUser(state, a, a.assigned[p]!, req.base));
  const last = page.positions[page.positions.length - 1];
  const next = page.more && last !== undefined ? encodeCursor('au', a.assigned[last]!) : undefined;
  return pageResponse(req, items, next, limit);
}

function assign(state: OktaState, req: ApiRequest, userId: unknown) {
  if (typeof userId !== 'string') throw validation('id', 'the user id is required');
  const a = requireApp(state, req.params.id!);
  const u = requireUser(state, userId);
  assignApp(state, a, u, req.body ?? {}, req.info);
  return json(renderAppUser(state, a, u.index, req.base));
}

export function appRoutes({ state }: RouteContext): Route[] {
  return [
    { method: 'GET', pattern: '/api/v1/apps', handler: (req) => listApps(state, req) },
    { method: 'GET', pattern: '/api/v1/apps/:id', handler: (req) => json(renderApp(requireApp(state, req.params.id!), req.base)) },
    { method: 'GET', pattern: '/api/v1/apps/:id/users', handler: (req) => listAppUsers(state, req) },
    {
      method: 'GET',
      pattern: '/api/v1/apps/:id/users/:userId',
      handler: (req) => {
        const a = requireApp(state, req.params.id!);
        const u = requireUser(state, req.params.userId!);
        if (bsearch(a.assigned, u.index) < 0) throw notFound(req.params.userId!, 'AppUser');
        return json(renderAppUser(state, a, u.index, req.base));
      },
    },
    { method: 'POST', pattern: '/api/v1/apps/:id/users', handler: (req) => assign(state, req, req.body?.id) },
    { method: 'PUT', pattern: '/api/v1/apps/:id/users/:userId', handler: (req) => assign(state, req, req.params.userId) },
    { method: 'POST', pattern: '/api/v1/apps/:id/users/:userId', handler: (req) => assign(state, req, req.params.userId) },
    {
      method: 'DELETE',
      pattern: '/api/v1/apps/:id/users/:userId',
      handler: (req) => {
        const a = requireApp(state, req.params.id!);
        const u = requireUser(state, req.params.userId!);
        if (!unassignApp(state, a, u, req.info)) throw notFound(req.params.userId!, 'AppUser');
        return noContent();
      },
    },
  ];
}
