// When a scheduled run is a full one. Deltas cannot see every deletion (OpenLDAP has no tombstones,
// Okta's lastUpdated fallback sees no removals, a webhook can be missed), so the schedule asks for
// a full run whenever the last successful one started more than `sync.fullInterval` ago — or there
// has never been one. The start counts, not the end: a full run only knows the source as of when
// it began reading.
import type { ConnectorDefinition } from '../config/types';
import type { IdentityStore, RunRecord } from '../store/types';
import type { SyncMode } from '../workflows/types';

const DEFAULT_FULL_INTERVAL_MS = 24 * 60 * 60_000;

/** Definitions stored before `sync.fullInterval` existed have none: they get the default. */
export function fullIntervalMsOf(def: ConnectorDefinition): number {
  const ms = (def.sync as Partial<ConnectorDefinition['sync']> | undefined)?.fullIntervalMs;
  return typeof ms === 'number' && ms > 0 ? ms : DEFAULT_FULL_INTERVAL_MS;
}

export async function lastFullRun(store: IdentityStore, connector: string): Promise<RunRecord | null> {
  const [run] = await store.listRuns(connector, 1, { mode: 'full', status: 'succeeded' });
  return run ?? null;
}

/** The moment a full run becomes due; null when it is due already (never ran). */
export function fullRunDueAt(last: RunRecord | null, fullIntervalMs: number): number | null {
  return last ? Date.parse(last.startedAt) + fullIntervalMs : null;
}

export function scheduledMode(last: RunRecord | null, fullIntervalMs: number, nowMs: number): SyncMode {
  const due = fullRunDueAt(last, fullIntervalMs);
  return due === null || due <= nowMs ? 'full' : 'delta';
}

/**
 * The scheduled run that will be full: the first one at or after the due time. Interval schedules
 * tick every `intervalMs` from their next action, so times past those Temporal lists are counted
 * on from the first one. Null when nothing is scheduled (paused or no schedule).
 */
export function nextFullRun(
  last: RunRecord | null,
  fullIntervalMs: number,
  nextScheduled: Date[],
  intervalMs: number,
): { at: Date; isNextScheduledRun: boolean } | null {
  if (nextScheduled.length === 0) return null;
  const due = fullRunDueAt(last, fullIntervalMs) ?? 0;
  const listed = nextScheduled.find((d) => d.getTime() >= due);
  if (listed) return { at: listed, isNextScheduledRun: listed === nextScheduled[0] };
  const first = nextScheduled[0].getTime();
  const steps = Math.ceil((due - first) / intervalMs);
  return { at: new Date(first + steps * intervalMs), isNextScheduledRun: false };
}
