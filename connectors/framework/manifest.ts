// A connector's manifest: the object classes it knows and what it can do with each, as data.
// The store, the mapper, the live path, push and the CLI ask the manifest; nobody switches on a
// connector type or probes for methods (after ConnId's ObjectClassInfo and operation options).

import type { LinkKind, ObjectKind } from '../../store/types';

/** How a class's changes are read after a full read: not at all, from a high-water mark
 *  (lastUpdated, USN, a SQL column), from a server-issued token (a Graph delta link), or from an
 *  event log (Okta's System Log). */
export type DeltaKind = 'none' | 'watermark' | 'token' | 'events';

/** Writes an object class may take. `enable` is enable/disable (lifecycle), `update` is an
 *  attribute-level delta (replace/add/remove), never a whole-object overwrite. */
export type ObjectWrite = 'create' | 'update' | 'delete' | 'enable';
export type LinkWrite = 'link' | 'unlink';

export interface ObjectClassSpec {
  /** The store kind its objects land as ('user', 'group', 'app'). */
  kind: ObjectKind;
  /** Full read by pages. */
  read: boolean;
  delta: DeltaKind;
  /** Read one object by id (webhook re-fetches, create adoption, contract checks). */
  get: boolean;
  write?: readonly ObjectWrite[];
  /** Attribute paths its raw objects carry (`profile.*` allows anything below), so the config
   *  check can warn about a filter or mapping path that would resolve on no object. */
  attributePaths?: readonly string[];
  /** Store attribute → source path (or rule), unless the connector file says otherwise. */
  defaultMapping?: Readonly<Record<string, string>>;
  /** Other names a mapping may use for this class's source paths (SCIM paths of seed 001's
   *  table for Okta: `name.givenName` → `profile.firstName`, `active` → `status == "ACTIVE"`). */
  pathAliases?: Readonly<Record<string, string>>;
  /** Pushing into this class: target attribute path → store attribute (or rule), unless the
   *  target's `provisioning.mapping` says otherwise. */
  pushMapping?: Readonly<Record<string, string>>;
  /** The read lane: classes of one lane are read one after another, lanes side by side. Classes
   *  whose reads spend independent rate-limit buckets (Okta's users, groups, apps) get their own
   *  lane, so a full run waits for its slowest bucket instead of the sum of all. Default: one
   *  lane for the whole connector. */
  lane?: string;
}

export interface LinkClassSpec {
  kind: LinkKind;
  /** Object class of the parent (a group, an app) and the classes its children may be. */
  parent: string;
  children: readonly string[];
  read: boolean;
  delta: DeltaKind;
  /** Read one parent's children whole (webhook re-fetches). */
  get: boolean;
  /** Batched: one call links or unlinks many children of one parent. */
  write?: readonly LinkWrite[];
  /** Read lane; by default its parent's (reading a group's members spends the groups bucket). */
  lane?: string;
}

export interface Manifest {
  type: string;
  objectClasses: Readonly<Record<string, ObjectClassSpec>>;
  linkClasses: Readonly<Record<string, LinkClassSpec>>;
  /** Delta state is one value for every class (one change log, one USN) or one per class (a
   *  delta link per resource, a high-water mark per table). */
  deltaScope: 'connector' | 'class';
  /** Read cursors point at state in one process (a live LDAP paged search): the workflow sends
   *  the next batch to that worker's own queue. Cursors must still resume on any worker. */
  affinity: boolean;
  /** Event types the source sends (webhooks); `aliases` maps a documented name to the source's own. */
  eventTypes?: { known: readonly string[]; aliases: Readonly<Record<string, string>> };
  /** How the source delivers webhooks: the server route and `tiger connector test-webhook` ask this. */
  webhooks?: 'okta-event-hook' | 'graph-notifications';
}

export type Capability = 'read' | 'delta' | 'get' | ObjectWrite | LinkWrite;

/** Manifest mistakes are programming errors: found once, at registration, naming the class. */
export function checkManifest(m: Manifest): Manifest {
  const problems: string[] = [];
  const objectNames = Object.keys(m.objectClasses);
  for (const [name, c] of Object.entries(m.linkClasses)) {
    if (name in m.objectClasses) problems.push(`${name}: declared both as an object class and a link class`);
    if (!objectNames.includes(c.parent)) problems.push(`${name}: parent "${c.parent}" is not an object class`);
    for (const child of c.children) if (!objectNames.includes(child)) problems.push(`${name}: child "${child}" is not an object class`);
    if (c.read && !m.objectClasses[c.parent]?.read) problems.push(`${name}: readable, but its parent class "${c.parent}" is not`);
  }
  for (const [name, c] of Object.entries(m.objectClasses)) {
    if (c.delta !== 'none' && !c.read) problems.push(`${name}: has delta reads but no full read`);
  }
  if (problems.length) throw new Error(`connector type ${m.type}: bad manifest: ${problems.join('; ')}`);
  return m;
}

export const isLinkClass = (m: Manifest, cls: string): boolean => cls in m.linkClasses;
export const isObjectClass = (m: Manifest, cls: string): boolean => cls in m.objectClasses;

/** Every class a full run reads, objects first (links name their parents by id). */
export function readableClasses(m: Manifest): string[] {
  return [
    ...Object.entries(m.objectClasses).filter(([, c]) => c.read).map(([n]) => n),
    ...Object.entries(m.linkClasses).filter(([, c]) => c.read).map(([n]) => n),
  ];
}

const ONE_LANE = '';

/** The lane a class is read in (see ObjectClassSpec.lane). */
export function laneOf(m: Manifest, cls: string): string {
  const link = m.linkClasses[cls];
  if (link) return link.lane ?? m.objectClasses[link.parent]?.lane ?? ONE_LANE;
  return m.objectClasses[cls]?.lane ?? ONE_LANE;
}

/** `classes` split into read lanes, each in the given order, lanes in order of first appearance.
 *  A link class reads after its parent only when both are in one lane: applying a link never
 *  needs its parent or child row (links are keyed by ids; projection joins after the run). */
export function readLanes(m: Manifest, classes: readonly string[]): string[][] {
  const lanes = new Map<string, string[]>();
  for (const cls of classes) {
    const lane = laneOf(m, cls);
    lanes.set(lane, [...(lanes.get(lane) ?? []), cls]);
  }
  return [...lanes.values()];
}

export function can(m: Manifest, cls: string, cap: Capability): boolean {
  const o = m.objectClasses[cls];
  const l = m.linkClasses[cls];
  const spec = o ?? l;
  if (!spec) return false;
  if (cap === 'read') return spec.read;
  if (cap === 'delta') return spec.delta !== 'none';
  if (cap === 'get') return spec.get;
  return ((spec.write ?? []) as readonly string[]).includes(cap);
}

/** The store kind of a class's rows. */
export function kindOf(m: Manifest, cls: string): ObjectKind | LinkKind {
  const spec = m.objectClasses[cls] ?? m.linkClasses[cls];
  if (!spec) throw new Error(`connector type ${m.type} has no object class "${cls}" (it has ${[...Object.keys(m.objectClasses), ...Object.keys(m.linkClasses)].join(', ')})`);
  return spec.kind;
}

export function objectKindOf(m: Manifest, cls: string): ObjectKind {
  const spec = m.objectClasses[cls];
  if (!spec) throw new Error(`connector type ${m.type}: "${cls}" is not an object class`);
  return spec.kind;
}

export function linkKindOf(m: Manifest, cls: string): LinkKind {
  const spec = m.linkClasses[cls];
  if (!spec) throw new Error(`connector type ${m.type}: "${cls}" is not a link class`);
  return spec.kind;
}

/** The object class whose objects land as `kind` (the first declared), or undefined. */
export function classOfKind(m: Manifest, kind: string): string | undefined {
  return Object.entries(m.objectClasses).find(([, c]) => c.kind === kind)?.[0] ?? Object.entries(m.linkClasses).find(([, c]) => c.kind === kind)?.[0];
}

/** Link classes whose parent is `cls` (a group's memberships, an app's assignments). */
export function linkClassesOf(m: Manifest, parentCls: string): string[] {
  return Object.entries(m.linkClasses).filter(([, c]) => c.parent === parentCls).map(([n]) => n);
}

/** A link class is trusted as complete only when its parent class was read completely too. */
export function parentOf(m: Manifest, linkCls: string): string | undefined {
  return m.linkClasses[linkCls]?.parent;
}
