// Writes with Okta's semantics. Every change stamps `lastUpdated` / `lastMembershipUpdated` and
// appends the System Log event a real org would record for it.

import { OktaApiError, validation } from './errors';
import { oktaId } from './random';
import {
  sortedInsert, sortedRemove,
  type AppRecord, type GroupRecord, type OktaState, type UserRecord, type UserStatus,
} from './state';
import { appendEvent, appTarget, groupTarget, userTarget, type RequestInfo } from './systemLog';

const REQUIRED_PROFILE = ['login', 'email', 'firstName', 'lastName'];

function checkProfile(state: OktaState, profile: unknown, self?: UserRecord): Record<string, unknown> {
  if (!profile || typeof profile !== 'object' || Array.isArray(profile)) throw validation('profile', 'must be an object');
  const p = profile as Record<string, unknown>;
  for (const f of REQUIRED_PROFILE) {
    if (typeof p[f] !== 'string' || !p[f]) throw validation(`profile.${f}`, 'The field cannot be left blank');
  }
  const login = (p.login as string).toLowerCase();
  const owner = state.userByLogin.get(login);
  if (owner !== undefined && owner !== self?.index) {
    throw validation('login', 'An object with this field already exists in the current organization');
  }
  return p;
}

function setLogin(state: OktaState, u: UserRecord, newLogin: string): void {
  state.userByLogin.delete(String(u.profile.login).toLowerCase());
  state.userByLogin.set(newLogin.toLowerCase(), u.index);
}

export function createUser(state: OktaState, body: Record<string, unknown>, activate: boolean, req: RequestInfo): UserRecord {
  const profile = checkProfile(state, body.profile);
  const creds = body.credentials as Record<string, unknown> | undefined;
  const hasPassword = !!(creds && typeof creds === 'object' && creds.password);
  const now = Date.now();
  const status: UserStatus = !activate ? 'STAGED' : hasPassword ? 'ACTIVE' : 'PROVISIONED';
  const type = body.type as { id?: unknown } | undefined;
  const user: UserRecord = {
    index: state.users.length,
    id: oktaId(state.rng, '00u'),
    status,
    created: now,
    activated: activate ? now : null,
    statusChanged: activate ? now : null,
    lastLogin: null,
    lastUpdated: now,
    passwordChanged: hasPassword ? now : null,
    typeId: typeof type?.id === 'string' ? type.id : state.users[0]?.typeId ?? 'oty00000000000000000',
    hasPassword,
    profile: { ...profile },
    deleted: false,
  };
  state.users.push(user);
  state.userById.set(user.id, user.index);
  state.userByLogin.set(String(profile.login).toLowerCase(), user.index);
  appendEvent(state, 'user.lifecycle.create', [userTarget(user)], req);
  if (activate) appendEvent(state, 'user.lifecycle.activate', [userTarget(user)], req);
  return user;
}

/** `replace` = PUT (the whole profile); otherwise POST (a partial update). */
export function updateProfile(state: OktaState, u: UserRecord, profile: unknown, replace: boolean, req: RequestInfo): void {
  if (!profile || typeof profile !== 'object' || Array.isArray(profile)) throw validation('profile', 'must be an object');
  const next = replace ? { ...(profile as Record<string, unknown>) } : { ...u.profile, ...(profile as Record<string, unknown>) };
  checkProfile(state, next, u);
  setLogin(state, u, String(next.login));
  u.profile = next;
  u.lastUpdated = Date.now();
  appendEvent(state, 'user.account.update_profile', [userTarget(u)], req);
}

type Lifecycle = 'activate' | 'deactivate' | 'suspend' | 'unsuspend' | 'reactivate';

const ALLOWED_FROM: Record<Lifecycle, UserStatus[] | 'any-but-deprovisioned'> = {
  activate: ['STAGED', 'DEPROVISIONED'],
  deactivate: 'any-but-deprovisioned',
  suspend: ['ACTIVE'],
  unsuspend: ['SUSPENDED'],
  reactivate: ['PROVISIONED'],
};

export function changeLifecycle(state: OktaState, u: UserRecord, action: Lifecycle, req: RequestInfo): void {
  const from = ALLOWED_FROM[action];
  const allowed = from === 'any-but-deprovisioned' ? u.status !== 'DEPROVISIONED' : from.includes(u.status);
  if (!allowed) {
    throw new OktaApiError(400, 'E0000001', `Api validation failed: ${action}`, [`Cannot ${action} a user with status ${u.status}`]);
  }
  const now = Date.now();
  const to: Record<Lifecycle, UserStatus> = {
    activate: u.hasPassword ? 'ACTIVE' : 'PROVISIONED',
    deactivate: 'DEPROVISIONED',
    suspend: 'SUSPENDED',
    unsuspend: 'ACTIVE',
    reactivate: 'PROVISIONED',
  };
  u.status = to[action];
  u.statusChanged = now;
  u.lastUpdated = now;
  if (action === 'activate') u.activated = now;
  appendEvent(state, `user.lifecycle.${action}`, [userTarget(u)], req);
}

/** Okta's two-step delete: the first call deactivates, a call on a DEPROVISIONED user deletes. */
export function deleteUser(state: OktaState, u: UserRecord, req: RequestInfo): void {
  if (u.status !== 'DEPROVISIONED') {
    changeLifecycle(state, u, 'deactivate', req);
    return;
  }
  u.deleted = true;
  state.userById.delete(u.id);
  state.userByLogin.delete(String(u.profile.login).toLowerCase());
  for (const g of state.groups) {
    if (g.members !== 'everyone') g.members = sortedRemove(g.members, u.index);
  }
  for (const a of state.apps) {
    a.assigned = sortedRemove(a.assigned, u.index);
    a.custom.delete(u.index);
  }
  appendEvent(state, 'user.lifecycle.delete.initiated', [userTarget(u)], req);
}

function memberGroup(g: GroupRecord): Int32Array {
  if (g.members === 'everyone' || g.type !== 'OKTA_GROUP') {
    throw new OktaApiError(403, 'E0000006', 'You do not have permission to perform the requested action', [
      `Memberships of ${g.type} groups are managed by Okta or their source app`,
    ]);
  }
  return g.members;
}

export function addMember(state: OktaState, g: GroupRecord, u: UserRecord, req: RequestInfo): void {
  const members = memberGroup(g);
  const next = sortedInsert(members, u.index);
  if (next === members) return;
  g.members = next;
  g.lastMembershipUpdated = Date.now();
  appendEvent(state, 'group.user_membership.add', [userTarget(u), groupTarget(g)], req);
}

export function removeMember(state: OktaState, g: GroupRecord, u: UserRecord, req: RequestInfo): void {
  const members = memberGroup(g);
  const next = sortedRemove(members, u.index);
  if (next === members) return;
  g.members = next;
  g.lastMembershipUpdated = Date.now();
  appendEvent(state, 'group.user_membership.remove', [userTarget(u), groupTarget(g)], req);
}

export function createGroup(state: OktaState, body: Record<string, unknown>, req: RequestInfo): GroupRecord {
  const profile = body.profile as Record<string, unknown> | undefined;
  if (!profile || typeof profile.name !== 'string' || !profile.name) throw validation('profile.name', 'The field cannot be left blank');
  const now = Date.now();
  const g: GroupRecord = {
    index: state.groups.length,
    id: oktaId(state.rng, '00g'),
    type: 'OKTA_GROUP',
    created: now,
    lastUpdated: now,
    lastMembershipUpdated: now,
    profile: { name: profile.name, description: typeof profile.description === 'string' ? profile.description : null },
    members: new Int32Array(0),
    sourceAppId: null,
    deleted: false,
  };
  state.groups.push(g);
  state.groupById.set(g.id, g.index);
  appendEvent(state, 'group.lifecycle.create', [groupTarget(g)], req);
  return g;
}

export function deleteGroup(state: OktaState, g: GroupRecord, req: RequestInfo): void {
  if (g.type !== 'OKTA_GROUP') {
    throw new OktaApiError(403, 'E0000006', 'You do not have permission to perform the requested action', [
      `${g.type} groups cannot be deleted through the API`,
    ]);
  }
  g.deleted = true;
  g.members = new Int32Array(0);
  state.groupById.delete(g.id);
  appendEvent(state, 'group.lifecycle.delete', [groupTarget(g)], req);
}

export function assignApp(state: OktaState, a: AppRecord, u: UserRecord, body: Record<string, unknown>, req: RequestInfo): void {
  const now = Date.now();
  const creds = body.credentials as { userName?: unknown } | undefined;
  const existing = a.custom.get(u.index);
  const before = a.assigned;
  a.assigned = sortedInsert(before, u.index);
  const isNew = a.assigned !== before;
  a.custom.set(u.index, {
    scope: body.scope === 'GROUP' ? 'GROUP' : 'USER',
    created: existing?.created ?? now,
    lastUpdated: now,
    userName: typeof creds?.userName === 'string' ? creds.userName : existing?.userName ?? null,
    profile: body.profile && typeof body.profile === 'object' ? (body.profile as Record<string, unknown>) : existing?.profile ?? {},
  });
  if (isNew) appendEvent(state, 'application.user_membership.add', [userTarget(u), appTarget(a)], req);
}

export function unassignApp(state: OktaState, a: AppRecord, u: UserRecord, req: RequestInfo): boolean {
  const next = sortedRemove(a.assigned, u.index);
  if (next === a.assigned) return false;
  a.assigned = next;
  a.custom.delete(u.index);
  appendEvent(state, 'application.user_membership.remove', [userTarget(u), appTarget(a)], req);
  return true;
}
