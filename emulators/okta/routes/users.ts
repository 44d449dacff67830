// /api/v1/users: list (paged, search/filter), read by id or login, create, replace (PUT) and partial
// (POST) update, lifecycle transitions, two-step delete.

import { forbiddenFor, notFound, validation } from '../errors';
import { compileFilter, type AttrValue, type FilterRules, type Predicate } from '../filter';
import { addMember } from '../groupWrites';
import { collectPositions, decodeCursor, encodeCursor, pageResponse, parseLimit, range } from '../paging';
import { renderGroup, renderUser } from '../render';
import { randomToken } from '../random';
import { json, noContent, type ApiRequest, type Route, type RouteContext } from '../router';
import type { OktaState, UserRecord } from '../state';
import { changeLifecycle, createUser, deleteUser, LIFECYCLE_ACTIONS, updateUser, type LifecycleAction } from '../userWrites';

const DATE_OPS = ['eq', 'gt', 'ge', 'lt', 'le'];
const FILTER_RULES: FilterRules = {
  allowed: {
    status: ['eq'],
    id: ['eq'],
    lastUpdated: DATE_OPS,
    'type.id': ['eq'],
    'profile.login': ['eq'],
    'profile.email': ['eq'],
    'profile.firstName': ['eq'],
    'profile.lastName': ['eq'],
  },
};
const DATES = new Set(['created', 'activated', 'statusChanged', 'lastLogin', 'lastUpdated', 'passwordChanged']);

export function userAttr(u: UserRecord, path: string): AttrValue {
  if (path === 'id' || path === 'status') return u[path];
  if (DATES.has(path)) return u[path as 'created'];
  if (path === 'type.id') return u.typeId;
  if (path.startsWith('profile.')) return u.profile[path.slice(8)] as AttrValue;
  return undefined;
}

export function requireUser(state: OktaState, idOrLogin: string): UserRecord {
  const u = state.findUser(idOrLogin);
  if (!u) throw notFound(idOrLogin, 'User');
  return u;
}

function listPredicate(url: URL): Predicate<UserRecord> {
  const search = url.searchParams.get('search');
  const filter = url.searchParams.get('filter');
  const q = url.searchParams.get('q')?.toLowerCase();
  const tests: Predicate<UserRecord>[] = [];
  if (search) tests.push(compileFilter(search, userAttr));
  if (filter) tests.push(compileFilter(filter, userAttr, FILTER_RULES));
  if (q) {
    tests.push((u) => ['firstName', 'lastName', 'email'].some((f) => String(u.profile[f] ?? '').toLowerCase().startsWith(q)));
  }
  // Without search or filter Okta leaves DEPROVISIONED users out of the list.
  if (!search && !filter) tests.push((u) => u.status !== 'DEPROVISIONED');
  return (u) => tests.every((t) => t(u));
}

function listUsers(state: OktaState, req: ApiRequest) {
  const limit = parseLimit(req.url.searchParams.get('limit'), 200, 200);
  const after = decodeCursor('u', req.url.searchParams.get('after'));
  const test = listPredicate(req.url);
  const page = collectPositions(range(after + 1, state.users.length), limit, (i) => {
    const u = state.users[i]!;
    return !u.deleted && test(u);
  });
  const items = page.positions.map((i) => renderUser(state.users[i]!, req.base));
  const last = page.positions[page.positions.length - 1];
  return pageResponse(req, items, page.more && last !== undefined ? encodeCursor('u', last) : undefined, limit);
}

function notFoundGroup(id: string): never {
  throw validation('groupIds', `group ${id} does not exist`);
}

function bodyOf(req: ApiRequest): Record<string, unknown> {
  if (!req.body) throw validation('body', 'a JSON object is required');
  return req.body;
}

export function userRoutes({ state }: RouteContext): Route[] {
  return [
    { method: 'GET', pattern: '/api/v1/users', handler: (req) => listUsers(state, req) },
    { method: 'GET', pattern: '/api/v1/users/:id', handler: (req) => json(renderUser(requireUser(state, req.params.id!), req.base)) },
    {
      method: 'GET',
      pattern: '/api/v1/users/:id/groups',
      handler: (req) => {
        const u = requireUser(state, req.params.id!);
        const groups = state.groups.filter((g) => !g.deleted && state.isMember(g, u.index));
        return json(groups.map((g) => renderGroup(g, req.base)));
      },
    },
    {
      method: 'POST',
      pattern: '/api/v1/users',
      handler: (req) => {
        const activate = req.url.searchParams.get('activate') !== 'false';
        const body = bodyOf(req);
        const groupIds = Array.isArray(body.groupIds) ? body.groupIds.map(String) : [];
        const groups = groupIds.map((id) => state.findGroup(id) ?? notFoundGroup(id));
        // Checked before the user exists, so a refused group leaves no half-made user behind.
        const unmanaged = groups.find((g) => g.type !== 'OKTA_GROUP');
        if (unmanaged) throw forbiddenFor(`groupIds: ${unmanaged.id} is a ${unmanaged.type} group; only OKTA_GROUP members can be added`);
        const user = createUser(state, body, activate, req.info);
        for (const g of groups) addMember(state, g, user, req.info);
        return json(renderUser(user, req.base));
      },
    },
    ...(['POST', 'PUT'] as const).map((method) => ({
      method,
      pattern: '/api/v1/users/:id',
      handler: (req: ApiRequest) => {
        const u = requireUser(state, req.params.id!);
        updateUser(state, u, bodyOf(req), method === 'PUT', req.info);
        return json(renderUser(u, req.base));
      },
    })),
    {
      method: 'POST',
      pattern: '/api/v1/users/:id/lifecycle/:action',
      handler: (req) => {
        const action = req.params.action as LifecycleAction;
        if (!LIFECYCLE_ACTIONS.includes(action)) throw notFound(req.url.pathname, 'Path');
        changeLifecycle(state, requireUser(state, req.params.id!), action, req.info);
        // With sendEmail=false Okta hands the activation link to the caller instead of mailing it.
        if ((action === 'activate' || action === 'reactivate') && req.url.searchParams.get('sendEmail') === 'false') {
          const activationToken = randomToken(state.rng, 20);
          return json({ activationUrl: `${req.base}/welcome/${activationToken}`, activationToken });
        }
        return json({});
      },
    },
    {
      method: 'DELETE',
      pattern: '/api/v1/users/:id',
      handler: (req) => {
        deleteUser(state, requireUser(state, req.params.id!), req.info);
        return noContent();
      },
    },
  ];
}
