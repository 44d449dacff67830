// The SCIM connector's classes: Users and Groups resources, and group memberships read from each
// group's `members`. Inside the connector they are a closed set; a class name from the framework
// is checked once, at the boundary.

import { ConnectorError } from '../errors';

export type ScimClass = 'users' | 'groups';
export type ScimLinkClass = 'memberships';

export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export function scimClass(cls: string): ScimClass {
  if (cls !== 'users' && cls !== 'groups') throw new ConnectorError('config', `scim has no object class "${cls}" (it has users, groups)`);
  return cls;
}

export function scimLinkClass(cls: string): ScimLinkClass {
  if (cls !== 'memberships') throw new ConnectorError('config', `scim has no link class "${cls}" (it has memberships)`);
  return cls;
}

/** Paths a User of RFC 7643 §4.1 (with the enterprise extension) may carry. */
export const USER_PATHS: readonly string[] = [
  'id', 'externalId', 'userName', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'active',
  'name.*', 'emails', 'emails.*', 'phoneNumbers', 'phoneNumbers.*', 'addresses', 'addresses.*', 'ims', 'photos', 'roles', 'entitlements', 'x509Certificates',
  'groups', 'groups.*', 'meta.*', 'schemas',
  // Paths are checked by the attribute names they walk through: the URN is one step.
  `${ENTERPRISE}.*`,
];

export const GROUP_PATHS: readonly string[] = ['id', 'externalId', 'displayName', 'members', 'members.*', 'meta.*', 'schemas'];

/** Store attribute ← SCIM path, for a SCIM source. The primary email when one is marked, else the
 *  first (the `??` rule). */
export const USER_MAPPING: Readonly<Record<string, string>> = {
  username: 'userName',
  email: 'emails[primary eq true].value ?? emails[0].value',
  firstName: 'name.givenName',
  lastName: 'name.familyName',
  displayName: 'displayName',
  active: 'active',
  externalId: 'externalId',
  employeeNumber: `${ENTERPRISE}:employeeNumber`,
  department: `${ENTERPRISE}:department`,
};

export const GROUP_MAPPING: Readonly<Record<string, string>> = { name: 'displayName', externalId: 'externalId' };

/**
 * SCIM path ← store attribute, for a SCIM push target. One table serves a store filled by Okta
 * (login, email, firstName, lastName, status) and by SCIM/AD/LDAP sources (username, email,
 * firstName, lastName, displayName): each value takes the first attribute that is set. `active`
 * is not mapped: lifecycle goes through setEnabled (removal from scope deactivates).
 */
export const USER_PUSH_MAPPING: Readonly<Record<string, string>> = {
  userName: 'username ?? login ?? email',
  'name.givenName': 'firstName',
  'name.familyName': 'lastName',
  displayName: 'displayName ?? firstName + " " + lastName ?? username ?? login',
  'emails[type eq "work"].value': 'email',
  [`${ENTERPRISE}:employeeNumber`]: 'employeeNumber ?? employeeId',
};

export const GROUP_PUSH_MAPPING: Readonly<Record<string, string>> = { displayName: 'name' };
