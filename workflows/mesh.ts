// mesh/<name>: one correlation run of a mesh per execution. A run reads, source by source (the
// lifecycle source first), the accounts changed since the last run in bounded pages, then tries
// again the accounts still unmatched or in review; a full run reads every account. Requests that
// arrive during a run (a sync of a source, an operator) become one more run via continue-as-new.
// History holds cursors and counts only.
import { allHandlersFinished, condition, continueAsNew, defineQuery, defineSignal, log, proxyActivities, setHandler, uuid4, workflowInfo } from '@temporalio/workflow';
import type { MeshActivities } from '../activities/mesh';
import type { PushActivities } from '../activities/push';
import { failureMessage, isContinueAsNew } from './failures';
import { addMeshCounts, zeroMeshCounts, type MeshRequest, type MeshRunState, type MeshSummary, type MeshWorkflowInput } from './mesh-types';

export const requestMeshSignal = defineSignal<[MeshRequest]>('requestMesh');
export const meshProgressQuery = defineQuery<MeshRunState>('meshProgress');

export async function meshWorkflow(input: MeshWorkflowInput): Promise<MeshSummary> {
  const opts = { batchSize: 500, continueAsNewAfterBatches: 200, ...input.options };
  const acts = proxyActivities<MeshActivities>({
    startToCloseTimeout: '10m',
    heartbeatTimeout: '30s',
    retry: { maximumAttempts: 10, initialInterval: '500ms', nonRetryableErrorTypes: ['ConfigError'] },
  });
  const pushes = proxyActivities<PushActivities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 3 } });

  const seen = new Set(input.seen ?? []);
  const pending: MeshRequest[] = [];
  setHandler(requestMeshSignal, (r) => {
    if (seen.has(r.requestId)) return;
    seen.add(r.requestId);
    pending.push(r);
  });

  let st: MeshRunState;
  if (input.state) st = input.state;
  else {
    const start = pending.splice(0);
    const full = input.again?.full ?? start.some((r) => r.full === true);
    st = {
      runId: uuid4(), full, trigger: input.again?.trigger ?? start.at(-1)?.trigger ?? 'cli', phase: 'starting', since: null, until: '',
      sources: [], sourceIndex: 0, afterId: null, pendingStatus: 'unmatched', pendingAfter: null, counts: zeroMeshCounts(),
    };
  }
  setHandler(meshProgressQuery, () => st);

  const again = () => (pending.length ? { full: pending.some((r) => r.full === true), trigger: pending.at(-1)!.trigger } : input.again && input.state ? input.again : undefined);
  let batches = 0;
  const tick = async () => {
    if (++batches < opts.continueAsNewAfterBatches && !workflowInfo().continueAsNewSuggested) return;
    await condition(allHandlersFinished);
    const next = again();
    await continueAsNew<typeof meshWorkflow>({ mesh: input.mesh, options: input.options, state: st, seen: [...seen].slice(-200), ...(next ? { again: next } : {}) });
  };

  const base = { mesh: input.mesh, runId: st.runId };
  let error: string | null = null;
  try {
    if (st.phase === 'starting') {
      const b = await acts.beginMeshRun({ ...base, full: st.full, trigger: st.trigger });
      Object.assign(st, { since: b.since, until: b.until, sources: b.sources, phase: 'changed' });
    }
    while (st.phase === 'changed') {
      const source = st.sources[st.sourceIndex];
      if (source === undefined) {
        st.phase = 'pending';
        break;
      }
      const r = await acts.correlateChangedBatch({ ...base, source, since: st.since, until: st.until, afterId: st.afterId, limit: opts.batchSize });
      addMeshCounts(st.counts, r.counts);
      st.afterId = r.nextAfterId;
      if (st.afterId === null) st.sourceIndex++;
      await tick();
    }
    while (st.phase === 'pending') {
      const r = await acts.correlatePendingBatch({ ...base, status: st.pendingStatus, after: st.pendingAfter, limit: opts.batchSize });
      // Retried accounts are counted as accounts read, not again as unmatched or in review.
      addMeshCounts(st.counts, { linked: r.counts.linked, founded: r.counts.founded, persons: r.counts.persons });
      st.pendingAfter = r.next;
      if (st.pendingAfter === null) {
        if (st.pendingStatus === 'unmatched') st.pendingStatus = 'review';
        else st.phase = 'finishing';
      }
      await tick();
    }
  } catch (err) {
    if (isContinueAsNew(err)) throw err;
    error = failureMessage(err);
    log.error('mesh run failed', { runId: st.runId, error });
  }
  st.phase = 'finishing';
  await acts.endMeshRun({ ...base, until: st.until, counts: st.counts, error });
  // Targets provisioned from `mesh/<name>` with `after: sync` get a push request; a failure to ask
  // is logged, never turned into a failed mesh run.
  if (!error) await pushes.requestPushesAfterSync({ source: `mesh/${input.mesh}`, runId: st.runId }).catch((err: unknown) => log.warn('push after mesh run not requested', { error: failureMessage(err) }));
  st.phase = 'done';
  const summary: MeshSummary = { runId: st.runId, mesh: input.mesh, full: st.full, status: error ? 'failed' : 'succeeded', counts: st.counts, ...(error ? { error } : {}) };
  const next = again();
  await condition(allHandlersFinished);
  if (next) return continueAsNew<typeof meshWorkflow>({ mesh: input.mesh, options: input.options, seen: [...seen].slice(-200), again: next });
  return summary;
}
