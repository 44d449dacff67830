// The classes a generic REST source can serve: users, groups, and group memberships. The type
// declares all three with every capability it has; an instance's config says which endpoints
// serve them, and its manifest (manifestFor) keeps only those, so a class without an endpoint is
// never read and a class without a delta parameter makes runs full, saying so.

import { ConnectorError } from '../errors';
import type { LinkClassSpec, Manifest, ObjectClassSpec } from '../framework/manifest';
import type { RestConfig } from './config';

export type RestClass = 'users' | 'groups';

/** Common names for common attributes; a connector file's mapping overrides any entry. */
export const USER_MAPPING: Readonly<Record<string, string>> = {
  username: 'username ?? userName ?? login ?? email',
  email: 'email ?? mail',
  firstName: 'firstName ?? givenName ?? name.first',
  lastName: 'lastName ?? familyName ?? surname ?? name.last',
  displayName: 'displayName ?? name.display',
  active: 'active',
};
export const GROUP_MAPPING: Readonly<Record<string, string>> = { name: 'name ?? displayName' };

export const OBJECT_CLASSES: Record<RestClass, ObjectClassSpec> = {
  users: { kind: 'user', read: true, delta: 'watermark', get: true, defaultMapping: USER_MAPPING },
  groups: { kind: 'group', read: true, delta: 'watermark', get: true, defaultMapping: GROUP_MAPPING },
};

export const LINK_CLASSES: Record<string, LinkClassSpec> = {
  memberships: { kind: 'membership', parent: 'groups', children: ['users', 'groups'], read: true, delta: 'watermark', get: true },
};

/** One instance's manifest: the configured classes; deltas where a delta parameter is
 *  configured (memberships follow their groups: a member change must touch the group's
 *  incremental field); get where a get path is (memberships: always, their path is per group). */
export function restManifestFor(config: RestConfig, base: Manifest): Manifest {
  const objectClasses: Record<string, ObjectClassSpec> = {};
  for (const cls of ['users', 'groups'] as const) {
    const c = config.classes[cls];
    if (c) objectClasses[cls] = { ...base.objectClasses[cls]!, delta: c.delta ? 'watermark' : 'none', get: Boolean(c.get) };
  }
  const linkClasses: Record<string, LinkClassSpec> = {};
  const m = config.links.memberships;
  if (m) linkClasses.memberships = { ...base.linkClasses.memberships!, children: [m.child], delta: config.classes.groups?.delta ? 'watermark' : 'none' };
  return { ...base, objectClasses, linkClasses };
}

export function restClass(cls: string, config: RestConfig): RestClass {
  if ((cls === 'users' || cls === 'groups') && config.classes[cls]) return cls;
  throw new ConnectorError('config', `this rest connector has no endpoint for "${cls}" (config.classes configures ${Object.keys(config.classes).filter((k) => config.classes[k as RestClass]).join(', ')})`, { resource: cls });
}

export function membershipsConfig(cls: string, config: RestConfig): NonNullable<RestConfig['links']['memberships']> {
  const m = config.links.memberships;
  if (cls === 'memberships' && m) return m;
  throw new ConnectorError('config', `this rest connector has no link class "${cls}" (config.links configures ${m ? 'memberships' : 'none'})`, { resource: cls });
}
