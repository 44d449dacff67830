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
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'held' | 'cancelled';

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

/** What a push last wrote to a target for one source identity. */
export interface PushStateRecord {
  target: string;
  source: string;
  kind: ObjectKind;
  sourceId: string;
  /** The target's own id of the object (SCIM id, entryUUID, Okta id). */
  targetId: string;
  /** Target attributes as pushed (target paths): the "before" of the next plan's updates. */
  attributes: Record<string, unknown>;
  enabled: boolean;
  /** Groups: members this push added, as `user:<id>` / `group:<id>` source references. */
  members?: string[] | null;
  hash: string;
  pushedAt?: string;
}

export type QuarantineStatus = 'held' | 'released';
/** An object a target refused: its error, retried by every next push until it goes through. */
export interface QuarantineRecord {
  target: string;
  source: string;
  kind: ObjectKind;
  sourceId: string;
  error: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  /** held: failed, retried by the next push; released: an operator asked for a retry. */
  status: QuarantineStatus;
}

/** One planned page of a push (dry run or real), stored so the apply applies what was planned. */
export interface PushPlanPage {
  runId: string;
  seq: number;
  target: string;
  kind: ObjectKind;
  /** The page's plan as JSON (pipeline/push-plan.ts PushPlan). */
  plan: unknown;
  createdAt?: string;
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
  /** Records the run, the change sequence it began at (see countUnseen) and, when given, the
   *  connector definition it runs with (as stored: references, never resolved secrets). */
  beginRun(r: { runId: string; connector: string; mode: RunMode; trigger: string; definition?: unknown }): Promise<RunRecord>;
  /** The definition a run pinned at beginRun, or null (no such run, or begun without one). */
  getRunDefinition(runId: string): Promise<unknown>;
  /** Marks the connector's other full/delta runs still `running` or `held` as failed with `error`:
   *  only one sync run per connector exists at a time, so they were abandoned (terminated, reset).
   *  Returns their ids. Live runs are never touched. */
  abandonRuns(connector: string, exceptRunId: string, error: string): Promise<string[]>;
  addRunCounts(runId: string, counts: Partial<ApplyCounts & { fetched: number }>): Promise<void>;
  /** A delta run that had to read in full (its watermark could not be continued) becomes the full
   *  run it is, so `sync.fullInterval` counts it. Throws for an unknown run. */
  setRunMode(runId: string, mode: RunMode): Promise<void>;
  finishRun(runId: string, status: RunStatus, error?: string | null): Promise<RunRecord>;
  getRun(runId: string): Promise<RunRecord | null>;
  /** Newest first; `only` narrows to one mode and/or status (the last successful full run). */
  listRuns(connector: string, limit: number, only?: { mode?: RunMode; status?: RunStatus }): Promise<RunRecord[]>;
  appendLog(e: Omit<RunLogEntry, 'at'>): Promise<void>;
  listLogs(connector: string, opts: { limit: number; runId?: string }): Promise<RunLogEntry[]>;

  // claim-check staging: stage is an upsert by key; apply is one transaction and remembers its
  // counts, so applying the same key twice changes nothing and returns the first counts.
  /** `runId` names the run the page belongs to, so pages of abandoned runs can be found. */
  stagePage(stageKey: string, connector: string, page: StagedPage, runId?: string): Promise<void>;
  applyStagedPage(stageKey: string, connector: string, runId: string): Promise<ApplyCounts>;
  /** Drops applied stage rows of a finished run. */
  dropStagedPages(runId: string): Promise<number>;
  /** Drops every stage row of the connector's full/delta runs other than `exceptRunId` (applied or
   *  not: a run that is not running anymore never applies them), and stage rows of any connector
   *  created before `olderThan` (ISO time). Pages of live batches are left alone unless that old. */
  dropStaleStagedPages(connector: string, exceptRunId: string, olderThan: string): Promise<number>;

  /** Full runs: live objects/links of `kinds` not seen by `runId` (last_seen_run) and not written
   *  by anything (a live batch, another run) since the run began (seen_seq below the run's
   *  start_seq). Throws for an unknown run. */
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

  /** The objects of those ids (absent ids are left out), in id order. */
  getObjects(connector: string, kind: ObjectKind, ids: string[], opts: { includeDeleted: boolean }): Promise<ExportedObject[]>;

  // push state: what each source identity became in a target, and what was written to it
  getPushStates(target: string, source: string, kind: ObjectKind, sourceIds: string[]): Promise<PushStateRecord[]>;
  /** Upserts by (target, source, kind, sourceId). */
  savePushStates(rows: Omit<PushStateRecord, 'pushedAt'>[]): Promise<void>;
  deletePushStates(target: string, source: string, kind: ObjectKind, sourceIds: string[]): Promise<number>;
  /** Pushed users and groups, and the members pushed into those groups (the guard's totals). */
  countPushStates(target: string, source: string): Promise<{ user: number; group: number; membership: number }>;

  // quarantine: objects a target refused
  /** Upserts: a new row is held with 1 attempt; an existing one counts one more attempt, takes the
   *  new error and is held again. */
  quarantine(rows: { target: string; source: string; kind: ObjectKind; sourceId: string; error: string }[]): Promise<void>;
  /** Removes the rows of objects that went through. */
  clearQuarantine(target: string, source: string, kind: ObjectKind, sourceIds: string[]): Promise<number>;
  /** Oldest failure first; `sourceIds` narrows to those ids (any kind, any source). */
  listQuarantine(target: string, opts?: { sourceIds?: string[] }): Promise<QuarantineRecord[]>;
  setQuarantineStatus(target: string, status: QuarantineStatus, sourceIds?: string[]): Promise<number>;
  dropQuarantine(target: string, sourceIds?: string[]): Promise<number>;

  // push plans (claim check of a push run)
  /** Upserts by (runId, seq): a re-planned page replaces its row. */
  savePushPlanPage(p: Omit<PushPlanPage, 'createdAt'>): Promise<void>;
  getPushPlanPage(runId: string, seq: number): Promise<PushPlanPage | null>;
  /** In seq order. */
  listPushPlanPages(runId: string): Promise<PushPlanPage[]>;
  /** Drops a run's plan rows; with `olderThan`, also the target's rows of any other run created
   *  before that (ISO time): a dry run nobody read, a push that was terminated. */
  dropPushPlans(target: string, runId: string, olderThan?: string): Promise<number>;
}

// ---- identity mesh (config/mesh.ts): persons correlated across sources ----

export interface StoredMesh {
  name: string;
  /** The normalized mesh file (config/mesh.ts MeshDefinition). */
  definition: unknown;
  createdAt: string;
  updatedAt: string;
}

/** Which source account, rule and mesh run set a person attribute. */
export interface MeshProvenance {
  source: string;
  account: string;
  /** The correlation rule that linked that account (`joiner`: it founded the person; `manual`). */
  rule: string;
  run: string;
}

export type MeshPersonState = 'active' | 'left';
export interface MeshPerson {
  mesh: string;
  personId: string;
  /** joiner: active; the authoritative account gone or inactive: left. */
  state: MeshPersonState;
  attributes: Record<string, unknown>;
  provenance: Record<string, MeshProvenance>;
  updatedAt?: string;
}

/** linked: by a rule or by an operator (rule `manual`, never changed by correlation); unmatched:
 *  no candidate yet (retried each run); review: ambiguous, waits in the review queue; detached: an
 *  operator unlinked it, and correlation leaves it alone; gone: deleted before it was ever linked. */
export type MeshLinkStatus = 'linked' | 'unmatched' | 'review' | 'detached' | 'gone';
export interface MeshLink {
  mesh: string;
  connector: string;
  accountId: string;
  personId: string | null;
  status: MeshLinkStatus;
  rule: string | null;
  runId: string;
  updatedAt?: string;
}

export type MeshReviewStatus = 'open' | 'linked' | 'detached' | 'resolved';
/** An ambiguous match: never joined automatically; the operator's decision is kept. */
export interface MeshReview {
  mesh: string;
  connector: string;
  accountId: string;
  rule: string;
  reason: string;
  /** Candidate person ids. */
  candidates: string[];
  status: MeshReviewStatus;
  createdAt?: string;
  updatedAt?: string;
}

/** A normalized correlation key: `owner` is `<connector>/<account id>` or `/<person id>` (connector names hold no `/`). */
export interface MeshKey {
  key: string;
  value: string;
  owner: string;
}

// Declaration merging keeps the mesh methods apart from the rest of the contract.
export interface IdentityStore {
  saveMesh(m: { name: string; definition: unknown }): Promise<StoredMesh>;
  getMesh(name: string): Promise<StoredMesh | null>;
  listMeshes(): Promise<StoredMesh[]>;

  /** A connector's objects (deleted ones too, with deletedAt) whose row changed in
   *  [since, until) (updated_at; since null: from the start), in external-id order after afterId. */
  listChangedObjects(
    connector: string,
    kind: ObjectKind,
    opts: { since: string | null; until: string; afterId: string | null; limit: number },
  ): Promise<ExportedObject[]>;

  getMeshPersons(mesh: string, personIds: string[]): Promise<MeshPerson[]>;
  /** Keyset page in person-id order. */
  listMeshPersons(mesh: string, opts: { afterId: string | null; limit: number }): Promise<MeshPerson[]>;
  /** Upserts by (mesh, personId). */
  saveMeshPersons(rows: Omit<MeshPerson, 'updatedAt'>[]): Promise<void>;

  getMeshLinks(mesh: string, accounts: { connector: string; accountId: string }[]): Promise<MeshLink[]>;
  /** The links (any status) naming those persons. */
  listMeshLinksOf(mesh: string, personIds: string[]): Promise<MeshLink[]>;
  /** Keyset page of one status in (connector, accountId) order. */
  listMeshLinksByStatus(mesh: string, status: MeshLinkStatus, opts: { after: { connector: string; accountId: string } | null; limit: number }): Promise<MeshLink[]>;
  /** Upserts by (mesh, connector, accountId). */
  saveMeshLinks(rows: Omit<MeshLink, 'updatedAt'>[]): Promise<void>;

  /** Replaces each owner's keys with the given ones (none: the owner has no keys any more). */
  replaceMeshKeys(mesh: string, owners: { owner: string; keys: { key: string; value: string }[] }[]): Promise<void>;
  findMeshKeys(mesh: string, key: string, values: string[]): Promise<MeshKey[]>;

  /** Upserts by (mesh, connector, accountId); createdAt is kept. */
  saveMeshReviews(rows: Omit<MeshReview, 'createdAt' | 'updatedAt'>[]): Promise<void>;
  /** Oldest first; `status` narrows. */
  listMeshReviews(mesh: string, opts?: { status?: MeshReviewStatus }): Promise<MeshReview[]>;
}

/** One connector object's audit: the run that last saw it and the run that last changed it
 *  (inserted it, changed its attributes or revived it; null for rows written before the column). */
export interface ObjectAudit {
  id: string;
  kind: ObjectKind;
  attributes: Record<string, unknown>;
  sourceUpdatedAt: string | null;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  lastSeenRun: string | null;
  changedRun: string | null;
}

export interface IdentityStore {
  getObjectAudit(connector: string, kind: ObjectKind, id: string): Promise<ObjectAudit | null>;
}
