// The one Connector contract (after ConnId's SPI): a connector implements only the
// capabilities it has, and the framework asks before it calls.

/** What a source can be read for. Object resources hold identities; link resources join them. */
export type Resource = 'users' | 'groups' | 'memberships' | 'apps' | 'appUsers';
export const RESOURCES: readonly Resource[] = ['users', 'groups', 'memberships', 'apps', 'appUsers'];
export type ObjectResource = 'users' | 'groups' | 'apps';
export type LinkResource = 'memberships' | 'appUsers';
export const isLinkResource = (r: Resource): r is LinkResource => r === 'memberships' || r === 'appUsers';

/** One object exactly as the source returned it; mapping and filters run on `raw` later. */
export interface SourceObject {
  type: 'object';
  resource: ObjectResource;
  id: string;
  raw: Record<string, unknown>;
  /** The source's own last-change time (ISO-8601) when it has one; the store never goes back in time. */
  updatedAt?: string | null;
}

/** A membership (group → user or group → group) or an app assignment (app → user). */
export interface SourceLink {
  type: 'link';
  resource: LinkResource;
  parentId: string;
  childId: string;
  childKind: 'user' | 'group';
  raw?: Record<string, unknown>;
}

export type SourceRecord = SourceObject | SourceLink;

/** A non-fatal problem met while reading (e.g. a 403 on one endpoint). It goes to the run log. */
export interface ReadWarning {
  resource: Resource;
  message: string;
  /** True when the warning means some objects of `resource` may be missing from this read:
   *  the deletion guard then refuses to delete anything of that resource in this run. */
  incomplete: boolean;
}

export interface ReadPageResult {
  records: SourceRecord[];
  /** Opaque; null when the resource is exhausted. */
  nextCursor: string | null;
  warnings: ReadWarning[];
  /** The cursor points at state kept in this process (a live paged search): the next read is
   *  cheapest on the same worker. Only a hint — any worker must still resume the cursor correctly. */
  affinity?: boolean;
}

export interface LinkSet {
  resource: LinkResource;
  parentId: string;
  /** The complete current children of parentId: links not in it are removed. */
  links: SourceLink[];
}

export interface ChangesResult {
  /** Objects and links that exist now (re-fetched from the source, never taken from event payloads). */
  records: SourceRecord[];
  /** Objects that no longer exist in the source. */
  deletions: { resource: ObjectResource; id: string }[];
  /** Authoritative child sets for parents whose links changed. */
  linkSets: LinkSet[];
  warnings: ReadWarning[];
  /** Opaque; null when this change window is exhausted. */
  nextCursor: string | null;
  /** The watermark to store once every page of this window is applied. It must never pass a
   *  change that was not read: when part of the window was refused or lost (a warning with
   *  `incomplete`), it keeps that part's start, because the framework stores it all the same. */
  watermark: string;
  /** Set when the connector cannot continue from the watermark (token expired, DC restored, …):
   *  the framework runs a full sync instead and logs the reason. */
  fullSyncRequired?: string;
}

export interface TestResult {
  status: 'success' | 'failure';
  message: string;
  details: { connectorType: string; usersFound: number; groupsFound: number; latency: number };
}

export interface ReadsPages {
  readPage(resource: Resource, cursor: string | null): Promise<ReadPageResult>;
}
export interface ReadsChanges {
  /** A watermark for "now", taken before a full read starts, so a delta after it misses nothing. */
  currentWatermark(): Promise<string>;
  readChanges(resources: Resource[], watermark: string, cursor: string | null): Promise<ChangesResult>;
}
export interface ReadsById {
  /** null when the object does not exist (any more). */
  getById(resource: ObjectResource, id: string): Promise<SourceObject | null>;
  /** Current children of one parent, for link re-fetches after a webhook event. */
  getLinks?(resource: LinkResource, parentId: string): Promise<SourceLink[]>;
}
export interface TestsConnection {
  test(): Promise<TestResult>;
}

/** Projection target: identities from the store written to another directory. */
export interface WriteObject {
  id: string; // store external id of the identity being projected
  attributes: Record<string, unknown>;
}
export interface WriteResult { targetId: string; action: 'created' | 'updated' | 'moved' | 'unchanged' | 'activated' | 'deactivated' | 'deleted' }
export interface Writes {
  create(resource: ObjectResource, obj: WriteObject): Promise<WriteResult>;
  update(resource: ObjectResource, targetId: string, obj: WriteObject): Promise<WriteResult>;
  deactivate(resource: ObjectResource, targetId: string): Promise<WriteResult>;
  /** Re-enables a disabled object (optional: a target without accounts to disable has none). */
  activate?(resource: ObjectResource, targetId: string): Promise<WriteResult>;
  delete(resource: ObjectResource, targetId: string): Promise<WriteResult>;
  addMember(groupTargetId: string, memberTargetId: string): Promise<void>;
  removeMember(groupTargetId: string, memberTargetId: string): Promise<void>;
}

export interface Connector extends Partial<ReadsPages & ReadsChanges & ReadsById & TestsConnection & Writes> {
  readonly type: string;
  /** Resources this connector can read. */
  readonly resources: readonly Resource[];
  close(): Promise<void>;
}

export const canReadPages = (c: Connector): c is Connector & ReadsPages => typeof c.readPage === 'function';
export const canReadChanges = (c: Connector): c is Connector & ReadsChanges =>
  typeof c.readChanges === 'function' && typeof c.currentWatermark === 'function';
export const canReadById = (c: Connector): c is Connector & ReadsById => typeof c.getById === 'function';
export const canTest = (c: Connector): c is Connector & TestsConnection => typeof c.test === 'function';
export const canWrite = (c: Connector): c is Connector & Writes => typeof c.create === 'function';
