// sync/<connector>: one run at a time per connector. Full and delta runs are made of retryable
// activities (fetch batch → stage; apply staged batch; checkpoint watermark), pipelined so the
// next batch is fetched while the previous one is applied. History holds only cursors, keys and
// counters, and stays bounded by continue-as-new. Its state is one object (sync-state.ts) that
// continue-as-new carries; message handlers are that object's methods.
//
// Recorded histories in test/replay/ replay against this code in CI: a change that alters the
// commands it issues (activities, timers, their order) must be guarded with patched('<why>') from
// now on, so executions already running when a new worker arrives keep replaying.
import {
  ActivityCancellationType,
  ActivityFailure,
  CancellationScope,
  TimeoutFailure,
  type RetryPolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { MeshActivities } from '../activities/mesh';
import type { PushActivities } from '../activities/push';
import type { SyncActivities } from '../activities/sync';
import type { Resource } from '../connectors/types';
import { failureMessage, isContinueAsNew } from './failures';
import { toRetryPolicy } from './retry';
import { TigerSyncMode, TigerTrigger } from './search-attributes';
import { SyncState } from './sync-state';
import type { ApprovalOutcome, ApprovalRequest, ApprovalResult, LaneState, Progress, ReadPosition, RunState, RunSummary, SyncRequest, SyncWorkflowInput } from './types';
import { DEFAULT_BATCH, addCounts, zeroCounts } from './types';
import { progressDetails, summaries } from './ui-text';

export const requestSyncSignal = defineSignal<[SyncRequest]>('requestSync');
// An update rather than a signal: the operator waits for the answer, and the validator refuses
// (nothing written to history) when no run is held or the run id is not the held run's.
export const approveDeletionsUpdate = defineUpdate<ApprovalResult, [ApprovalRequest]>('approveDeletions');
export const progressQuery = defineQuery<Progress>('progress');

const DEFAULT_APPROVAL_TIMEOUT_MS = 24 * 60 * 60 * 1000;

type FetchBatchResult = Awaited<ReturnType<SyncActivities['fetchBatch']>>;

export async function syncWorkflow(input: SyncWorkflowInput): Promise<RunSummary[]> {
  const opts = {
    batchRecords: DEFAULT_BATCH.records,
    batchMillis: DEFAULT_BATCH.millis,
    continueAsNewAfterPages: 500,
    idleMillis: 5000,
    affinityStartMillis: 30_000,
    ...input.options,
  };
  // Inputs from before approvalTimeout existed (schedules, continue-as-new) carry none.
  const approvalTimeoutMs = input.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS;
  const retry = toRetryPolicy(input.retry);
  // Reads talk to the source: bounded by time, heartbeating so a dead worker is noticed fast.
  const readOptions = { startToCloseTimeout: '10m', heartbeatTimeout: '15s', retry } as const;
  const reads = proxyActivities<SyncActivities>(readOptions);
  // Store work is local and idempotent: retried generously whatever the connector's policy says.
  const storeRetry: RetryPolicy = { maximumAttempts: 10, initialInterval: '500ms', nonRetryableErrorTypes: ['ConfigError'] };
  // These store activities can run long (a million-row sweep) and heartbeat while they do.
  const store = proxyActivities<SyncActivities>({ startToCloseTimeout: '10m', heartbeatTimeout: '15s', retry: storeRetry });
  // An apply is waited for even when the run is cancelled, so the run is closed only after its
  // last transaction has settled.
  const applies = proxyActivities<SyncActivities>({
    startToCloseTimeout: '10m',
    heartbeatTimeout: '15s',
    retry: storeRetry,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  // One-row writes: no heartbeat to wait for.
  const quick = proxyActivities<SyncActivities>({ startToCloseTimeout: '1m', retry: storeRetry });
  // Asking for pushes is a nicety after the run, not part of it: a short retry, then a warning
  // (the next sync asks again).
  const pushes = proxyActivities<PushActivities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 3, initialInterval: '200ms' } });
  const meshes = proxyActivities<MeshActivities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 3, initialInterval: '200ms' } });
  // A batch whose cursor lives in one worker's memory goes back to that worker, if it still polls.
  const onWorker = (taskQueue: string) =>
    proxyActivities<SyncActivities>({ ...readOptions, taskQueue, scheduleToStartTimeout: opts.affinityStartMillis });

  const state = SyncState.fromInput(input);
  // Pages handled by this execution: the history bound is per execution, not per run.
  let pagesHere = 0;
  const shouldHandOver = () => pagesHere >= opts.continueAsNewAfterPages || workflowInfo().continueAsNewSuggested;

  setHandler(requestSyncSignal, (req) => state.request(req));
  setHandler(approveDeletionsUpdate, (req) => state.approve(req), { validator: (req) => state.validateApproval(req) });
  setHandler(progressQuery, () => state.progress(Date.now()));
  // The UI's "current details": the progress query's answer in words, refreshed after each batch
  // and at every change of phase an operator cares about (held, released, idle).
  const showProgress = () => setCurrentDetails(progressDetails(state.progress(Date.now())));

  const carryOn = async (): Promise<never> => {
    await condition(allHandlersFinished);
    const { pending: _pending, inFlight: _inFlight, recent: _recent, ...rest } = input;
    return continueAsNew<typeof syncWorkflow>({ ...rest, state: state.snapshot() });
  };

  for (;;) {
    if (!state.run) {
      state.phase = 'idle';
      // signalWithStart delivers the first request with the start; later ones may follow.
      // Checked again after the wait, whatever it returned: a signal and the idle timer can land
      // in the same activation, and a request must never be left behind in a closing workflow.
      if (state.pending.length === 0) await condition(() => state.pending.length > 0, opts.idleMillis);
      if (state.pending.length === 0) break;
      // Taken before the first await: requests signalled while beginRun runs wait for the next run.
      const req = coalesce(state.takePending());
      state.phase = 'starting';
      try {
        state.run = await beginRun(req);
      } catch (err) {
        if (isCancellation(err)) throw err;
        // Even a run that could not start answers its requests (a waiting CLI must not hang).
        state.remember({ runId: 'not-started', ...req, status: 'failed', counts: zeroCounts(), error: failureMessage(err), finishedAtMs: Date.now() });
        continue;
      }
      state.phase = 'reading';
    }
    showProgress();
    const run = state.run;
    await upsertSearchAttributes([
      { key: TigerSyncMode, value: run.mode },
      { key: TigerTrigger, value: run.trigger },
    ]);

    let summary: RunSummary;
    try {
      const more = run.mode === 'full' ? await fullRun(run) : await deltaRun(run);
      if (more === 'continue') await carryOn();
      summary = await finish(run, 'succeeded');
    } catch (err) {
      if (isContinueAsNew(err)) throw err;
      if (isCancellation(err)) {
        // The workflow is being cancelled; closing the run record must still happen.
        await CancellationScope.nonCancellable(() => finish(run, 'cancelled', 'cancelled by a Temporal cancellation request'));
        throw err;
      }
      const message = failureMessage(err);
      log.error('sync run failed', { runId: run.runId, error: message });
      summary = await finish(run, 'failed', message);
    }
    state.remember(summary);
    state.run = undefined;
    showProgress();
    if (workflowInfo().continueAsNewSuggested) await carryOn();
  }
  await condition(allHandlersFinished);
  return state.recent;

  async function beginRun(req: { requestIds: string[]; mode: 'full' | 'delta'; trigger: SyncRequest['trigger'] }): Promise<RunState> {
    const runId = uuid4();
    const begun = await store.beginRun({ connector: input.connector, runId, mode: req.mode, trigger: req.trigger });
    // Classes in independent lanes (rate-limit buckets) are read side by side by full runs.
    const lanes = begun.lanes && begun.lanes.length > 1 && patched('parallel-lanes')
      ? begun.lanes.map((resources): LaneState => ({ resources, index: 0, cursor: null, seq: 0 }))
      : undefined;
    return {
      ...(lanes ? { lanes } : {}),
      runId,
      requestIds: req.requestIds,
      mode: begun.mode,
      trigger: req.trigger,
      resources: begun.resources,
      resourceIndex: 0,
      cursor: null,
      seq: 0,
      watermark: begun.watermark,
      counts: zeroCounts(),
      incomplete: [],
      pages: 0,
      startedAtMs: Date.now(),
    };
  }

  /** Reads every resource page by page; returns 'continue' when history should be handed over. */
  async function fullRun(r: RunState): Promise<'done' | 'continue'> {
    state.phase = 'reading';
    if (r.lanes) {
      if ((await readInLanes(r, r.lanes)) === 'continue') return 'continue';
    } else {
      while (r.resourceIndex < r.resources.length) {
        const resource = r.resources[r.resourceIndex];
        if ((await readResource(r, r, resource)) === 'continue') return 'continue';
        await warnIfFilteredOut(r, r, resource);
        r.resourceIndex++;
        r.cursor = null;
        r.filtered = undefined;
        r.affinityQueue = null;
        if (r.resourceIndex < r.resources.length && shouldHandOver()) return 'continue';
      }
    }
    r.deletions = await deletions(r);
    // The delta watermark taken before reading is stored only now, after everything is applied.
    state.phase = 'finishing';
    if (r.watermark) {
      await quick.checkpointWatermark({ connector: input.connector, runId: r.runId, value: r.watermark });
    }
    return 'done';
  }

  /** Every lane read side by side, each its classes in order. A lane that fails stops the others
   *  at their next batch (nothing is left running while the run is closed); a hand-over waits
   *  until every lane has reached a batch boundary, so no fetch is in flight across it. */
  async function readInLanes(r: RunState, lanes: LaneState[]): Promise<'done' | 'continue'> {
    let failure: { err: unknown } | undefined;
    const stopped = () => failure !== undefined;
    const outcomes = await Promise.all(
      lanes.map((lane, i) =>
        readLane(r, lane, `${i}/`, stopped).catch((err: unknown) => {
          failure ??= { err };
          return 'stopped' as const;
        }),
      ),
    );
    if (failure) throw failure.err;
    return outcomes.includes('continue') ? 'continue' : 'done';
  }

  async function readLane(r: RunState, lane: LaneState, keyPrefix: string, stopped: () => boolean): Promise<'done' | 'continue' | 'stopped'> {
    while (lane.index < lane.resources.length) {
      const resource = lane.resources[lane.index];
      const outcome = await readResource(r, lane, resource, keyPrefix, stopped);
      if (outcome !== 'done') return outcome;
      await warnIfFilteredOut(r, lane, resource);
      lane.index++;
      lane.cursor = null;
      lane.filtered = undefined;
      lane.affinityQueue = null;
      if (stopped()) return 'stopped';
      if (lane.index < lane.resources.length && shouldHandOver()) return 'continue';
    }
    return 'done';
  }

  /** One resource from `at`'s cursor on; `at` is the run (one lane) or one of its lanes. */
  async function readResource(r: RunState, at: ReadPosition, resource: Resource, keyPrefix = '', stopped = () => false): Promise<'done' | 'continue' | 'stopped'> {
    let applying: Promise<void> | undefined;
    try {
      for (;;) {
        const stageKey = `${r.runId}/${keyPrefix}${at.seq}`;
        const fetched = await fetchBatch(r, at, resource, stageKey);
        // Apply N only after fetch N+1 has started and N-1 is applied: order within a resource
        // is kept, and the cursor advances only past pages that are staged.
        await applying;
        at.seq++;
        r.pages++;
        pagesHere++;
        r.counts.fetched += fetched.count;
        at.filtered = { read: (at.filtered?.read ?? 0) + fetched.count, kept: (at.filtered?.kept ?? 0) + fetched.kept, unmapped: stillUnmapped(at.filtered?.unmapped, fetched.unmapped) };
        if (fetched.incomplete && !r.incomplete.includes(resource)) r.incomplete.push(resource);
        at.affinityQueue = fetched.affinityQueue ?? null;
        applying = startApply(r, stageKey, fetched.count, fetched.parts);
        showProgress();
        at.cursor = fetched.nextCursor;
        if (!at.cursor) break;
        if (stopped()) {
          await applying;
          return 'stopped';
        }
        if (shouldHandOver()) {
          await applying;
          return 'continue';
        }
      }
      await applying;
      return 'done';
    } finally {
      // A failed fetch (or a cancellation) never leaves the previous apply running unobserved:
      // the run is closed, and its counts read, only once that apply has settled.
      if (applying) await settled(applying);
    }
  }

  async function fetchBatch(r: RunState, at: ReadPosition, resource: Resource, stageKey: string): Promise<FetchBatchResult> {
    const args = {
      connector: input.connector,
      runId: r.runId,
      resource,
      cursor: at.cursor,
      stageKey,
      maxRecords: opts.batchRecords,
      maxMillis: opts.batchMillis,
    };
    const summary = summaries.fetch(resource, at.seq + 1, r.counts.fetched);
    const queue = at.affinityQueue;
    if (queue) {
      try {
        return await onWorker(queue).fetchBatch.executeWithOptions({ summary }, [args]);
      } catch (err) {
        if (!workerGone(err)) throw err;
        // That worker stopped polling (or died mid-batch): any worker resumes the same cursor,
        // and the connector restarts its scan there (re-staging a key is idempotent).
        log.warn('worker queue not served, the batch goes to the shared queue', { runId: r.runId, resource, queue });
        at.affinityQueue = null;
      }
    }
    return reads.fetchBatch.executeWithOptions({ summary }, [args]);
  }

  async function deltaRun(r: RunState): Promise<'done' | 'continue'> {
    state.phase = 'reading';
    let applying: Promise<void> | undefined;
    let nextWatermark: string | null = null;
    try {
      for (;;) {
        const stageKey = `${r.runId}/${r.seq}`;
        const fetched = await reads.fetchChanges.executeWithOptions({ summary: summaries.fetchChanges(r.seq + 1, r.counts.fetched) }, [{
          connector: input.connector,
          runId: r.runId,
          watermark: r.watermark ?? '',
          cursor: r.cursor,
          stageKey,
          resources: r.resources,
          maxRecords: opts.batchRecords,
          maxMillis: opts.batchMillis,
        }]);
        if (fetched.fullSyncRequired) {
          await applying;
          // The connector cannot continue from its watermark: this run becomes a full run. The
          // watermark it returned with that answer may be the very one it could not continue
          // from, so "now" is taken here, before the full read starts.
          r.mode = 'full';
          r.cursor = null;
          r.seq++;
          r.incomplete = [];
          r.watermark = await reads.takeWatermark({ connector: input.connector, runId: r.runId });
          await upsertSearchAttributes([{ key: TigerSyncMode, value: 'full' }]);
          return await fullRun(r);
        }
        await applying;
        r.seq++;
        r.pages++;
        pagesHere++;
        r.counts.fetched += fetched.count;
        for (const res of fetched.incomplete ?? []) if (!r.incomplete.includes(res)) r.incomplete.push(res);
        applying = startApply(r, stageKey, fetched.count, fetched.parts);
        showProgress();
        r.cursor = fetched.nextCursor;
        nextWatermark = fetched.watermark;
        if (!r.cursor) break;
        if (shouldHandOver()) {
          await applying;
          return 'continue';
        }
      }
      await applying;
    } finally {
      if (applying) await settled(applying);
    }
    state.phase = 'finishing';
    if (r.incomplete.length > 0) {
      // Only the connector knows which part of its window went unread (one Okta phase refused,
      // one object forbidden): its watermark keeps that part's start (ChangesResult.watermark),
      // so the framework stores it. Holding the whole watermark back instead would freeze it for
      // good behind a permanent 403 and re-read an ever-growing window.
      await quick.logRun({
        connector: input.connector,
        runId: r.runId,
        level: 'warn',
        message: `the delta read of ${r.incomplete.join(', ')} was incomplete; what was not read is read again by the next delta run`,
      });
    }
    if (nextWatermark) {
      await quick.checkpointWatermark({ connector: input.connector, runId: r.runId, value: nextWatermark });
    }
    return 'done';
  }

  /** `parts` as the fetch returned it: absent for a batch fetched before batches were staged in parts. */
  function startApply(r: RunState, stageKey: string, records: number, parts: number | undefined): Promise<void> {
    const p = applies.applyBatch
      .executeWithOptions({ summary: summaries.apply(stageKey, records) }, [{ connector: input.connector, runId: r.runId, stageKey, ...(parts === undefined ? {} : { parts }) }])
      .then((c) => addCounts(r.counts, c));
    // Observed at once: an apply that fails while the next fetch is in flight is read when the
    // loop awaits it, instead of being an unhandled rejection (which fails every workflow task).
    p.catch(() => undefined);
    return p;
  }

  async function warnIfFilteredOut(r: RunState, at: ReadPosition, resource: Resource): Promise<void> {
    const f = at.filtered;
    if (f && f.read > 0 && f.kept === 0) {
      await quick.reportFilteredOut({ connector: input.connector, runId: r.runId, resource, read: f.read });
    }
    // A mapping entry that resolved on none of a resource's objects stores null on every row,
    // which looks like data: the run log says so (seed 004's SCIM paths on raw Okta users did).
    if (f?.unmapped?.length && patched('mapping-coverage')) {
      await quick.logRun({
        connector: input.connector,
        runId: r.runId,
        level: 'warn',
        message: `mapping ${f.unmapped.join(', ')} of ${resource} resolved on none of the ${f.read} ${resource} read: stored as null on every row; check the source paths (or pathAliases) in the connector's mapping`,
      });
    }
  }

  /** Keys unmapped in every batch so far (undefined until a batch with objects reported). */
  function stillUnmapped(before: string[] | undefined, batch: string[] | undefined): string[] | undefined {
    if (!batch) return before;
    return before ? before.filter((k) => batch.includes(k)) : batch;
  }

  async function deletions(r: RunState): Promise<ApprovalOutcome | undefined> {
    state.phase = 'deleting';
    const args = { connector: input.connector, runId: r.runId, resources: r.resources, incomplete: r.incomplete };
    let result = await store.detectDeletions({ ...args, approved: false });
    if (!result.held) {
      r.counts.deleted += result.deleted;
      return undefined;
    }
    const now = Date.now();
    state.hold({ runId: r.runId, reason: result.reason ?? 'deletions above the deletion guard', sinceMs: now, deadlineMs: now + approvalTimeoutMs });
    showProgress();
    // Requests keep arriving meanwhile and are coalesced into the one run after this one.
    await condition(() => state.decision !== undefined, approvalTimeoutMs);
    const outcome = state.release();
    showProgress();
    if (outcome === 'approved') result = await store.detectDeletions({ ...args, approved: true });
    await quick.logRun({
      connector: input.connector,
      runId: r.runId,
      level: outcome === 'approved' ? 'info' : 'warn',
      message:
        outcome === 'approved'
          ? 'deletions approved by an operator'
          : outcome === 'rejected'
            ? 'deletions rejected by an operator: nothing was deleted'
            : `deletions not approved within ${duration(approvalTimeoutMs)} (approvalTimeout): rejected, nothing was deleted; the next full run checks again`,
    });
    r.counts.deleted += result.deleted;
    return outcome;
  }

  async function finish(r: RunState, status: RunSummary['status'], error?: string): Promise<RunSummary> {
    state.phase = 'finishing';
    await store.endRun({ connector: input.connector, runId: r.runId, status, error: error ?? null, counts: r.counts });
    // Targets provisioned from this connector (`provisioning.after: sync`) get a push request;
    // a failure to ask is logged, never turned into a failed sync.
    if (status === 'succeeded' && patched('push-after-sync')) {
      await pushes.requestPushesAfterSync({ source: input.connector, runId: r.runId }).catch((err: unknown) => log.warn('push after sync not requested', { error: failureMessage(err) }));
    }
    // Meshes fed by this connector re-correlate what the run changed (mesh/<name>).
    if (status === 'succeeded' && patched('mesh-after-sync')) {
      await meshes.requestMeshesAfterSync({ source: input.connector, runId: r.runId }).catch((err: unknown) => log.warn('mesh run after sync not requested', { error: failureMessage(err) }));
    }
    return {
      runId: r.runId,
      requestIds: r.requestIds,
      mode: r.mode,
      trigger: r.trigger,
      status,
      counts: r.counts,
      error,
      ...(r.deletions ? { deletions: r.deletions } : {}),
      finishedAtMs: Date.now(),
    };
  }
}

/** Several requests become one run: full wins over delta; the first trigger names the run. */
export function coalesce(reqs: SyncRequest[]): { requestIds: string[]; mode: 'full' | 'delta'; trigger: SyncRequest['trigger'] } {
  return {
    requestIds: reqs.map((r) => r.requestId),
    mode: reqs.some((r) => r.mode === 'full') ? 'full' : 'delta',
    trigger: reqs[0].trigger,
  };
}

/** A batch sent to one worker's own queue timed out (nobody took it, or its worker died). */
function workerGone(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof TimeoutFailure;
}

const settled = (p: Promise<unknown>): Promise<void> => p.then(
  () => undefined,
  () => undefined,
);

function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}
