// Okta's own class names, as its manifest (type.ts) declares them. Inside the connector they are
// a closed set; at the boundary a class name is checked once (the framework passes strings).
import { ConnectorError } from '../errors';

export type ObjectResource = 'users' | 'groups' | 'apps';
export type LinkResource = 'memberships' | 'appUsers';
export type Resource = ObjectResource | LinkResource;

const OBJECTS: readonly string[] = ['users', 'groups', 'apps'];
const LINKS: readonly string[] = ['memberships', 'appUsers'];

export function objectClass(cls: string): ObjectResource {
  if (!OBJECTS.includes(cls)) throw new ConnectorError('config', `okta has no object class "${cls}" (it has ${OBJECTS.join(', ')})`);
  return cls as ObjectResource;
}
export function linkClass(cls: string): LinkResource {
  if (!LINKS.includes(cls)) throw new ConnectorError('config', `okta has no link class "${cls}" (it has ${LINKS.join(', ')})`);
  return cls as LinkResource;
}
export function anyClass(cls: string): Resource {
  return LINKS.includes(cls) ? (cls as LinkResource) : objectClass(cls);
}
