// User writes with Okta's semantics: create (staged or activated), replace (PUT) and partial
// (POST) profile updates, lifecycle transitions with Okta's state rules, and the two-step delete.
// Every write is validated in full before anything changes, stamps `lastUpdated` and appends the
// System Log event a real org records (event hooks listen to the log).

import { alreadyActive, notInUserStatus, OktaApiError, unlockForbidden } from './errors';
import type { AttrDef } from './profileSchema';
import { oktaId } from './random';
import { sortedRemove, type OktaState, type UserRecord, type UserStatus } from './state';
import { appendEvent, userTarget, type RequestInfo } from './systemLog';
import { profileCauses, profileObject, validationFailed, type Cause, type ProfileChecks } from './validate';

function userChecks(state: OktaState, self?: UserRecord): ProfileChecks {
  return {
    taken(attr: AttrDef, value: string) {
      const needle = value.toLowerCase();
      if (attr.name === 'login') {
        const owner = state.userByLogin.get(needle);
        return owner !== undefined && owner !== self?.index;
      }
      return state.users.some((u) => !u.deleted && u !== self && String(u.profile[attr.name] ?? '').toLowerCase() === needle);
    },
  };
}

const PASSWORD_RULES =
  'Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username.';

/** Whether `credentials` sets a password, and what is wrong with it (Okta's default policy). */
function passwordOf(credentials: unknown, login: unknown): { set: boolean; causes: Cause[] } {
  if (credentials === undefined || credentials === null) return { set: false, causes: [] };
  if (typeof credentials !== 'object' || Array.isArray(credentials)) {
    return { set: false, causes: [{ field: 'credentials', text: 'credentials: must be a JSON object' }] };
  }
  const password = (credentials as { password?: unknown }).password;
  if (password === undefined || password === null) return { set: false, causes: [] };
  const { value, hash } = (password ?? {}) as { value?: unknown; hash?: unknown };
  if (hash && typeof hash === 'object') return { set: true, causes: [] };
  if (typeof value !== 'string' || value === '') {
    return { set: false, causes: [{ field: 'password', text: 'password: The field cannot be left blank' }] };
  }
  const userPart = typeof login === 'string' ? login.split('@')[0]!.toLowerCase() : '';
  const weak = value.length < 8 || !/[a-z]/.test(value) || !/[A-Z]/.test(value) || !/[0-9]/.test(value) ||
    (userPart.length >= 3 && value.toLowerCase().includes(userPart));
  return { set: true, causes: weak ? [{ field: 'password', text: `password: ${PASSWORD_RULES}` }] : [] };
}

function setLogin(state: OktaState, u: UserRecord, newLogin: string): void {
  state.userByLogin.delete(String(u.profile.login).toLowerCase());
  state.userByLogin.set(newLogin.toLowerCase(), u.index);
}

export function createUser(state: OktaState, body: Record<string, unknown>, activate: boolean, req: RequestInfo): UserRecord {
  // A missing profile is reported field by field, as Okta does, rather than as one "profile" cause.
  const profile = body.profile === undefined ? {} : profileObject(body.profile);
  const password = passwordOf(body.credentials, profile.login);
  const causes = [...profileCauses(state.schemas.user, profile, userChecks(state)), ...password.causes];
  if (causes.length) throw validationFailed(causes);
  const now = Date.now();
  const status: UserStatus = !activate ? 'STAGED' : password.set ? 'ACTIVE' : 'PROVISIONED';
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
    passwordChanged: password.set ? now : null,
    typeId: typeof type?.id === 'string' ? type.id : state.users[0]?.typeId ?? 'oty00000000000000000',
    hasPassword: password.set,
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

/**
 * `replace` = PUT: the body's profile becomes the whole profile (a property left out is removed,
 * a required one left out is refused). Otherwise POST: the given properties are merged in, and a
 * property sent as null is cleared.
 */
export function updateUser(state: OktaState, u: UserRecord, body: Record<string, unknown>, replace: boolean, req: RequestInfo): void {
  const given = body.profile === undefined ? undefined : profileObject(body.profile);
  const next = replace ? { ...(given ?? {}) } : { ...u.profile, ...(given ?? {}) };
  const password = passwordOf(body.credentials, next.login);
  const causes = [...(replace || given ? profileCauses(state.schemas.user, next, userChecks(state, u)) : []), ...password.causes];
  if (causes.length) throw validationFailed(causes);
  const now = Date.now();
  if (replace || given) {
    setLogin(state, u, String(next.login));
    u.profile = next;
    u.lastUpdated = now;
    appendEvent(state, 'user.account.update_profile', [userTarget(u)], req);
  }
  if (password.set) {
    u.hasPassword = true;
    u.passwordChanged = now;
    u.lastUpdated = now;
    appendEvent(state, 'user.account.update_password', [userTarget(u)], req);
  }
}

export type LifecycleAction = 'activate' | 'deactivate' | 'suspend' | 'unsuspend' | 'reactivate' | 'unlock';
export const LIFECYCLE_ACTIONS: readonly LifecycleAction[] = ['activate', 'deactivate', 'suspend', 'unsuspend', 'reactivate', 'unlock'];

/** Refuses a transition the user's status does not allow, with the error Okta answers for it. */
function checkTransition(u: UserRecord, action: LifecycleAction): void {
  const s = u.status;
  const refusedBy = (message: string) =>
    new OktaApiError(400, 'E0000001', `Api validation failed: ${action}`, [message]);
  switch (action) {
    case 'activate':
      if (s !== 'STAGED' && s !== 'DEPROVISIONED') throw alreadyActive();
      return;
    case 'deactivate':
      if (s === 'DEPROVISIONED') throw notInUserStatus(`Cannot deactivate a user with status ${s}`);
      return;
    case 'suspend':
      if (s !== 'ACTIVE') throw refusedBy(`Cannot suspend a user with status ${s}; only ACTIVE users can be suspended`);
      return;
    case 'unsuspend':
      if (s !== 'SUSPENDED') throw refusedBy(`Cannot unsuspend a user with status ${s}; only SUSPENDED users can be unsuspended`);
      return;
    case 'reactivate':
      if (s !== 'PROVISIONED') throw notInUserStatus(`Cannot reactivate a user with status ${s}; only PROVISIONED users can be reactivated`);
      return;
    case 'unlock':
      if (s !== 'LOCKED_OUT') throw unlockForbidden();
      return;
  }
}

const EVENT: Record<LifecycleAction, string> = {
  activate: 'user.lifecycle.activate',
  deactivate: 'user.lifecycle.deactivate',
  suspend: 'user.lifecycle.suspend',
  unsuspend: 'user.lifecycle.unsuspend',
  reactivate: 'user.lifecycle.reactivate',
  unlock: 'user.account.unlock_by_admin',
};

export function changeLifecycle(state: OktaState, u: UserRecord, action: LifecycleAction, req: RequestInfo): void {
  checkTransition(u, action);
  const now = Date.now();
  const to: Record<LifecycleAction, UserStatus> = {
    activate: u.hasPassword ? 'ACTIVE' : 'PROVISIONED',
    deactivate: 'DEPROVISIONED',
    suspend: 'SUSPENDED',
    unsuspend: 'ACTIVE',
    // Reactivation sends a new activation email; the user stays PROVISIONED until it is used.
    reactivate: 'PROVISIONED',
    unlock: 'ACTIVE',
  };
  if (u.status !== to[action]) u.statusChanged = now;
  u.status = to[action];
  u.lastUpdated = now;
  if (action === 'activate') u.activated = now;
  appendEvent(state, EVENT[action], [userTarget(u)], req);
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
  const now = Date.now();
  for (const g of state.groups) {
    if (g.members === 'everyone') continue;
    const next = sortedRemove(g.members, u.index);
    // The group lost a member: a reader asking for groups by lastMembershipUpdated must see it.
    if (next !== g.members) g.lastMembershipUpdated = now;
    g.members = next;
  }
  for (const a of state.apps) {
    a.assigned = sortedRemove(a.assigned, u.index);
    a.custom.delete(u.index);
  }
  appendEvent(state, 'user.lifecycle.delete.initiated', [userTarget(u)], req);
}
