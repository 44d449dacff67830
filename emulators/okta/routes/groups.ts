// /api/v1/groups: list (paged, filter/search/q), read, members (paged), create, replace (PUT),
// delete, membership add and remove.

import { notFound } from '../errors';
import { compileFilter, type AttrValue, type FilterRules, type Predicate } from '../filter';
import { addMember, createGroup, deleteGroup, removeMember, replaceGroup } from '../groupWrites';
import { collectPositions, decodeCursor, encodeCursor, pageResponse, parseLimit, range } from '../paging';
import { renderGroup, renderUser } from '../render';
import { json, noContent, type ApiRequest, type Route, type RouteContext } from '../router';
import type { GroupRecord, OktaState } from '../state';
import { requireUser } from './users';

const DATE_OPS = ['eq', 'gt', 'ge', 'lt', 'le'];
const FILTER_RULES: FilterRules = {
  allowed: { id: ['eq'], type: ['eq'], lastUpdated: DATE_OPS, lastMembershipUpdated: DATE_OPS, created: DATE_OPS },
};

function groupAttr(g: GroupRecord, path: string): AttrValue {
  switch (path) {
    case 'id': return g.id;
    case 'type': return g.type;
    case 'created': return g.created;
    case 'lastUpdated': return g.lastUpdated;
    case 'lastMembershipUpdated': return g.lastMembershipUpdated;
  }
  if (path.startsWith('profile.')) return g.profile[path.slice(8)] as AttrValue;
  return undefined;
}

function requireGroup(state: OktaState, id: string): GroupRecord {
  const g = state.findGroup(id);
  if (!g) throw notFound(id, 'UserGroup');
  return g;
}

function listGroups(state: OktaState, req: ApiRequest) {
  const params = req.url.searchParams;
  const limit = parseLimit(params.get('limit'), 10_000, 10_000);
  const after = decodeCursor('g', params.get('after'));
  const tests: Predicate<GroupRecord>[] = [];
  const filter = params.get('filter');
  const search = params.get('search');
  const q = params.get('q')?.toLowerCase();
  if (filter) tests.push(compileFilter(filter, groupAttr, FILTER_RULES));
  if (search) tests.push(compileFilter(search, groupAttr));
  if (q) tests.push((g) => String(g.profile.name).toLowerCase().startsWith(q));
  const page = collectPositions(range(after + 1, state.groups.length), limit, (i) => {
    const g = state.groups[i]!;
    return !g.deleted && tests.every((t) => t(g));
  });
  const items = page.positions.map((i) => renderGroup(state.groups[i]!, req.base));
  const last = page.positions[page.positions.length - 1];
  return pageResponse(req, items, page.more && last !== undefined ? encodeCursor('g', last) : undefined, limit);
}

function listMembers(state: OktaState, req: ApiRequest) {
  const g = requireGroup(state, req.params.id!);
  const limit = parseLimit(req.url.searchParams.get('limit'), 1000, 1000);
  const after = decodeCursor('m', req.url.searchParams.get('after'));
  const page = collectPositions(state.memberIndices(g, after + 1), limit, () => true);
  const items = page.positions.map((i) => renderUser(state.users[i]!, req.base));
  const last = page.positions[page.positions.length - 1];
  return pageResponse(req, items, page.more && last !== undefined ? encodeCursor('m', last) : undefined, limit);
}

export function groupRoutes({ state }: RouteContext): Route[] {
  return [
    { method: 'GET', pattern: '/api/v1/groups', handler: (req) => listGroups(state, req) },
    { method: 'GET', pattern: '/api/v1/groups/:id', handler: (req) => json(renderGroup(requireGroup(state, req.params.id!), req.base)) },
    { method: 'GET', pattern: '/api/v1/groups/:id/users', handler: (req) => listMembers(state, req) },
    {
      method: 'POST',
      pattern: '/api/v1/groups',
      handler: (req) => json(renderGroup(createGroup(state, req.body ?? {}, req.info), req.base)),
    },
    {
      method: 'PUT',
      pattern: '/api/v1/groups/:id',
      handler: (req) => {
        const g = requireGroup(state, req.params.id!);
        replaceGroup(state, g, req.body ?? {}, req.info);
        return json(renderGroup(g, req.base));
      },
    },
    {
      method: 'DELETE',
      pattern: '/api/v1/groups/:id',
      handler: (req) => {
        deleteGroup(state, requireGroup(state, req.params.id!), req.info);
        return noContent();
      },
    },
    {
      method: 'PUT',
      pattern: '/api/v1/groups/:id/users/:userId',
      handler: (req) => {
        addMember(state, requireGroup(state, req.params.id!), requireUser(state, req.params.userId!), req.info);
        return noContent();
      },
    },
    {
      method: 'DELETE',
      pattern: '/api/v1/groups/:id/users/:userId',
      handler: (req) => {
        removeMember(state, requireGroup(state, req.params.id!), requireUser(state, req.params.userId!), req.info);
        return noContent();
      },
    },
  ];
}
