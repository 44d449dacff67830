// Turns a StagedPage into the rows both engines write: attributes as stable JSON with their
// content hash, source timestamps normalized, duplicates collapsed. Sharing this keeps the two
// engines' insert/update/unchanged counts identical for the same page.
import type { LinkKind, ObjectKind, StagedLink, StagedPage } from './types';
import { contentHash, stableStringify } from './stable-json';

export const OBJECT_KINDS: readonly ObjectKind[] = ['user', 'group', 'app'];
export const LINK_KINDS: readonly LinkKind[] = ['membership', 'appUser'];

/** The object kind a link's parent is: memberships hang off groups, app assignments off apps. */
export const LINK_PARENT_KIND: Record<LinkKind, ObjectKind> = { membership: 'group', appUser: 'app' };

export interface ObjectRow {
  kind: ObjectKind;
  id: string;
  attributes: string;
  hash: string;
  /** ISO-8601 UTC with milliseconds, or null when the source gave none (or nothing parseable). */
  updatedAt: string | null;
}

export interface LinkRow {
  kind: LinkKind;
  parent: string;
  child: string;
  childKind: 'user' | 'group';
  /** Null when the link carries no attributes (most memberships): no JSON, no hash to store. */
  attributes: string | null;
  hash: string | null;
}

export interface LinkSetRows {
  kind: LinkKind;
  parent: string;
  children: Set<string>;
}

export interface PageRows {
  objects: ObjectRow[];
  /** page.links plus every link of every linkSet, one row per key (the last one staged wins). */
  links: LinkRow[];
  linkSets: LinkSetRows[];
  deletions: { kind: ObjectKind; id: string }[];
}

export function toPageRows(page: StagedPage): PageRows {
  const objects = new Map<string, ObjectRow>();
  for (const o of page.objects ?? []) {
    checkKind(OBJECT_KINDS, o.kind, 'objects[].kind');
    checkId(o.id, 'objects[].id');
    const attributes = stableStringify(o.attrs ?? {});
    objects.set(`${o.kind}\u0000${o.id}`, {
      kind: o.kind,
      id: o.id,
      attributes,
      hash: contentHash(attributes),
      updatedAt: normalizeTimestamp(o.updatedAt),
    });
  }

  const links = new Map<string, LinkRow>();
  const addLink = (l: StagedLink, field: string): void => {
    checkKind(LINK_KINDS, l.kind, `${field}.kind`);
    checkId(l.parent, `${field}.parent`);
    checkId(l.child, `${field}.child`);
    if (l.childKind !== 'user' && l.childKind !== 'group') {
      throw new Error(`staged page: ${field}.childKind must be "user" or "group", got ${JSON.stringify(l.childKind)}`);
    }
    const attributes = l.attrs === undefined || l.attrs === null ? null : stableStringify(l.attrs);
    links.set(`${l.kind}\u0000${l.parent}\u0000${l.child}`, {
      kind: l.kind,
      parent: l.parent,
      child: l.child,
      childKind: l.childKind,
      attributes,
      hash: attributes === null ? null : contentHash(attributes),
    });
  };
  for (const l of page.links ?? []) addLink(l, 'links[]');

  // Two sets for one parent in a page (a group spanning source pages) are read as one set: their
  // union. Letting the later one win would delete links the source just reported.
  const linkSets = new Map<string, LinkSetRows>();
  for (const set of page.linkSets ?? []) {
    checkKind(LINK_KINDS, set.kind, 'linkSets[].kind');
    checkId(set.parent, 'linkSets[].parent');
    const setKey = `${set.kind}\u0000${set.parent}`;
    const known = linkSets.get(setKey);
    const children = known?.children ?? new Set<string>();
    for (const l of set.links) {
      if (l.kind !== set.kind || l.parent !== set.parent) {
        throw new Error(
          `staged page: linkSets[] for ${set.kind} ${JSON.stringify(set.parent)} holds a link of ` +
            `${l.kind} ${JSON.stringify(l.parent)}; every link of a set must have the set's kind and parent`,
        );
      }
      addLink(l, 'linkSets[].links[]');
      children.add(l.child);
    }
    if (!known) linkSets.set(setKey, { kind: set.kind, parent: set.parent, children });
  }

  const deletions = (page.deletions ?? []).map((d) => {
    checkKind(OBJECT_KINDS, d.kind, 'deletions[].kind');
    checkId(d.id, 'deletions[].id');
    return { kind: d.kind, id: d.id };
  });

  return { objects: [...objects.values()], links: [...links.values()], linkSets: [...linkSets.values()], deletions };
}

/**
 * Sources write timestamps with and without milliseconds ("…00Z" vs "…00.000Z"); text order
 * only matches time order once they share one form. Unparseable values count as absent: the
 * content hash still decides, so odd source data cannot stop a sync.
 */
export function normalizeTimestamp(value: string | null | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function checkKind<T extends string>(allowed: readonly T[], kind: unknown, field: string): asserts kind is T {
  if (!allowed.includes(kind as T)) {
    throw new Error(`staged page: ${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(kind)}`);
  }
}

function checkId(id: unknown, field: string): void {
  if (typeof id !== 'string' || id === '') {
    throw new Error(`staged page: ${field} must be a non-empty string, got ${JSON.stringify(id)}`);
  }
}

export function isObjectKind(kind: ObjectKind | LinkKind): kind is ObjectKind {
  return (OBJECT_KINDS as readonly string[]).includes(kind);
}

export function tableOf(kind: ObjectKind | LinkKind): 'objects' | 'links' {
  if (isObjectKind(kind)) return 'objects';
  if ((LINK_KINDS as readonly string[]).includes(kind)) return 'links';
  throw new Error(`unknown kind ${JSON.stringify(kind)}: expected one of ${[...OBJECT_KINDS, ...LINK_KINDS].join(', ')}`);
}
