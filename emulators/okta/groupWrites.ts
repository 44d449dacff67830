// Group writes with Okta's semantics: only OKTA_GROUPs are created, renamed and given members
// through the API; APP_GROUPs belong to their source app and the BUILT_IN Everyone group to Okta.
// Every write stamps `lastUpdated` / `lastMembershipUpdated` and appends its System Log event.

import { forbiddenFor } from './errors';
import type { AttrDef } from './profileSchema';
import { oktaId } from './random';
import { sortedInsert, sortedRemove, type GroupRecord, type OktaState, type UserRecord } from './state';
import { appendEvent, groupTarget, userTarget, type RequestInfo } from './systemLog';
import { profileCauses, profileObject, validationFailed, type ProfileChecks } from './validate';

/** Names are unique among the groups an admin manages; an imported APP_GROUP may repeat one. */
function groupChecks(state: OktaState, self?: GroupRecord): ProfileChecks {
  return {
    taken: (attr: AttrDef, value: string) =>
      state.groups.some((g) => !g.deleted && g !== self && g.type !== 'APP_GROUP' &&
        String(g.profile[attr.name] ?? '').toLowerCase() === value.toLowerCase()),
  };
}

function checkedProfile(state: OktaState, raw: unknown, self?: GroupRecord): Record<string, unknown> {
  const profile = raw === undefined ? {} : profileObject(raw);
  const causes = profileCauses(state.schemas.group, profile, groupChecks(state, self));
  if (causes.length) throw validationFailed(causes);
  // Okta answers a group without a description with `description: null`.
  return { ...profile, description: profile.description ?? null };
}

export function createGroup(state: OktaState, body: Record<string, unknown>, req: RequestInfo): GroupRecord {
  const profile = checkedProfile(state, body.profile);
  const now = Date.now();
  const g: GroupRecord = {
    index: state.groups.length,
    id: oktaId(state.rng, '00g'),
    type: 'OKTA_GROUP',
    created: now,
    lastUpdated: now,
    lastMembershipUpdated: now,
    profile,
    members: new Int32Array(0),
    sourceAppId: null,
    deleted: false,
  };
  state.groups.push(g);
  state.groupById.set(g.id, g.index);
  appendEvent(state, 'group.lifecycle.create', [groupTarget(g)], req);
  return g;
}

/** PUT: the body's profile replaces the whole profile; only OKTA_GROUPs are the admin's to edit. */
export function replaceGroup(state: OktaState, g: GroupRecord, body: Record<string, unknown>, req: RequestInfo): void {
  if (g.type !== 'OKTA_GROUP') {
    throw forbiddenFor(`The profile of a ${g.type} group cannot be updated: only OKTA_GROUP profiles can be modified`);
  }
  g.profile = checkedProfile(state, body.profile, g);
  g.lastUpdated = Date.now();
  appendEvent(state, 'group.profile.update', [groupTarget(g)], req);
}

export function deleteGroup(state: OktaState, g: GroupRecord, req: RequestInfo): void {
  if (g.type === 'BUILT_IN') throw forbiddenFor('The BUILT_IN Everyone group cannot be deleted');
  g.deleted = true;
  g.members = new Int32Array(0);
  state.groupById.delete(g.id);
  appendEvent(state, 'group.lifecycle.delete', [groupTarget(g)], req);
}

function memberGroup(g: GroupRecord): Int32Array {
  if (g.members === 'everyone' || g.type !== 'OKTA_GROUP') {
    throw forbiddenFor(`Memberships of ${g.type} groups are managed by ${g.type === 'APP_GROUP' ? 'their source app' : 'Okta'}`);
  }
  return g.members;
}

/** Idempotent, as Okta's PUT is: adding a member twice changes nothing and logs nothing. */
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
