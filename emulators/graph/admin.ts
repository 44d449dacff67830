// The admin side of the emulator: what tests do to the tenant between sync runs. The same
// operations are methods (`emu.admin.*`) and HTTP endpoints under `/_admin/` (JSON in and out,
// errors `{error:{code, message}}` naming the bad field).

import type { Auth } from './auth';
import type { DeltaEngine, DeltaExpiryCode } from './delta';
import { PROPERTIES, render, type AppRoleAssignment, type DirObject, type GroupObject } from './model';
import type { GraphClientApp, ThrottleSettings } from './options';
import type { DeliveryRecord, Subscriptions } from './subscriptions';
import { BadRequest, NotFound, type Tenant } from './tenant';
import type { Throttle } from './throttle';

export type { DeltaExpiryCode } from './delta';
export type { DeliveryRecord } from './subscriptions';

export interface TenantSnapshot {
  tenantId: string;
  /** Active users and groups with all their properties (soft-deleted ones are not in it). */
  users: Record<string, unknown>[];
  groups: Record<string, unknown>[];
  /** Direct memberships between active objects. */
  memberships: Array<{ groupId: string; memberId: string; memberType: 'user' | 'group' | 'servicePrincipal' }>;
  applications: Record<string, unknown>[];
  servicePrincipals: Record<string, unknown>[];
  appRoleAssignments: AppRoleAssignment[];
  /** Soft-deleted (restorable) user and group ids. */
  deletedItems: string[];
  /** The change-log position: a delta round started now covers changes up to here. */
  seq: number;
}

export interface RuntimeOptions {
  emptyPageRate?: number;
  tokenTtlSeconds?: number;
  deltaTokenMaxAgeMs?: number | null;
  deltaPageSize?: number;
  membersPerDeltaEntry?: number;
  defaultPageSize?: number;
}

export interface GraphAdmin {
  createUser(props: Record<string, unknown>): Record<string, unknown>;
  updateUser(id: string, props: Record<string, unknown>): Record<string, unknown>;
  /** Soft delete (restorable); `permanent` purges at once. */
  deleteUser(id: string, opts?: { permanent?: boolean }): void;
  createGroup(props: Record<string, unknown>, members?: string[]): Record<string, unknown>;
  updateGroup(id: string, props: Record<string, unknown>): Record<string, unknown>;
  deleteGroup(id: string, opts?: { permanent?: boolean }): void;
  /** Restores a soft-deleted user or group (with its memberships). */
  restore(id: string): Record<string, unknown>;
  /** Permanently deletes a soft-deleted user or group. */
  purge(id: string): void;
  addMembers(groupId: string, memberIds: string[]): { added: string[]; removed: string[] };
  removeMembers(groupId: string, memberIds: string[]): { added: string[]; removed: string[] };
  assignApp(servicePrincipalId: string, principalId: string, appRoleId?: string): AppRoleAssignment;
  unassignApp(servicePrincipalId: string, assignmentId: string): void;
  /** Every delta and skip token issued so far answers 410 with `code` (default syncStateNotFound). */
  expireDeltaTokens(code?: DeltaExpiryCode): void;
  /** Creates or updates an app registration (permissions apply to tokens issued afterwards). */
  setClient(app: Partial<GraphClientApp> & { clientId: string }): void;
  setPermissions(clientId: string, permissions: string[]): void;
  /** Revokes issued tokens (all, or one client's); returns how many. */
  revokeTokens(clientId?: string): number;
  setThrottle(s: ThrottleSettings | null): void;
  /** The next `count` Graph requests (any app) fail with `status` and Retry-After. */
  failNext(count: number, status?: 429 | 503, retryAfterSeconds?: number): void;
  setOptions(o: RuntimeOptions): void;
  snapshot(): TenantSnapshot;
  deliveries(): DeliveryRecord[];
  /** Waits until pending change notifications have been posted. */
  flushNotifications(): Promise<void>;
  stats(): { requests: number; throttled: number; tokensIssued: number; seq: number; users: number; groups: number };
}

export interface AdminDeps {
  tenant: Tenant;
  auth: Auth;
  delta: DeltaEngine;
  throttle: Throttle;
  subscriptions: Subscriptions;
  options: { emptyPageRate: number; defaultPageSize: number };
  requests: () => number;
}

/** Every property of the type (null where the object has none), not just Graph's default set. */
const full = (o: DirObject) => render(o, [...PROPERTIES[o.kind]]);

export function createAdmin(d: AdminDeps): GraphAdmin {
  const t = d.tenant;
  const members = (g: GroupObject) => [...g.members.values()].filter((m) => t.active(m));
  return {
    createUser: (props) => full(t.createUser(props)),
    updateUser: (id, props) => full(t.update('user', id, props)),
    deleteUser: (id, o) => t.remove('user', id, o?.permanent ?? false),
    createGroup: (props, m) => full(t.createGroup(props, m ?? [])),
    updateGroup: (id, props) => full(t.update('group', id, props)),
    deleteGroup: (id, o) => t.remove('group', id, o?.permanent ?? false),
    restore: (id) => full(t.restore(id)),
    purge: (id) => t.purge(id),
    addMembers: (g, ids) => t.changeMembers(g, ids, []),
    removeMembers: (g, ids) => t.changeMembers(g, [], ids),
    assignApp: (sp, p, role) => t.assign(sp, p, role),
    unassignApp: (sp, a) => t.unassign(sp, a),
    expireDeltaTokens: (code = 'syncStateNotFound') => {
      if (!['syncStateNotFound', 'resyncRequired', 'syncStateInvalid'].includes(code)) throw new BadRequest('code must be syncStateNotFound, resyncRequired or syncStateInvalid');
      d.delta.expireAll(code);
    },
    setClient: (app) => d.auth.setClient(app),
    setPermissions: (clientId, permissions) => {
      if (!d.auth.clients.has(clientId)) throw new NotFound(`no client ${clientId}`);
      if (!Array.isArray(permissions) || permissions.some((p) => typeof p !== 'string')) throw new BadRequest('permissions must be a list of permission names');
      d.auth.setClient({ clientId, permissions });
    },
    revokeTokens: (clientId) => d.auth.revoke(clientId),
    setThrottle: (s) => d.throttle.set(s),
    failNext: (count, status = 429, retryAfterSeconds = 1) => d.throttle.failNext(count, status, retryAfterSeconds),
    setOptions: (o) => {
      const known = ['emptyPageRate', 'tokenTtlSeconds', 'deltaTokenMaxAgeMs', 'deltaPageSize', 'membersPerDeltaEntry', 'defaultPageSize'];
      for (const k of Object.keys(o)) if (!known.includes(k)) throw new BadRequest(`unknown option ${k} (known: ${known.join(', ')})`);
      const num = (name: string, v: unknown, min: number, max: number) => {
        if (typeof v !== 'number' || !(v >= min && v <= max)) throw new BadRequest(`${name} must be a number from ${min} to ${max}`);
        return v;
      };
      if (o.emptyPageRate !== undefined) d.options.emptyPageRate = num('emptyPageRate', o.emptyPageRate, 0, 1);
      if (o.tokenTtlSeconds !== undefined) d.auth.tokenTtlSeconds = Math.floor(num('tokenTtlSeconds', o.tokenTtlSeconds, 1, 86_400));
      if (o.deltaTokenMaxAgeMs !== undefined) d.delta.settings.maxAgeMs = o.deltaTokenMaxAgeMs === null ? undefined : num('deltaTokenMaxAgeMs', o.deltaTokenMaxAgeMs, 0, 1e12);
      if (o.deltaPageSize !== undefined) d.delta.settings.pageSize = Math.floor(num('deltaPageSize', o.deltaPageSize, 1, 999));
      if (o.membersPerDeltaEntry !== undefined) d.delta.settings.membersPerEntry = Math.floor(num('membersPerDeltaEntry', o.membersPerDeltaEntry, 1, 100_000));
      if (o.defaultPageSize !== undefined) d.options.defaultPageSize = Math.floor(num('defaultPageSize', o.defaultPageSize, 1, 999));
    },
    snapshot: () => snapshot(t, members),
    deliveries: () => [...d.subscriptions.deliveries],
    flushNotifications: () => d.subscriptions.drain(),
    stats: () => ({ requests: d.requests(), throttled: d.throttle.throttled, tokensIssued: d.auth.issued, seq: t.seq, users: t.count('user'), groups: t.count('group') }),
  };
}

function snapshot(t: Tenant, members: (g: GroupObject) => string[]): TenantSnapshot {
  const activeOf = (kind: 'user' | 'group' | 'application' | 'servicePrincipal') =>
    [...t.lists[kind].values()].map((id) => t.active(id, kind)).filter((o): o is DirObject => !!o);
  const groups = activeOf('group') as GroupObject[];
  const memberships: TenantSnapshot['memberships'] = [];
  for (const g of groups) {
    for (const m of members(g)) memberships.push({ groupId: g.id, memberId: m, memberType: t.get(m)!.kind as 'user' | 'group' | 'servicePrincipal' });
  }
  const appRoleAssignments: AppRoleAssignment[] = [];
  for (const sp of activeOf('servicePrincipal')) {
    const b = t.assignments.get(sp.id)!;
    for (const id of b.order.values()) appRoleAssignments.push({ ...b.byId.get(id)! });
  }
  const deletedItems: string[] = [];
  for (const kind of ['user', 'group'] as const) for (const id of t.lists[kind].values()) if (t.get(id)?.state === 'soft') deletedItems.push(id);
  return {
    tenantId: t.tenantId,
    users: activeOf('user').map(full),
    groups: groups.map(full),
    memberships,
    applications: activeOf('application').map(full),
    servicePrincipals: activeOf('servicePrincipal').map(full),
    appRoleAssignments,
    deletedItems,
    seq: t.seq,
  };
}

/** `/_admin/...` over HTTP. Returns [status, body]. */
export async function handleAdmin(admin: GraphAdmin, method: string, segments: string[], query: URLSearchParams, body: Record<string, unknown> | undefined): Promise<[number, unknown]> {
  const b = body ?? {};
  const list = (name: string): string[] => {
    const v = b[name];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new BadRequest(`${name} must be a list of object ids`);
    return v as string[];
  };
  const props = (): Record<string, unknown> => {
    const { members: _m, ...rest } = b;
    void _m;
    return rest;
  };
  const permanent = query.get('permanent') === 'true';
  const [a, id, rel, sub] = segments;
  const route = `${method} ${a ?? ''}${id ? '/:id' : ''}${rel ? `/${rel}` : ''}${sub ? '/:sub' : ''}`;
  switch (route) {
    case 'GET tenant': return [200, admin.snapshot()];
    case 'GET stats': return [200, admin.stats()];
    case 'GET notifications': return [200, { value: admin.deliveries() }];
    case 'POST notifications/:id': if (id === 'flush') { await admin.flushNotifications(); return [204, undefined]; } break;
    case 'POST users': return [201, admin.createUser(b)];
    case 'PATCH users/:id': return [200, admin.updateUser(id!, b)];
    case 'DELETE users/:id': admin.deleteUser(id!, { permanent }); return [204, undefined];
    case 'POST groups': return [201, admin.createGroup(props(), list('members'))];
    case 'PATCH groups/:id': return [200, admin.updateGroup(id!, b)];
    case 'DELETE groups/:id': admin.deleteGroup(id!, { permanent }); return [204, undefined];
    case 'POST groups/:id/members': {
      const added = list('add').length ? admin.addMembers(id!, list('add')).added : [];
      const removed = list('remove').length ? admin.removeMembers(id!, list('remove')).removed : [];
      return [200, { added, removed }];
    }
    case 'POST deletedItems/:id/restore': return [200, admin.restore(id!)];
    case 'DELETE deletedItems/:id': admin.purge(id!); return [204, undefined];
    case 'POST servicePrincipals/:id/appRoleAssignedTo': {
      if (typeof b.principalId !== 'string') throw new BadRequest('principalId is required (an object id)');
      if (b.appRoleId !== undefined && typeof b.appRoleId !== 'string') throw new BadRequest('appRoleId must be a string');
      return [201, admin.assignApp(id!, b.principalId, b.appRoleId as string | undefined)];
    }
    case 'DELETE servicePrincipals/:id/appRoleAssignedTo/:sub': admin.unassignApp(id!, sub!); return [204, undefined];
    case 'POST delta/:id': if (id === 'expire') { admin.expireDeltaTokens((b.code as DeltaExpiryCode | undefined) ?? 'syncStateNotFound'); return [204, undefined]; } break;
    case 'PUT clients/:id': admin.setClient({ clientId: id!, clientSecret: b.clientSecret as string | undefined, permissions: b.permissions as string[] | undefined }); return [204, undefined];
    case 'PUT clients/:id/permissions': admin.setPermissions(id!, b.permissions as string[]); return [204, undefined];
    case 'POST tokens/:id': if (id === 'revoke') return [200, { revoked: admin.revokeTokens(b.clientId as string | undefined) }]; break;
    case 'PUT throttle': admin.setThrottle(b as unknown as ThrottleSettings); return [204, undefined];
    case 'DELETE throttle': admin.setThrottle(null); return [204, undefined];
    case 'POST faults': admin.failNext(b.count as number, (b.status as 429 | 503 | undefined) ?? 429, (b.retryAfterSeconds as number | undefined) ?? 1); return [204, undefined];
    case 'PATCH options': admin.setOptions(b as RuntimeOptions); return [204, undefined];
  }
  throw new NotFound(`no admin endpoint ${method} /_admin/${segments.join('/')}`);
}
