// The directory connectors' class names, as their manifests (type.ts) declare them; checked
// once where the framework hands a class name in.
import { ConnectorError } from '../errors';

export type ObjectResource = 'users' | 'groups';
export type LinkResource = 'memberships';
export type Resource = ObjectResource | LinkResource;

export function objectClass(cls: string): ObjectResource {
  if (cls !== 'users' && cls !== 'groups') throw new ConnectorError('config', `a directory has no object class "${cls}" (it has users, groups)`);
  return cls;
}
export function anyClass(cls: string): Resource {
  return cls === 'memberships' ? cls : objectClass(cls);
}
