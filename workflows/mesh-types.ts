// mesh/<name> input, state and summary: names, cursors and counters only — accounts, persons and
// their attributes stay in the store, never in history.

export interface MeshRequest {
  requestId: string;
  /** Re-correlate every account of every source, not only those changed since the last run. */
  full?: boolean;
  trigger: 'sync' | 'cli' | 'test';
}

export interface MeshCounts {
  accounts: number;
  linked: number;
  founded: number;
  review: number;
  unmatched: number;
  gone: number;
  /** Persons whose attributes or state changed. */
  persons: number;
}
export const zeroMeshCounts = (): MeshCounts => ({ accounts: 0, linked: 0, founded: 0, review: 0, unmatched: 0, gone: 0, persons: 0 });
export function addMeshCounts(into: MeshCounts, c: Partial<MeshCounts>): void {
  for (const k of Object.keys(into) as (keyof MeshCounts)[]) into[k] += c[k] ?? 0;
}

export type MeshPhase = 'starting' | 'changed' | 'pending' | 'finishing' | 'done';

/** Carried through continue-as-new. */
export interface MeshRunState {
  runId: string;
  full: boolean;
  trigger: MeshRequest['trigger'];
  phase: MeshPhase;
  /** The window of store changes this run reads: [since, until). */
  since: string | null;
  until: string;
  sources: string[];
  sourceIndex: number;
  afterId: string | null;
  /** Phase `pending`: unmatched accounts, then those in review, are tried again. */
  pendingStatus: 'unmatched' | 'review';
  pendingAfter: { connector: string; accountId: string } | null;
  counts: MeshCounts;
}

export interface MeshWorkflowInput {
  mesh: string;
  state?: MeshRunState;
  /** Request ids already taken (signals are deduplicated across continue-as-new). */
  seen?: string[];
  /** A request that arrived during the previous run: one more run. */
  again?: { full: boolean; trigger: MeshRequest['trigger'] };
  options?: { batchSize?: number; continueAsNewAfterBatches?: number };
}

export interface MeshSummary {
  runId: string;
  mesh: string;
  full: boolean;
  status: 'succeeded' | 'failed';
  counts: MeshCounts;
  error?: string;
}
