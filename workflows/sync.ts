// sync/<connector>: one run at a time per connector. Full and delta runs are made of retryable
// activities (fetch batch → stage; apply staged batch; checkpoint watermark), pipelined so the
// next batch is fetched while the previous one is applied. History holds only cursors, keys and
// counters, and stays bounded by continue-as-new.
import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
  allHandlersFinished,
  log,
} from '@temporalio/workflow';
import type { SyncActivities } from '../activities/sync';
import { failureMessage, isContinueAsNew } from './failures';
import { toRetryPolicy } from './retry';
import { TigerSyncMode, TigerTrigger } from './search-attributes';
import type { Counts, Progress, RunState, RunSummary, SyncRequest, SyncWorkflowInput } from './types';
import { zeroCounts } from './types';

export const requestSyncSignal = defineSignal<[SyncRequest]>('requestSync');
export const approveDeletionsSignal = defineSignal<[{ runId: string; approved: boolean }]>('approveDeletions');
export const progressQuery = defineQuery<Progress>('progress');

const RECENT_KEPT = 20;

export async function syncWorkflow(input: SyncWorkflowInput): Promise<RunSummary[]> {
  const opts = {
    batchRecords: 5000,
    batchMillis: 4000,
    continueAsNewAfterPages: 500,
    idleMillis: 5000,
    ...input.options,
  };
  const retry = toRetryPolicy(input.retry);
  // Reads talk to the source: bounded by time, heartbeating so a dead worker is noticed fast.
  const reads = proxyActivities<SyncActivities>({
    startToCloseTimeout: '10m',
    heartbeatTimeout: '15s',
    retry,
  });
  // Store work is local and idempotent: retried generously whatever the connector's policy says.
  const store = proxyActivities<SyncActivities>({
    startToCloseTimeout: '10m',
    heartbeatTimeout: '15s',
    retry: { maximumAttempts: 10, initialInterval: '500ms', nonRetryableErrorTypes: ['ConfigError'] },
  });

  let pending: SyncRequest[] = input.pending ?? [];
  let run: RunState | undefined = input.inFlight;
  const recent: RunSummary[] = input.recent ?? [];
  let held = false;
  let approval: boolean | undefined;
  // Pages handled by this execution: the history bound is per execution, not per run.
  let pagesHere = 0;
  const shouldHandOver = () => pagesHere >= opts.continueAsNewAfterPages || workflowInfo().continueAsNewSuggested;

  setHandler(requestSyncSignal, (req) => {
    if (run?.requestIds.includes(req.requestId) || pending.some((p) => p.requestId === req.requestId)) return;
    pending.push(req);
  });
  setHandler(approveDeletionsSignal, ({ runId, approved }) => {
    if (run && run.runId === runId) approval = approved;
  });
  setHandler(progressQuery, (): Progress => {
    const elapsed = run ? Math.max(1, Date.now() - run.startedAtMs) : 1;
    return {
      connector: input.connector,
      state: held ? 'held' : run ? 'running' : 'idle',
      run: run && {
        runId: run.runId,
        requestIds: run.requestIds,
        mode: run.mode,
        trigger: run.trigger,
        resource: run.resources[run.resourceIndex] ?? null,
        resourceIndex: run.resourceIndex,
        resourceCount: run.resources.length,
        pages: run.pages,
        records: run.counts.fetched,
        counts: run.counts,
        ratePerSec: Math.round((run.counts.fetched * 1000) / elapsed),
        startedAtMs: run.startedAtMs,
      },
      pending,
      recent,
    };
  });

  const carryOn = async (): Promise<never> => {
    await condition(allHandlersFinished);
    return continueAsNew<typeof syncWorkflow>({ ...input, pending, inFlight: run, recent });
  };

  for (;;) {
    if (!run) {
      // signalWithStart delivers the first request with the start; later ones may follow.
      // Checked again after the wait, whatever it returned: a signal and the idle timer can land
      // in the same activation, and a request must never be left behind in a closing workflow.
      if (pending.length === 0) await condition(() => pending.length > 0, opts.idleMillis);
      if (pending.length === 0) break;
      // Taken before the first await: requests signalled while beginRun runs wait for the next run.
      const taken = pending;
      pending = [];
      const req = coalesce(taken);
      try {
        run = await beginRun(req);
      } catch (err) {
        // Even a run that could not start answers its requests (a waiting CLI must not hang).
        recent.unshift({ runId: 'not-started', ...req, status: 'failed', counts: zeroCounts(), error: failureMessage(err), finishedAtMs: Date.now() });
        recent.splice(RECENT_KEPT);
        continue;
      }
    }
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
      const message = failureMessage(err);
      log.error('sync run failed', { runId: run.runId, error: message });
      summary = await finish(run, 'failed', message);
    }
    recent.unshift(summary);
    recent.splice(RECENT_KEPT);
    run = undefined;
    approval = undefined;
    if (workflowInfo().continueAsNewSuggested) await carryOn();
  }
  await condition(allHandlersFinished);
  return recent;

  async function beginRun(req: { requestIds: string[]; mode: 'full' | 'delta'; trigger: SyncRequest['trigger'] }): Promise<RunState> {
    const runId = uuid4();
    const begun = await store.beginRun({ connector: input.connector, runId, mode: req.mode, trigger: req.trigger });
    return {
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
    while (r.resourceIndex < r.resources.length) {
      const resource = r.resources[r.resourceIndex];
      let applying: Promise<void> | undefined;
      for (;;) {
        const stageKey = `${r.runId}/${r.seq}`;
        const fetched = await reads.fetchBatch({
          connector: input.connector,
          runId: r.runId,
          resource,
          cursor: r.cursor,
          stageKey,
          maxRecords: opts.batchRecords,
          maxMillis: opts.batchMillis,
        });
        // Apply N only after fetch N+1 has started and N-1 is applied: order within a resource
        // is kept, and the cursor advances only past pages that are staged.
        await applying;
        r.seq++;
        r.pages++;
        pagesHere++;
        r.counts.fetched += fetched.count;
        if (fetched.incomplete && !r.incomplete.includes(resource)) r.incomplete.push(resource);
        applying = applyStaged(r, stageKey);
        r.cursor = fetched.nextCursor;
        if (!r.cursor) break;
        if (shouldHandOver()) {
          await applying;
          return 'continue';
        }
      }
      await applying;
      r.resourceIndex++;
      r.cursor = null;
      if (r.resourceIndex < r.resources.length && shouldHandOver()) return 'continue';
    }
    await deletions(r);
    // The delta watermark taken before reading is stored only now, after everything is applied.
    if (r.watermark) {
      await store.checkpointWatermark({ connector: input.connector, runId: r.runId, value: r.watermark });
    }
    return 'done';
  }

  async function deltaRun(r: RunState): Promise<'done' | 'continue'> {
    let applying: Promise<void> | undefined;
    let nextWatermark: string | null = null;
    for (;;) {
      const stageKey = `${r.runId}/${r.seq}`;
      const fetched = await reads.fetchChanges({
        connector: input.connector,
        runId: r.runId,
        watermark: r.watermark ?? '',
        cursor: r.cursor,
        stageKey,
        resources: r.resources,
        maxRecords: opts.batchRecords,
        maxMillis: opts.batchMillis,
      });
      if (fetched.fullSyncRequired) {
        await applying;
        // The connector cannot continue from its watermark: this run becomes a full run.
        r.mode = 'full';
        r.cursor = null;
        r.seq++;
        r.watermark = fetched.watermark;
        await upsertSearchAttributes([{ key: TigerSyncMode, value: 'full' }]);
        return fullRun(r);
      }
      await applying;
      r.seq++;
      r.pages++;
      pagesHere++;
      r.counts.fetched += fetched.count;
      applying = applyStaged(r, stageKey);
      r.cursor = fetched.nextCursor;
      nextWatermark = fetched.watermark;
      if (!r.cursor) break;
      if (shouldHandOver()) {
        await applying;
        return 'continue';
      }
    }
    await applying;
    if (nextWatermark) await store.checkpointWatermark({ connector: input.connector, runId: r.runId, value: nextWatermark });
    return 'done';
  }

  async function applyStaged(r: RunState, stageKey: string): Promise<void> {
    const c = await store.applyBatch({ connector: input.connector, runId: r.runId, stageKey });
    addCounts(r.counts, c);
  }

  async function deletions(r: RunState): Promise<void> {
    let result = await store.detectDeletions({
      connector: input.connector,
      runId: r.runId,
      resources: r.resources,
      incomplete: r.incomplete,
      approved: false,
    });
    if (result.held) {
      held = true;
      // An operator decides: `tiger connector approve-deletions <name>` (or reject) signals here.
      await condition(() => approval !== undefined);
      held = false;
      if (approval) {
        result = await store.detectDeletions({
          connector: input.connector,
          runId: r.runId,
          resources: r.resources,
          incomplete: r.incomplete,
          approved: true,
        });
      }
    }
    r.counts.deleted += result.deleted;
  }

  async function finish(r: RunState, status: RunSummary['status'], error?: string): Promise<RunSummary> {
    await store.endRun({ connector: input.connector, runId: r.runId, status, error: error ?? null, counts: r.counts });
    return {
      runId: r.runId,
      requestIds: r.requestIds,
      mode: r.mode,
      trigger: r.trigger,
      status,
      counts: r.counts,
      error,
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

function addCounts(into: Counts, c: Partial<Counts>): void {
  into.inserted += c.inserted ?? 0;
  into.updated += c.updated ?? 0;
  into.unchanged += c.unchanged ?? 0;
  into.deleted += c.deleted ?? 0;
}
