// The state of sync/<name> in one object (after Temporal's safe-message-handlers sample): message
// handlers are methods here, the workflow function only drives runs, and `snapshot()` is what
// continue-as-new carries. Only ids, cursors and counters live here — never record data.
import { ApplicationFailure } from '@temporalio/workflow';
import type {
  ApprovalOutcome,
  ApprovalRequest,
  ApprovalResult,
  HeldRun,
  Progress,
  RunState,
  RunSummary,
  SyncPhase,
  SyncRequest,
  SyncStateData,
  SyncWorkflowInput,
} from './types';

const RECENT_KEPT = 20;

export class SyncState {
  phase: SyncPhase;
  pending: SyncRequest[];
  run: RunState | undefined;
  readonly recent: RunSummary[];
  held: HeldRun | undefined;
  /** The operator's answer to the current hold; not carried: a held run never continues-as-new. */
  decision: boolean | undefined;
  /** Requests taken by a run whose beginRun is still under way (not carried: no continue-as-new then). */
  private starting: string[] = [];

  constructor(private readonly connector: string, data: SyncStateData) {
    this.phase = data.phase;
    this.pending = data.pending;
    this.run = data.run;
    this.recent = data.recent;
    this.held = data.held;
  }

  /** Inputs written before `state` existed carried pending/inFlight/recent: they still resume. */
  static fromInput(input: SyncWorkflowInput): SyncState {
    const data: SyncStateData = input.state ?? {
      phase: input.inFlight ? 'reading' : 'idle',
      pending: input.pending ?? [],
      run: input.inFlight,
      recent: input.recent ?? [],
    };
    return new SyncState(input.connector, data);
  }

  snapshot(): SyncStateData {
    return { phase: this.phase, pending: this.pending, run: this.run, recent: this.recent, held: this.held };
  }

  /** A retried signal-with-start repeats its requestId: it joins nothing new, even after its run ended. */
  request(req: SyncRequest): void {
    const known = (ids: string[]) => ids.includes(req.requestId);
    if (this.run && known(this.run.requestIds)) return;
    if (known(this.starting)) return;
    if (this.pending.some((p) => p.requestId === req.requestId)) return;
    if (this.recent.some((r) => known(r.requestIds))) return;
    this.pending.push(req);
  }

  /** Requests taken now wait for nothing more; those signalled later go to the next run. */
  takePending(): SyncRequest[] {
    const taken = this.pending;
    this.pending = [];
    this.starting = taken.map((r) => r.requestId);
    return taken;
  }

  remember(summary: RunSummary): void {
    this.starting = [];
    this.recent.unshift(summary);
    this.recent.splice(RECENT_KEPT);
  }

  hold(h: HeldRun): void {
    this.phase = 'held';
    this.held = h;
    this.decision = undefined;
  }

  /** Ends a hold with the operator's decision, or 'expired' when approvalTimeout passed first. */
  release(): ApprovalOutcome {
    const outcome: ApprovalOutcome = this.decision === undefined ? 'expired' : this.decision ? 'approved' : 'rejected';
    this.held = undefined;
    this.decision = undefined;
    this.phase = 'deleting';
    return outcome;
  }

  /** Update validator: a refusal reaches the caller and leaves nothing in history. */
  validateApproval(req: ApprovalRequest): void {
    if (!this.held || this.decision !== undefined) {
      throw ApplicationFailure.nonRetryable(`connector ${this.connector} has no run waiting for approval`, 'NothingHeld');
    }
    if (req.runId && req.runId !== this.held.runId) {
      throw ApplicationFailure.nonRetryable(
        `connector ${this.connector}: run ${req.runId} is not the held run (held: ${this.held.runId})`,
        'WrongRun',
      );
    }
  }

  approve(req: ApprovalRequest): ApprovalResult {
    const runId = this.held!.runId;
    this.decision = req.approved;
    return { runId, approved: req.approved };
  }

  progress(nowMs: number): Progress {
    const run = this.run;
    const elapsed = run ? Math.max(1, nowMs - run.startedAtMs) : 1;
    // Lanes read side by side: "where" is every lane's current class, and the classes done so far.
    const lanesReading = run?.lanes?.filter((l) => l.index < l.resources.length).map((l) => l.resources[l.index]);
    // None left once every lane is read (deleting, finishing): then, as for a run in one lane, no resource.
    const reading = lanesReading?.length ? lanesReading : undefined;
    const resourceIndex = run?.lanes ? run.lanes.reduce((n, l) => n + l.index, 0) : run?.resourceIndex ?? 0;
    return {
      connector: this.connector,
      state: this.held ? 'held' : run ? 'running' : 'idle',
      phase: this.phase,
      held: this.held,
      run: run && {
        runId: run.runId,
        requestIds: run.requestIds,
        mode: run.mode,
        trigger: run.trigger,
        resource: (run.lanes ? reading?.[0] : run.resources[run.resourceIndex]) ?? null,
        ...(reading ? { reading } : {}),
        resourceIndex,
        resourceCount: run.resources.length,
        pages: run.pages,
        records: run.counts.fetched,
        counts: run.counts,
        ratePerSec: Math.round((run.counts.fetched * 1000) / elapsed),
        startedAtMs: run.startedAtMs,
      },
      pending: this.pending,
      recent: this.recent,
    };
  }
}
