// Workflow inputs, messages and summaries. Only names, cursors, keys and counters live here:
// record data never enters workflow history.
import type { Resource } from '../connectors/types';

export type SyncMode = 'full' | 'delta';
export type Trigger = 'schedule' | 'cli' | 'webhook' | 'api' | 'dev';

export interface RetrySettings {
  maxAttempts: number;
  backoff: 'exponential' | 'linear';
}

/** One caller's wish for a run. Requests arriving while a run is busy are coalesced into one next run. */
export interface SyncRequest {
  requestId: string;
  mode: SyncMode;
  trigger: Trigger;
}

export interface Counts {
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
}
export const zeroCounts = (): Counts => ({ fetched: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0 });

/** Adds an apply's counts (fetched is counted where records are read, not here). */
export function addCounts(into: Omit<Counts, 'fetched'>, c: Partial<Counts>): void {
  into.inserted += c.inserted ?? 0;
  into.updated += c.updated ?? 0;
  into.unchanged += c.unchanged ?? 0;
  into.deleted += c.deleted ?? 0;
}

/** A run in progress, carried across continue-as-new. Its read position (ReadPosition) is that
 *  of its one lane; a run read in lanes keeps one per lane instead. */
export interface RunState extends ReadPosition {
  runId: string;
  requestIds: string[];
  mode: SyncMode;
  trigger: Trigger;
  resources: Resource[];
  resourceIndex: number;
  /** full: the delta watermark taken before reading; delta: the watermark read from. */
  watermark: string | null;
  counts: Counts;
  incomplete: Resource[];
  pages: number;
  startedAtMs: number;
  /** What became of deletions the guard held, once decided. */
  deletions?: ApprovalOutcome;
  /** Set when a full run reads its classes in lanes side by side (independent rate-limit
   *  buckets); each lane then keeps its own position and resourceIndex/cursor are unused. */
  lanes?: LaneState[];
}

/** Where a reader stands in its current class: the run itself, or one lane of it. */
export interface ReadPosition {
  cursor: string | null;
  seq: number;
  /** Records read and kept (after filters) of the resource being read: a filter that keeps none
   *  of a resource's records most likely names a path the source does not have. */
  filtered?: { read: number; kept: number; unmapped?: string[] };
  /** The worker's own task queue when the last batch left in-process state there (a paged search);
   *  the next batch of the resource goes there first. */
  affinityQueue?: string | null;
}

/** One read lane of a full run: its classes in order, the one being read, and where in it. */
export interface LaneState extends ReadPosition {
  resources: Resource[];
  index: number;
}

export interface RunSummary {
  runId: string;
  requestIds: string[];
  mode: SyncMode;
  trigger: Trigger;
  status: 'succeeded' | 'failed' | 'held' | 'cancelled';
  counts: Counts;
  error?: string;
  /** Set when the run was held by the deletion guard: what became of its deletions. */
  deletions?: ApprovalOutcome;
  finishedAtMs: number;
}

export type ApprovalOutcome = 'approved' | 'rejected' | 'expired';

/** Where sync/<name> is: carried through continue-as-new so a new execution resumes exactly there. */
export type SyncPhase = 'idle' | 'starting' | 'reading' | 'deleting' | 'held' | 'finishing';

/** A full run waiting for an operator: why, and until when (then its deletions are rejected). */
export interface HeldRun {
  runId: string;
  reason: string;
  sinceMs: number;
  deadlineMs: number;
}

/** The whole state of sync/<name>, one object passed on by continue-as-new. */
export interface SyncStateData {
  phase: SyncPhase;
  pending: SyncRequest[];
  run?: RunState;
  recent: RunSummary[];
  held?: HeldRun;
}

/** `tiger connector approve-deletions`: runId, when given, must be the held run's. */
export interface ApprovalRequest {
  runId?: string;
  approved: boolean;
}
export interface ApprovalResult {
  runId: string;
  approved: boolean;
}

export interface SyncWorkflowInput {
  connector: string;
  connectorType: string;
  retry: RetrySettings;
  /** How long a held run waits for approval (the connector's approvalTimeout); 24h when absent. */
  approvalTimeoutMs?: number;
  /** Carried by continue-as-new. */
  state?: SyncStateData;
  /** The state as executions before `state` existed handed it over; read when `state` is absent. */
  pending?: SyncRequest[];
  inFlight?: RunState;
  recent?: RunSummary[];
  /** Tuning, and a knob that lets tests force continue-as-new early. */
  options?: SyncOptions;
}

/** Records per fetch activity at most, and the time one may read for; a batch also ends at about
 *  16 MB staged, and holds more bare links (pipeline/read-batch.ts). A batch is staged in parts as
 *  it is read, so its size sets the Temporal round trips per record, not the worker's memory. */
export const DEFAULT_BATCH = { records: 20_000, millis: 4000 } as const;

export interface SyncOptions {
  batchRecords?: number;
  batchMillis?: number;
  continueAsNewAfterPages?: number;
  /** How long a finished workflow waits for more requests before closing. */
  idleMillis?: number;
  /** How long a batch routed to one worker's own queue may wait for that worker (then any worker
   *  takes it from the shared queue). */
  affinityStartMillis?: number;
}

export interface Progress {
  connector: string;
  state: 'idle' | 'running' | 'held';
  phase: SyncPhase;
  /** Present while a run waits for approve-deletions: which run, why, and until when. */
  held?: HeldRun;
  run?: {
    runId: string;
    requestIds: string[];
    mode: SyncMode;
    trigger: Trigger;
    resource: Resource | null;
    /** Classes being read right now: several when lanes read side by side. */
    reading?: Resource[];
    resourceIndex: number;
    resourceCount: number;
    pages: number;
    records: number;
    counts: Counts;
    ratePerSec: number;
    startedAtMs: number;
  };
  pending: SyncRequest[];
  recent: RunSummary[];
}

/** Webhook events carry only what changed (type + ids); the activity re-fetches the objects. */
export interface LiveEvent {
  eventId: string;
  eventType: string;
  targets: { resource: 'users' | 'groups' | 'apps'; id: string }[];
}

export interface LiveWorkflowInput {
  connector: string;
  connectorType: string;
  retry: RetrySettings;
  queue?: LiveEvent[];
  seen?: string[];
  processed?: number;
  /** The batch being tried, with its failed tries (from continue-as-new). */
  batch?: LiveBatch;
  options?: LiveOptions;
}

/** Events taken off the queue together; the key names their run, so every try is the same run. */
export interface LiveBatch {
  key: string;
  events: LiveEvent[];
  failedTries: number;
}

export interface LiveOptions {
  continueAsNewAfterEvents?: number;
  idleMillis?: number;
  batchEvents?: number;
  /** Tries of one batch (each with the connector's retry policy) before its events are given up. */
  maxBatchTries?: number;
  /** Wait after the first failed try; doubled after each further one, up to maxBackoffMillis. */
  retryBackoffMillis?: number;
  maxBackoffMillis?: number;
}

/** What `live/<name>` answers to liveStateQuery. */
export interface LiveState {
  queued: number;
  processed: number;
  givenUp: number;
  batch: { key: string; events: number; failedTries: number; lastError: string | null; nextTryAtMs: number | null } | null;
}
