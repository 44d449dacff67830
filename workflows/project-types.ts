// Projection workflow input and summary: names, a keyset cursor and counters only.

export interface ProjectCounts {
  /** Store objects looked at. */
  read: number;
  created: number;
  updated: number;
  moved: number;
  deactivated: number;
  deleted: number;
  /** Hash unchanged since the last projection, or written with no difference in the target. */
  unchanged: number;
  /** Deleted in the store before ever being projected. */
  skipped: number;
  failed: number;
}
export const zeroProjectCounts = (): ProjectCounts => ({
  read: 0,
  created: 0,
  updated: 0,
  moved: 0,
  deactivated: 0,
  deleted: 0,
  unchanged: 0,
  skipped: 0,
  failed: 0,
});

export interface ProjectWorkflowInput {
  source: string;
  target: string;
  kind?: 'user';
  options?: { batchSize?: number; continueAsNewAfterBatches?: number };
  /** Carried across continue-as-new. */
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
