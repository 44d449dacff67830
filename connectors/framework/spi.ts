// The operations a connector implements (after ConnId's SPI operations: SearchOp, SyncOp,
// GetApiOp, CreateOp, UpdateDeltaOp, DeleteOp, TestOp). Each one exists exactly when the
// manifest declares the capability it serves; defineConnector checks that once, at open.

import type { ChangesResult, ReadPageResult, SourceLink, SourceObject, TestResult } from '../types';

/** An opaque delta position per class (connectors with `deltaScope: 'connector'` hold one value
 *  for all). It travels as one string (framework/delta-state.ts encodes it): plain JSON, so any
 *  worker can continue from it. */
export type DeltaState = Record<string, string>;

/** Attribute-level change of one object. Names are the target's own attribute paths. `replace`
 *  sets (null clears), `add`/`remove` touch single values of multi-valued attributes. Attributes
 *  not named are left exactly as they are. */
export interface AttributeDelta {
  replace?: Record<string, unknown>;
  add?: Record<string, unknown[]>;
  remove?: Record<string, unknown[]>;
}

export interface CreateRequest {
  /** Target attributes of the new object (target paths, e.g. `name.givenName`, `profile.email`). */
  attributes: Record<string, unknown>;
  /** The stable key of the identity being provisioned (`<source connector>:<source id>`). A
   *  retried create that finds an object carrying this key adopts it; an object with the same
   *  unique name but another key (or none) is a stranger's and is never adopted. */
  key: string;
  /** Create it disabled (a deprovisioned identity pushed for the first time). */
  enabled?: boolean;
}

export type WriteAction = 'created' | 'adopted' | 'updated' | 'unchanged' | 'enabled' | 'disabled' | 'deleted' | 'moved';

export interface WriteOutcome {
  /** The target's own id of the object (objectGUID, entryUUID, Okta id, SCIM id). */
  targetId: string;
  action: WriteAction;
}

/** Per child: linked/unlinked, or the target's error for that child alone. */
export interface LinkOutcome {
  childId: string;
  ok: boolean;
  error?: string;
}

export interface ConnectorOps {
  test?(): Promise<TestResult>;
  /** Full read: one page of a class; `nextCursor` null when exhausted. Cursors are plain strings
   *  any worker can resume (affinity is only a hint, see Manifest.affinity). */
  readPage?(cls: string, cursor: string | null): Promise<ReadPageResult>;
  /** "Now", taken before a full read so a delta after it misses nothing. Per-class connectors
   *  return an encoded DeltaState (framework/delta-state.ts). */
  currentWatermark?(classes?: string[]): Promise<string>;
  /** One page of the change window after `watermark` (as currentWatermark or the last window
   *  returned it). See ChangesResult for what the returned watermark may and may not pass. */
  readChanges?(classes: string[], watermark: string, cursor: string | null): Promise<ChangesResult>;
  /** null when the object does not exist (any more). */
  getById?(cls: string, id: string): Promise<SourceObject | null>;
  /** The complete current children of one parent of a link class. */
  getLinks?(linkCls: string, parentId: string): Promise<SourceLink[]>;
  create?(cls: string, req: CreateRequest): Promise<WriteOutcome>;
  updateDelta?(cls: string, targetId: string, delta: AttributeDelta): Promise<WriteOutcome>;
  setEnabled?(cls: string, targetId: string, enabled: boolean): Promise<WriteOutcome>;
  delete?(cls: string, targetId: string): Promise<WriteOutcome>;
  link?(linkCls: string, parentId: string, childIds: string[]): Promise<LinkOutcome[]>;
  unlink?(linkCls: string, parentId: string, childIds: string[]): Promise<LinkOutcome[]>;
  close(): Promise<void>;
}
