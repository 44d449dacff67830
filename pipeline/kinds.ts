// How the source's resources land in the store.
import type { LinkResource, ObjectResource, Resource } from '../connectors/types';
import type { LinkKind, ObjectKind } from '../store/types';

export const OBJECT_KIND: Record<ObjectResource, ObjectKind> = { users: 'user', groups: 'group', apps: 'app' };
export const LINK_KIND: Record<LinkResource, LinkKind> = { memberships: 'membership', appUsers: 'appUser' };

export function kindOf(resource: Resource): ObjectKind | LinkKind {
  return resource in OBJECT_KIND ? OBJECT_KIND[resource as ObjectResource] : LINK_KIND[resource as LinkResource];
}

/** A link kind can only be trusted as complete when its parents were read completely too. */
export const LINK_PARENT: Record<LinkResource, ObjectResource> = { memberships: 'groups', appUsers: 'apps' };
