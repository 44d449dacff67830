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

/** A run in progress, carried across continue-as-new. */
export interface RunState {
  runId: string;
  requestIds: string[];
  mode: SyncMode;
  trigger: Trigger;
  resources: Resource[];
  resourceIndex: number;
  cursor: string | null;
  seq: number;
  /** full: the delta watermark taken before reading; delta: the watermark read from. */
  watermark: string | null;
  counts: Counts;
  incomplete: Resource[];
  pages: number;
  startedAtMs: number;
}

export interface RunSummary {
  runId: string;
  requestIds: string[];
  mode: SyncMode;
  trigger: Trigger;
  status: 'succeeded' | 'failed' | 'held';
  counts: Counts;
  error?: string;
  finishedAtMs: number;
}

export interface SyncWorkflowInput {
  connector: string;
  connectorType: string;
  retry: RetrySettings;
  /** Requests not yet served (from continue-as-new). */
  pending?: SyncRequest[];
  inFlight?: RunState;
  recent?: RunSummary[];
  /** Tuning, and a knob that lets tests force continue-as-new early. */
  options?: SyncOptions;
}

export interface SyncOptions {
  batchRecords?: number;
  batchMillis?: number;
  continueAsNewAfterPages?: number;
  /** How long a finished workflow waits for more requests before closing. */
  idleMillis?: number;
}

export interface Progress {
  connector: string;
  state: 'idle' | 'running' | 'held';
  run?: {
    runId: string;
    requestIds: string[];
    mode: SyncMode;
    trigger: Trigger;
    resource: Resource | null;
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
  options?: { continueAsNewAfterEvents?: number; idleMillis?: number; batchEvents?: number };
}
