// Graph objects as source records. Annotations (`@odata.*`, `members@delta`, `@removed`) are
// transport, not attributes: they never reach the store. Group members and app role assignments
// become links; children the store has no kind for (service principals, devices, contacts) are
// counted and reported, never silently dropped.

import type { ReadWarning, SourceLink, SourceObject } from '../types';
import type { GraphItem } from './api';
import type { LinkClass, ObjectClass } from './classes';

export function toObject(cls: ObjectClass, item: GraphItem): SourceObject {
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!k.includes('@')) raw[k] = v;
  return { type: 'object', resource: cls, id: item.id, raw, updatedAt: null };
}

/** `#microsoft.graph.user` → user; a member without a type is a user (Graph's default on /members). */
function memberKind(item: Record<string, unknown>): string {
  const t = item['@odata.type'];
  return typeof t === 'string' ? t.replace(/^#?microsoft\.graph\./, '') : 'user';
}

export interface Children {
  links: SourceLink[];
  /** Children skipped, by their Graph type (servicePrincipal, device, orgContact, …). */
  skipped: Record<string, number>;
}

/** One parent's children from a page of /groups/{id}/members or /servicePrincipals/{id}/appRoleAssignedTo. */
export function childrenOf(cls: LinkClass, parentId: string, items: Record<string, unknown>[]): Children {
  const links: SourceLink[] = [];
  const skipped: Record<string, number> = {};
  const seen = new Set<string>();
  for (const item of items) {
    const [childId, kind] =
      cls === 'memberships' ? [item.id, memberKind(item)] : [item.principalId, String(item.principalType ?? '').toLowerCase()];
    if (typeof childId !== 'string' || !childId) continue;
    if (kind !== 'user' && kind !== 'group') {
      skipped[kind || 'unknown'] = (skipped[kind || 'unknown'] ?? 0) + 1;
      continue;
    }
    // A principal holding two roles of one app is one app user.
    if (seen.has(childId)) continue;
    seen.add(childId);
    links.push({ type: 'link', resource: cls, parentId, childId, childKind: kind });
  }
  return { links, skipped };
}

export function mergeSkipped(into: Record<string, number>, more: Record<string, number>): void {
  for (const [k, n] of Object.entries(more)) into[k] = (into[k] ?? 0) + n;
}

/** A note (not an incomplete read: these children are not the store's to keep). */
export function skippedWarning(cls: LinkClass, skipped: Record<string, number>): ReadWarning[] {
  const parts = Object.entries(skipped).map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`);
  if (parts.length === 0) return [];
  const what = cls === 'memberships' ? 'group members' : 'app role assignments';
  return [{ resource: cls, incomplete: false, message: `skipped ${parts.join(', ')} among the ${what} read (only users and groups are synced)` }];
}
