// What connectors return: records as the source said them, read results and warnings. The
// operations themselves are framework/spi.ts, the classes and capabilities framework/manifest.ts.

/** An object or link class name from the connector's manifest (`users`, `groups`,
 *  `memberships`, `workers`, …). What each is, and what can be done with it, is the manifest's. */
export type Resource = string;
export type ObjectResource = string;
export type LinkResource = string;

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

export type { Connector, ConnectorType } from './framework/define';
