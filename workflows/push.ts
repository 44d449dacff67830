// push/<target>: a source's store identities pushed into one target. A run plans every page
// first (users, then groups: members are resolved among the users pushed just before), stores the
// plan, asks the guard, waits for an operator when disables, deletes or member removals are above
// the target's threshold, then applies the stored plan page by page. History holds the keyset
// cursor, page numbers and counters only; continue-as-new carries them. A dry run is the same
// run stopped after planning: the plan is in the store and nothing was sent to the target.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { PushActivities } from '../activities/push';
import { failureMessage, isContinueAsNew } from './failures';
import {
  zeroPushApplyCounts,
  zeroPushPlanCounts,
  type PushApplyCounts,
  type PushApprovalRequest,
  type PushPlanCounts,
  type PushProgress,
  type PushRequest,
  type PushRunState,
  type PushSummary,
  type PushWorkflowInput,
} from './push-types';
import type { ApprovalResult } from './types';

export const requestPushSignal = defineSignal<[PushRequest]>('requestPush');
// An update, like approveDeletions: the operator waits for the answer and the validator refuses
// (nothing in history) when no push is held or the run id is not the held one.
export const approvePushUpdate = defineUpdate<ApprovalResult, [PushApprovalRequest]>('approvePush');
export const pushProgressQuery = defineQuery<PushProgress>('pushProgress');

const DAY_MS = 24 * 3600_000;

export async function pushWorkflow(input: PushWorkflowInput): Promise<PushSummary> {
  const opts = { batchSize: 200, continueAsNewAfterBatches: 200, ...input.options };
  const dryRun = input.dryRun === true;
  // Per-object refusals are quarantined by the activity; what fails a batch is the store, the
  // connection or a 429, which retrying fixes — configuration and credentials do not.
  const acts = proxyActivities<PushActivities>({
    startToCloseTimeout: '10m',
    heartbeatTimeout: '30s',
    retry: { maximumAttempts: 5, initialInterval: '1s', nonRetryableErrorTypes: ['ConfigError', 'AuthError', 'BadRequestError', 'ForbiddenError'] },
  });

  const seen = new Set(input.seen ?? []);
  const pending: PushRequest[] = [];
  setHandler(requestPushSignal, (r) => {
    if (seen.has(r.requestId)) return;
    seen.add(r.requestId);
    pending.push(r);
  });

  let source = input.source;
  let st: PushRunState;
  if (input.state) {
    st = input.state;
  } else {
    // The request that started this execution (signal-with-start) is this run's; its source wins.
    const start = pending.splice(0).at(-1);
    if (start) source = start.source;
    st = {
      runId: uuid4(), phase: 'starting', kinds: [], kindIndex: 0, afterId: null, planned: 0, applied: 0,
      plan: zeroPushPlanCounts(), removals: { user: 0, group: 0, membership: 0 }, done: zeroPushApplyCounts(),
      guard: { threshold: 0.2, limit: 500, approvalTimeoutMs: DAY_MS },
    };
  }

  setHandler(pushProgressQuery, (): PushProgress => ({
    source, target: input.target, dryRun, runId: st.runId, phase: st.phase, kind: st.kinds[st.kindIndex] ?? null,
    planned: st.planned, applied: st.applied, plan: st.plan, done: st.done, held: st.held ?? null,
  }));
  setHandler(approvePushUpdate, (req) => {
    st.decision = req.approved ? 'approved' : 'rejected';
    return { runId: st.runId, approved: req.approved };
  }, {
    validator: (req) => {
      if (st.phase !== 'held' || st.decision !== undefined) {
        throw ApplicationFailure.nonRetryable(`connector ${input.target} has no push waiting for approval`, 'NothingHeld');
      }
      if (req.runId && req.runId !== st.runId) {
        throw ApplicationFailure.nonRetryable(`connector ${input.target}: push ${req.runId} is not the held push (held: ${st.runId})`, 'WrongRun');
      }
    },
  });

  const args = { source, target: input.target, runId: st.runId };
  let batchesHere = 0;
  const handOver = async (): Promise<never> => {
    await condition(allHandlersFinished);
    return continueAsNew<typeof pushWorkflow>({ ...input, source, state: st, seen: [...seen].slice(-200), ...carryRequests() });
  };
  // Requests that arrived during this run: they become one more run after it.
  const carryRequests = () => (pending.length ? { again: pending.at(-1)!.source } : input.again ? { again: input.again } : {});
  const tick = async () => {
    if (++batchesHere >= opts.continueAsNewAfterBatches || workflowInfo().continueAsNewSuggested) await handOver();
  };

  let error: string | null = null;
  try {
    if (st.phase === 'starting') {
      const b = await acts.beginPush({ ...args, dryRun });
      st.kinds = b.kinds;
      st.guard = { threshold: b.threshold, limit: b.limit, approvalTimeoutMs: b.approvalTimeoutMs };
      st.phase = 'planning';
    }
    while (st.phase === 'planning') {
      const kind = st.kinds[st.kindIndex];
      if (!kind) {
        st.phase = dryRun ? 'finishing' : 'applying';
        break;
      }
      const r = await acts.planPushBatch({ ...args, kind, afterId: st.afterId, limit: opts.batchSize, seq: st.planned });
      st.planned++;
      addPlan(st.plan, r.counts);
      st.removals[kind] += r.counts.disables + r.counts.deletes;
      st.removals.membership += r.counts.memberRemoves;
      st.afterId = r.nextAfterId;
      if (st.afterId === null) st.kindIndex++;
      await tick();
    }
    if (st.phase === 'applying' && st.applied === 0 && st.decision === undefined) {
      const g = await acts.checkPushGuard({ ...args, removals: st.removals, threshold: st.guard.threshold, limit: st.guard.limit });
      if (g.held) {
        const now = Date.now();
        st.held = { reason: g.reason ?? 'removals above the deletion guard', sinceMs: now, deadlineMs: now + st.guard.approvalTimeoutMs };
        st.phase = 'held';
      }
    }
    if (st.phase === 'held') {
      const left = Math.max(0, (st.held?.deadlineMs ?? 0) - Date.now());
      if (st.decision === undefined && !(await condition(() => st.decision !== undefined, left))) st.decision = 'expired';
      log.info('push guard decided', { runId: st.runId, decision: st.decision });
      st.phase = 'applying';
    }
    while (st.phase === 'applying' && st.applied < st.planned) {
      const allowRemovals = st.held === undefined || st.decision === 'approved';
      addApplied(st.done, await acts.applyPushBatch({ ...args, seq: st.applied, allowRemovals }));
      st.applied++;
      await tick();
    }
  } catch (err) {
    if (isContinueAsNew(err)) throw err;
    error = failureMessage(err);
    log.error('push failed', { runId: st.runId, error });
  }
  st.phase = 'finishing';
  await acts.endPush({ ...args, dryRun, plan: st.plan, applied: st.done, error });
  st.phase = 'done';
  const summary: PushSummary = {
    runId: st.runId, source, target: input.target, dryRun, status: error ? 'failed' : 'succeeded', plan: st.plan, applied: st.done,
    ...(st.decision ? { removals: st.decision } : {}), ...(error ? { error } : {}), finishedAtMs: Date.now(),
  };
  const again = carryRequests().again;
  if (again !== undefined && !dryRun) {
    await condition(allHandlersFinished);
    return continueAsNew<typeof pushWorkflow>({ source: again, target: input.target, options: input.options, seen: [...seen].slice(-200) });
  }
  await condition(allHandlersFinished);
  return summary;
}

function addPlan(into: PushPlanCounts, c: PushPlanCounts): void {
  for (const k of Object.keys(into) as (keyof PushPlanCounts)[]) into[k] += c[k] ?? 0;
}
function addApplied(into: PushApplyCounts, c: PushApplyCounts): void {
  for (const k of Object.keys(into) as (keyof PushApplyCounts)[]) into[k] += c[k] ?? 0;
}
