// push/<target> input, state and summary: names, keyset cursors and counters only — plan rows and
// attributes stay in the store (push_plans), never in history.
import type { PlanCounts, PushKind } from '../pipeline/push-plan';
import type { ApprovalOutcome } from './types';

export type { PushKind };

/** What a plan holds, counted: defined once with the plan (pipeline/ may not import workflows/). */
export type PushPlanCounts = PlanCounts;

/** What the apply did. */
export interface PushApplyCounts {
  created: number;
  /** A create that found its own object (a retried create, or one whose state was lost). */
  adopted: number;
  updated: number;
  enabled: number;
  disabled: number;
  deleted: number;
  membersAdded: number;
  membersRemoved: number;
  /** Objects the target refused: quarantined with its error. */
  quarantined: number;
  /** Planned disables, deletes and member removals not applied (the guard's hold was rejected). */
  removalsWithheld: number;
}

export const zeroPushApplyCounts = (): PushApplyCounts => ({
  created: 0, adopted: 0, updated: 0, enabled: 0, disabled: 0, deleted: 0, membersAdded: 0, membersRemoved: 0, quarantined: 0, removalsWithheld: 0,
});
export const zeroPushPlanCounts = (): PushPlanCounts => ({
  creates: 0, updates: 0, disables: 0, enables: 0, deletes: 0, memberAdds: 0, memberRemoves: 0, unchanged: 0, skipped: 0,
});

export type PushPhase = 'starting' | 'planning' | 'held' | 'applying' | 'finishing' | 'done';

/** Carried through continue-as-new. */
export interface PushRunState {
  runId: string;
  phase: PushPhase;
  kinds: PushKind[];
  kindIndex: number;
  afterId: string | null;
  /** Plan pages stored so far (push_plans seq 0 … planned-1) and the next one to apply. */
  planned: number;
  applied: number;
  plan: PushPlanCounts;
  /** Removals planned per kind (the guard's input). */
  removals: { user: number; group: number; membership: number };
  done: PushApplyCounts;
  guard: { threshold: number; limit: number; approvalTimeoutMs: number };
  held?: { reason: string; sinceMs: number; deadlineMs: number };
  decision?: ApprovalOutcome;
}

export interface PushRequest {
  requestId: string;
  trigger: 'cli' | 'sync' | 'quarantine-retry';
  /** The source to push from (a run started meanwhile pushes from the latest request's). */
  source: string;
}

export interface PushWorkflowInput {
  source: string;
  target: string;
  /** Plan only: the plan is stored (push_plans, by runId) and nothing is sent to the target. */
  dryRun?: boolean;
  options?: { batchSize?: number; continueAsNewAfterBatches?: number };
  /** Carried across continue-as-new. */
  state?: PushRunState;
  /** Requests seen (ids), so a retried request never queues a second run. */
  seen?: string[];
  /** Requests arrived during this run: one more run follows it, from this source. */
  again?: string;
}

export interface PushProgress {
  source: string;
  target: string;
  dryRun: boolean;
  runId: string | null;
  phase: PushPhase;
  kind: PushKind | null;
  planned: number;
  applied: number;
  plan: PushPlanCounts;
  done: PushApplyCounts;
  held: PushRunState['held'] | null;
}

export interface PushSummary {
  runId: string;
  source: string;
  target: string;
  dryRun: boolean;
  status: 'succeeded' | 'failed';
  plan: PushPlanCounts;
  applied: PushApplyCounts;
  /** Set when the guard held the run: how it was decided. */
  removals?: ApprovalOutcome;
  error?: string;
  finishedAtMs: number;
}

export interface PushApprovalRequest {
  runId?: string;
  approved: boolean;
}
