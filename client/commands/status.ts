// `tiger connector status`: what the store knows (counts, last runs) and what Temporal knows
// (the running sync's progress, the schedule's next times, which of them will be full).
import type { ConnectorDefinition } from '../../config/types';
import { liveStateQuery, progressQuery } from '../../workflows/definitions';
import { readingNow } from '../../workflows/ui-text';
import type { LiveState, Progress } from '../../workflows/types';
import type { CliContext } from '../context';
import { fullIntervalMsOf, lastFullRun, nextFullRun } from '../../runtime/full-runs';
import { liveWorkflowId, scheduleId, syncWorkflowId } from '../../runtime/ids';
import { printJson, printTable, say } from '../output';

export async function connectorStatus(ctx: CliContext, def: ConnectorDefinition, json: boolean): Promise<void> {
  const store = await ctx.store();
  const [counts, runs, lastFull] = await Promise.all([store.counts(def.name), store.listRuns(def.name, 5), lastFullRun(store, def.name)]);
  const quarantined = (await store.listQuarantine(def.name)).length;
  const fullIntervalMs = fullIntervalMsOf(def);
  let progress: Progress | null = null;
  let schedule: { nextRuns: string[]; paused: boolean; nextFullRun: string | null; nextFullIsNextRun: boolean } | null = null;
  let live: LiveState | null = null;
  let temporalError: string | null = null;
  try {
    const client = await ctx.client();
    const desc = await client.schedule.getHandle(scheduleId(def.name)).describe().catch(() => null);
    if (desc) {
      const next = desc.state.paused ? [] : desc.info.nextActionTimes;
      const full = nextFullRun(lastFull, fullIntervalMs, next, def.sync.intervalMs);
      schedule = {
        nextRuns: desc.info.nextActionTimes.slice(0, 3).map((d) => d.toISOString()),
        paused: desc.state.paused,
        nextFullRun: full?.at.toISOString() ?? null,
        nextFullIsNextRun: full?.isNextScheduledRun ?? false,
      };
    }
    const handle = client.workflow.getHandle(syncWorkflowId(def.name));
    const d = await handle.describe().catch(() => null);
    if (d && d.status.name === 'RUNNING') progress = await handle.query(progressQuery);
    const liveHandle = client.workflow.getHandle(liveWorkflowId(def.name));
    const ld = await liveHandle.describe().catch(() => null);
    if (ld && ld.status.name === 'RUNNING') live = await liveHandle.query(liveStateQuery).catch(() => null);
  } catch (err) {
    temporalError = (err as Error).message;
  }
  const status = {
    name: def.name,
    type: def.type,
    enabled: def.enabled,
    mode: def.sync.mode,
    interval: def.sync.interval,
    fullInterval: def.sync.fullInterval ?? '24h',
    lastFullRun: lastFull ? { runId: lastFull.runId, startedAt: lastFull.startedAt } : null,
    state: progress?.state ?? 'idle',
    currentRun: progress?.run ?? null,
    schedule,
    live,
    stored: counts,
    quarantined,
    lastRuns: runs,
    temporalError,
  };
  if (json) return printJson(status);
  say(`${def.name} (${def.type}) · ${def.enabled ? 'enabled' : 'disabled'} · ${def.sync.mode} every ${def.sync.interval} · ${status.state}`);
  if (progress?.run) {
    const r = progress.run;
    say(`running: ${r.mode} run ${r.runId} (${r.trigger}) — ${readingNow(r) ?? 'finishing'} ${r.resourceIndex + 1}/${r.resourceCount}, ${r.records} records, ${r.ratePerSec}/s`);
  }
  if (schedule) say(`schedule ${scheduleId(def.name)}${schedule.paused ? ' (paused)' : ''}: next ${schedule.nextRuns.join(', ') || '-'}`);
  const since = lastFull ? `last successful full run ${lastFull.startedAt}` : 'no successful full run yet';
  if (schedule?.nextFullRun) {
    say(`next full run: ${schedule.nextFullRun}${schedule.nextFullIsNextRun ? ' (next scheduled run)' : ''} — full every ${status.fullInterval}, ${since}`);
  } else {
    say(`next full run: none scheduled${schedule?.paused ? ' (schedule paused)' : ''} — full every ${status.fullInterval}, ${since}`);
  }
  if (live) {
    const b = live.batch;
    const retrying = b && b.failedTries > 0 ? `; a batch of ${b.events} failed ${b.failedTries} tries (${b.lastError ?? 'unknown error'})${b.nextTryAtMs ? `, next try ${new Date(b.nextTryAtMs).toISOString()}` : ''}` : '';
    say(`live ${liveWorkflowId(def.name)}: ${live.queued} events queued, ${live.processed} handled, ${live.givenUp} given up${retrying}`);
  }
  if (temporalError) say(`temporal: ${temporalError}`);
  say(`stored: ${counts.user} users, ${counts.group} groups, ${counts.membership} memberships, ${counts.app} apps, ${counts.appUser} app users`);
  if (quarantined > 0) say(`quarantined: ${quarantined} objects this target refused (tiger connector quarantine list ${def.name})`);
  if (runs.length === 0) return say('no runs yet: tiger connector sync ' + def.name);
  say('');
  printTable(
    runs.map((r) => ({ run: r.runId.slice(0, 13), mode: r.mode, trigger: r.trigger, status: r.status, started: r.startedAt, fetched: r.counts.fetched, inserted: r.counts.inserted, updated: r.counts.updated, deleted: r.counts.deleted, error: r.error })),
    ['run', 'mode', 'trigger', 'status', 'started', 'fetched', 'inserted', 'updated', 'deleted', 'error'],
  );
}
