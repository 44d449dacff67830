// Entra's classes as its manifest (type.ts) declares them, with what each reads from Graph: the
// endpoint, the properties $selected by default, and the permission a 403 on it is missing.
// Apps are service principals (the enterprise applications users are assigned to); application
// registrations carry no assignments, so they are not read.

import { ConnectorError } from '../errors';

export type ObjectClass = 'users' | 'groups' | 'apps';
export type LinkClass = 'memberships' | 'appUsers';
export type EntraClass = ObjectClass | LinkClass;

const OBJECTS: readonly string[] = ['users', 'groups', 'apps'];
const LINKS: readonly string[] = ['memberships', 'appUsers'];

export function objectClass(cls: string): ObjectClass {
  if (!OBJECTS.includes(cls)) throw new ConnectorError('config', `entra-id has no object class "${cls}" (it has ${OBJECTS.join(', ')})`);
  return cls as ObjectClass;
}
export function linkClass(cls: string): LinkClass {
  if (!LINKS.includes(cls)) throw new ConnectorError('config', `entra-id has no link class "${cls}" (it has ${LINKS.join(', ')})`);
  return cls as LinkClass;
}

/** Graph v1.0: every path below starts here (paths are absolute: the HTTP kit resolves them on the origin). */
export const V1 = '/v1.0';

/** Graph's collection of each object class. */
export const COLLECTION: Record<ObjectClass, string> = { users: `${V1}/users`, groups: `${V1}/groups`, apps: `${V1}/servicePrincipals` };

/** Each link class's children of one parent. */
export const CHILDREN_PATH: Record<LinkClass, (parentId: string) => string> = {
  memberships: (id) => `${V1}/groups/${encodeURIComponent(id)}/members`,
  appUsers: (id) => `${V1}/servicePrincipals/${encodeURIComponent(id)}/appRoleAssignedTo`,
};
export const PARENT_CLASS: Record<LinkClass, ObjectClass> = { memberships: 'groups', appUsers: 'apps' };

/** The Graph application permission a read of each class needs, out of seed 004's list
 *  (Directory.Read.All grants all of them). */
export const PERMISSION: Record<EntraClass, string> = {
  users: 'User.Read.All',
  groups: 'Group.Read.All',
  memberships: 'Group.Read.All',
  apps: 'Directory.Read.All',
  appUsers: 'Directory.Read.All',
};

export const USER_PATHS = [
  'id', 'userPrincipalName', 'mail', 'givenName', 'surname', 'displayName', 'employeeId', 'accountEnabled', 'jobTitle',
  'department', 'companyName', 'officeLocation', 'mobilePhone', 'businessPhones', 'employeeType', 'mailNickname', 'userType',
  'onPremisesSamAccountName', 'onPremisesImmutableId', 'createdDateTime',
] as const;
export const GROUP_PATHS = [
  'id', 'displayName', 'description', 'mail', 'mailEnabled', 'mailNickname', 'securityEnabled', 'groupTypes', 'visibility',
  'createdDateTime', 'onPremisesSamAccountName',
] as const;
export const APP_PATHS = ['id', 'appId', 'displayName', 'appDisplayName', 'servicePrincipalType', 'accountEnabled', 'tags'] as const;

export const DEFAULT_SELECT: Record<ObjectClass, readonly string[]> = { users: USER_PATHS, groups: GROUP_PATHS, apps: APP_PATHS };

/** Seed 004's attributeMapping, plus `active` from accountEnabled. */
export const USER_MAPPING = {
  username: 'userPrincipalName',
  email: 'mail',
  firstName: 'givenName',
  lastName: 'surname',
  displayName: 'displayName',
  employeeId: 'employeeId',
  active: 'accountEnabled',
} as const;
export const GROUP_MAPPING = { name: 'displayName', description: 'description' } as const;
export const APP_MAPPING = { name: 'displayName', appId: 'appId', active: 'accountEnabled' } as const;

/** Graph object ids are GUIDs; anything not shaped like one (".", "../x", "") never goes into a URL path. */
const GRAPH_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;
export const isGraphId = (id: unknown): id is string => typeof id === 'string' && GRAPH_ID.test(id);
