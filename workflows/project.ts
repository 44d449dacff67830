// project/<target>: store identities of one source written into a directory target, one keyset
// page per activity: users first, then groups with their members. History holds the cursor and counters only, bounded by continue-as-new; a
// re-run writes only identities whose projection hash changed since the last one.
import { continueAsNew, defineQuery, log, proxyActivities, setHandler, uuid4, workflowInfo } from '@temporalio/workflow';
import type { ProjectActivities } from '../activities/project';
import { failureMessage, isContinueAsNew } from './failures';
import { zeroProjectCounts, type ProjectCounts, type ProjectSummary, type ProjectWorkflowInput } from './project-types';

export const projectProgressQuery = defineQuery<{ runId: string; phase: 'users' | 'groups'; afterId: string | null; counts: ProjectCounts }>('projectProgress');

export async function projectWorkflow(input: ProjectWorkflowInput): Promise<ProjectSummary> {
  const opts = { batchSize: 200, continueAsNewAfterBatches: 200, ...input.options };
  // Directory writes are per object and a failed object is only counted, so a retry concerns
  // the store or the connection; configuration and credentials problems do not heal by retrying.
  const acts = proxyActivities<ProjectActivities>({
    startToCloseTimeout: '10m',
    heartbeatTimeout: '30s',
    retry: { maximumAttempts: 5, initialInterval: '1s', nonRetryableErrorTypes: ['ConfigError', 'AuthError', 'BadRequestError', 'ForbiddenError'] },
  });
  const runId = input.runId ?? uuid4();
  const counts = input.counts ?? zeroProjectCounts();
  let afterId = input.afterId ?? null;
  let phase: 'users' | 'groups' = input.phase ?? 'users';
  setHandler(projectProgressQuery, () => ({ runId, phase, afterId, counts }));

  const summary = (status: ProjectSummary['status'], error?: string): ProjectSummary => ({
    runId,
    source: input.source,
    target: input.target,
    status,
    counts,
    ...(error ? { error } : {}),
    finishedAtMs: Date.now(),
  });

  try {
    if (!input.runId) await acts.beginProjection({ source: input.source, target: input.target, runId });
    for (let batches = 1; ; batches++) {
      const batch = { source: input.source, target: input.target, afterId, limit: opts.batchSize, runId };
      const r = phase === 'users' ? await acts.projectBatch({ ...batch, kind: input.kind ?? 'user' }) : await acts.projectGroupBatch(batch);
      for (const k of Object.keys(counts) as (keyof ProjectCounts)[]) counts[k] = (counts[k] ?? 0) + (r[k] ?? 0);
      afterId = r.nextAfterId;
      if (afterId === null) {
        if (phase === 'groups') break;
        // Groups after users: their members are found among the users projected just now.
        phase = 'groups';
      }
      if (batches >= opts.continueAsNewAfterBatches || workflowInfo().continueAsNewSuggested) {
        return await continueAsNew<typeof projectWorkflow>({ ...input, runId, phase, afterId, counts });
      }
    }
  } catch (err) {
    if (isContinueAsNew(err)) throw err;
    const message = failureMessage(err);
    log.error('projection failed', { runId, error: message });
    await acts.endProjection({ source: input.source, target: input.target, runId, counts, error: message });
    return summary('failed', message);
  }
  await acts.endProjection({ source: input.source, target: input.target, runId, counts, error: null });
  return summary('succeeded');
}
