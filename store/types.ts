// The identity store contract. Two engines (SQLite embedded, PostgreSQL) implement it and one
// contract suite (test/store-contract.ts) runs against both.

export type ObjectKind = 'user' | 'group' | 'app';
export type LinkKind = 'membership' | 'appUser';

/** A mapped object ready for the store. `attrs` is what the connector's mapping produced. */
export interface StagedObject {
  kind: ObjectKind;
  id: string;
  attrs: Record<string, unknown>;
  updatedAt?: string | null;
}
export interface StagedLink {
  kind: LinkKind;
  parent: string;
  child: string;
  childKind: 'user' | 'group';
  attrs?: Record<string, unknown>;
}
/** One staged batch (the claim check): everything a fetch produced, applied later in one transaction. */
export interface StagedPage {
  objects: StagedObject[];
  links: StagedLink[];
  /** Objects gone from the source (delta) or out of the filter's scope now. */
  deletions: { kind: ObjectKind; id: string }[];
  /** Authoritative child sets: links of `parent` not listed are soft-deleted. */
  linkSets: { kind: LinkKind; parent: string; links: StagedLink[] }[];
}

export interface ApplyCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

export type RunMode = 'full' | 'delta' | 'live';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'held';

export interface RunRecord {
  runId: string;
  connector: string;
  mode: RunMode;
  trigger: string;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  counts: ApplyCounts & { fetched: number };
  error: string | null;
}

export interface RunLogEntry {
  at: string;
  connector: string;
  runId: string | null;
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** The stored connector: the definition as written (references, never resolved secrets). */
export interface StoredConnector {
  name: string;
  type: string;
  enabled: boolean;
  /** The normalized definition (JSON) with `${ENV}` / `{{secret:…}}` kept as references. */
  definition: unknown;
  createdAt: string;
  updatedAt: string;
}

export interface ExportedObject {
  id: string;
  attributes: Record<string, unknown>;
  deletedAt?: string | null;
}
export interface ExportedLink {
  parent: string;
  child: string;
  childKind: 'user' | 'group';
  attributes?: Record<string, unknown>;
  deletedAt?: string | null;
}
export interface ExportData {
  users: ExportedObject[];
  groups: ExportedObject[];
  memberships: ExportedLink[];
  apps: ExportedObject[];
  appUsers: ExportedLink[];
}

/** What was last written to a projection target for one source object. */
export interface ProjectionRecord {
  /** The target connector (the directory written to). */
  target: string;
  /** The source connector whose store objects are projected. */
  source: string;
  kind: ObjectKind;
  sourceId: string;
  /** The object's id in the target (objectGUID / entryUUID): what to update, move or disable. */
  targetId: string;
  /** Content hash of what was projected: an unchanged hash means nothing to write. */
  hash: string;
  updatedAt?: string;
}

export interface DeletionCandidates {
  kind: ObjectKind | LinkKind;
  /** Live (not deleted) rows of this kind before the run. */
  total: number;
  /** Live rows not seen by this run. */
  unseen: number;
}

export interface IdentityStore {
  readonly engine: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;

  // connectors
  saveConnector(c: Omit<StoredConnector, 'createdAt' | 'updatedAt'>): Promise<StoredConnector>;
  getConnector(name: string): Promise<StoredConnector | null>;
  listConnectors(): Promise<StoredConnector[]>;
  deleteConnector(name: string): Promise<boolean>;

  // runs and their log (idempotent by runId: a retried beginRun returns the existing run)
  beginRun(r: { runId: string; connector: string; mode: RunMode; trigger: string }): Promise<RunRecord>;
  addRunCounts(runId: string, counts: Partial<ApplyCounts & { fetched: number }>): Promise<void>;
  finishRun(runId: string, status: RunStatus, error?: string | null): Promise<RunRecord>;
  getRun(runId: string): Promise<RunRecord | null>;
  listRuns(connector: string, limit: number): Promise<RunRecord[]>;
  appendLog(e: Omit<RunLogEntry, 'at'>): Promise<void>;
  listLogs(connector: string, opts: { limit: number; runId?: string }): Promise<RunLogEntry[]>;

  // claim-check staging: stage is an upsert by key; apply is one transaction and remembers its
  // counts, so applying the same key twice changes nothing and returns the first counts.
  stagePage(stageKey: string, connector: string, page: StagedPage): Promise<void>;
  applyStagedPage(stageKey: string, connector: string, runId: string): Promise<ApplyCounts>;
  /** Drops applied stage rows of a finished run. */
  dropStagedPages(runId: string): Promise<number>;

  /** Full runs: objects/links of `kinds` not seen by `runId` (by last_seen_run). */
  countUnseen(connector: string, runId: string, kinds: (ObjectKind | LinkKind)[]): Promise<DeletionCandidates[]>;
  /** Soft-deletes them (deleted_at = now) and returns how many. */
  deleteUnseen(connector: string, runId: string, kinds: (ObjectKind | LinkKind)[]): Promise<number>;

  // watermarks (opaque strings; the connector alone knows what they mean)
  getWatermark(connector: string, key: string): Promise<string | null>;
  setWatermark(connector: string, key: string, value: string): Promise<void>;
  clearWatermarks(connector: string): Promise<void>;

  exportData(connector: string, opts: { includeDeleted: boolean }): Promise<ExportData>;
  /** One page of a connector's objects in external-id (byte) order, after `afterId` (keyset
   *  paging: stable while rows are added). `deletedAt` is set only with includeDeleted. */
  listObjects(
    connector: string,
    kind: ObjectKind,
    opts: { afterId: string | null; limit: number; includeDeleted: boolean },
  ): Promise<ExportedObject[]>;

  /** The children of one parent (all of them: a group's members are read whole, ordered by
   *  child id). `deletedAt` is set only with includeDeleted; soft-deleted links are former children. */
  listLinks(connector: string, kind: LinkKind, parentId: string, opts: { includeDeleted: boolean }): Promise<ExportedLink[]>;

  // projection map: which target object each source object became, and what was written
  /** The records for those source ids that were projected to `target` before (others are absent). */
  getProjections(target: string, source: string, kind: ObjectKind, sourceIds: string[]): Promise<ProjectionRecord[]>;
  /** Upserts by (target, source, kind, sourceId). */
  saveProjections(rows: Omit<ProjectionRecord, 'updatedAt'>[]): Promise<void>;
  counts(connector: string): Promise<Record<ObjectKind | LinkKind, number>>;
}
