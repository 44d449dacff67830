// When the schedule's next full run is: the first scheduled run at or after the last successful
// full run's start + fullInterval, counted on past the times Temporal lists.
import { describe, expect, it } from 'vitest';
import { fullIntervalMsOf, nextFullRun, scheduledMode } from '../../runtime/full-runs';
import type { ConnectorDefinition } from '../../config/types';
import type { RunRecord } from '../../store/types';

const H = 3600_000;
const t0 = Date.parse('2026-01-01T00:00:00Z');
const run = (startedAtMs: number): RunRecord => ({
  runId: 'r',
  connector: 'c',
  mode: 'full',
  trigger: 'schedule',
  status: 'succeeded',
  startedAt: new Date(startedAtMs).toISOString(),
  finishedAt: null,
  counts: { fetched: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0 },
  error: null,
});
const ticks = (from: number, every: number, n: number) => Array.from({ length: n }, (_, i) => new Date(from + i * every));

describe('scheduledMode', () => {
  it('is full with no successful full run, or one that started fullInterval ago or earlier; delta otherwise', () => {
    expect(scheduledMode(null, 24 * H, t0)).toBe('full');
    expect(scheduledMode(run(t0 - 24 * H), 24 * H, t0)).toBe('full');
    expect(scheduledMode(run(t0 - 24 * H + 1), 24 * H, t0)).toBe('delta');
  });
  it('reads a definition stored before sync.fullInterval existed as 24h', () => {
    expect(fullIntervalMsOf({ sync: { intervalMs: 900_000 } } as unknown as ConnectorDefinition)).toBe(24 * H);
    expect(fullIntervalMsOf({ sync: { fullIntervalMs: 2 * H } } as unknown as ConnectorDefinition)).toBe(2 * H);
  });
});

describe('nextFullRun', () => {
  const every = 15 * 60_000;
  it('is the next scheduled run when a full run is due already', () => {
    const next = ticks(t0 + 60_000, every, 10);
    expect(nextFullRun(null, 24 * H, next, every)).toEqual({ at: next[0], isNextScheduledRun: true });
    expect(nextFullRun(run(t0 - 30 * H), 24 * H, next, every)).toEqual({ at: next[0], isNextScheduledRun: true });
  });
  it('is a listed later run when the due time falls among the listed ones', () => {
    const next = ticks(t0 + 60_000, every, 10);
    expect(nextFullRun(run(t0 - 24 * H + 20 * 60_000), 24 * H, next, every)).toEqual({ at: next[2], isNextScheduledRun: false });
  });
  it('counts on from the listed runs when the due time lies beyond them', () => {
    const next = ticks(t0 + 60_000, every, 10);
    const r = nextFullRun(run(t0 - H), 24 * H, next, every)!;
    expect(r.isNextScheduledRun).toBe(false);
    expect(r.at.getTime()).toBe(t0 + 60_000 + 92 * every); // t0 + 23h 1m: the first tick at or after t0 + 23h
  });
  it('is none when nothing is scheduled', () => {
    expect(nextFullRun(null, 24 * H, [], every)).toBeNull();
  });
});
