// Okta JSON → SourceRecords. Objects keep Okta's body in `raw` for mapping later, minus the
// hypermedia (`_links`, `_embedded`): it is not identity data, differs between list and get
// responses, and would make an unchanged object hash differently depending on how it was read.

import type { SourceLink, SourceObject } from '../types';
import type { LinkResource, ObjectResource } from './classes';
import type { OktaItem } from './api';

export function toObject(resource: ObjectResource, item: OktaItem): SourceObject {
  const updated = item.lastUpdated;
  return { type: 'object', resource, id: item.id, raw: withoutHypermedia(item), updatedAt: typeof updated === 'string' ? updated : null };
}

/** Group members are whole user objects; the user itself is read as a `users` record, so only the ids matter. */
export function membershipLink(groupId: string, user: OktaItem): SourceLink {
  return { type: 'link', resource: 'memberships', parentId: groupId, childId: user.id, childKind: 'user' };
}

/** App users carry the assignment itself (scope, status, app-side userName and profile): keep them. */
export function appUserLink(appId: string, appUser: OktaItem): SourceLink {
  return { type: 'link', resource: 'appUsers', parentId: appId, childId: appUser.id, childKind: 'user', raw: withoutHypermedia(appUser) };
}

export function toLink(resource: LinkResource, parentId: string, item: OktaItem): SourceLink {
  return resource === 'memberships' ? membershipLink(parentId, item) : appUserLink(parentId, item);
}

function withoutHypermedia(item: OktaItem): Record<string, unknown> {
  const { _links, _embedded, ...data } = item;
  void _links;
  void _embedded;
  return data;
}
