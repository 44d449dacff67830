// Projection workflow input and summary: names, a keyset cursor and counters only.

export interface ProjectCounts {
  /** Store objects looked at. */
  read: number;
  created: number;
  updated: number;
  moved: number;
  /** Accounts re-enabled because their identity is active again. */
  activated: number;
  deactivated: number;
  deleted: number;
  /** Hash unchanged since the last projection, or written with no difference in the target. */
  unchanged: number;
  /** Deleted in the store before ever being projected. */
  skipped: number;
  /** Users that could not be written (each has an error line in the run log). */
  failed: number;
  /** Groups looked at, written (created, updated, moved or deleted), unchanged, failed. */
  groupsRead: number;
  groupsWritten: number;
  groupsUnchanged: number;
  groupsFailed: number;
  /** Member writes sent; both are idempotent, so a member already there (or gone) counts too. */
  membersAdded: number;
  membersRemoved: number;
}
export const zeroProjectCounts = (): ProjectCounts => ({
  read: 0,
  created: 0,
  updated: 0,
  moved: 0,
  activated: 0,
  deactivated: 0,
  deleted: 0,
  unchanged: 0,
  skipped: 0,
  failed: 0,
  groupsRead: 0,
  groupsWritten: 0,
  groupsUnchanged: 0,
  groupsFailed: 0,
  membersAdded: 0,
  membersRemoved: 0,
});

export interface ProjectWorkflowInput {
  source: string;
  target: string;
  kind?: 'user';
  options?: { batchSize?: number; continueAsNewAfterBatches?: number };
  /** Carried across continue-as-new: users first, then groups and their members. */
  phase?: 'users' | 'groups';
  runId?: string;
  afterId?: string | null;
  counts?: ProjectCounts;
}

export interface ProjectSummary {
  runId: string;
  source: string;
  target: string;
  status: 'succeeded' | 'failed';
  counts: ProjectCounts;
  error?: string;
  finishedAtMs: number;
}
