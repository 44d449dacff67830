// Full runs read a connector's lanes (independent rate-limit buckets) side by side (issue 10
// item 3), on the real dev server with scripted activities: a lane waiting on its source does not
// hold the others, deletions and the watermark wait for every lane, a failing lane stops the
// others before the run is closed, and continue-as-new carries every lane's position.
import { ApplicationFailure } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressQuery } from '../../workflows/definitions';
import { progressDetails, readingNow } from '../../workflows/ui-text';
import type { RunState } from '../../workflows/types';
import { uniqueName } from '../support/harness';
import { startStubRig, until, type Script, type StubRig } from '../support/stub-sync';

let rig: StubRig;
beforeAll(async () => {
  rig = await startStubRig();
});
afterAll(async () => {
  await rig?.close();
});

const LANES = [['users'], ['groups', 'memberships'], ['apps', 'appUsers']];
const ALL = LANES.flat();
const laned: Script['beginRun'] = async (a) => ({ mode: a.mode, resources: ALL, watermark: 'wm-begin', lanes: LANES });

/** Three batches of ten per resource (cursors "1", "2"), as the rig's default fetch. */
const page = (cursor: string | null) => {
  const n = cursor ? Number(cursor) : 0;
  return { count: 10, kept: 10, nextCursor: n < 2 ? String(n + 1) : null, incomplete: false };
};

describe('lanes read side by side', () => {
  it('a lane waiting on its source does not hold the others; deletions and the watermark wait for all', async () => {
    const name = uniqueName('lanes');
    let releaseUsers = () => undefined as void;
    const usersGate = new Promise<void>((r) => (releaseUsers = r));
    let releaseDeletions = () => undefined as void;
    const deletionsGate = new Promise<void>((r) => (releaseDeletions = r));
    rig.script(name, {
      beginRun: laned,
      detectDeletions: async () => {
        await deletionsGate;
        return { held: false, deleted: 0 };
      },
      fetchBatch: async (a) => {
        // Sequential reads would wait here for ever: users come first and are released only
        // once every other class has been read to its last page.
        if (a.resource === 'users') await usersGate;
        return page(a.cursor);
      },
    });
    const { handle, requestId } = await rig.start(name);
    const lastPage = (resource: string) => rig.calls(name).some((c) => c.activity === 'fetchBatch' && c.args.resource === resource && c.args.cursor === '2');
    // A fetch is recorded when it starts; the lane is done only once the workflow has applied its
    // last page, so the query is part of the wait (a query right after the last fetch could still
    // see appUsers reading).
    const othersDone = async () =>
      ['groups', 'memberships', 'apps', 'appUsers'].every(lastPage) && (await handle.query(progressQuery)).run?.reading?.length === 1;
    await until(othersDone, 'the other lanes to finish while users wait');
    const during = await handle.query(progressQuery);
    expect(during.run!.reading).toEqual(['users']);
    expect(readingNow(during.run!)).toBe('users');
    expect(during.run!.resourceIndex).toBe(4);
    // Nothing is deleted and no watermark stored while a lane is still reading.
    expect(rig.calls(name).map((c) => c.activity)).not.toContain('detectDeletions');
    expect(rig.calls(name).map((c) => c.activity)).not.toContain('checkpointWatermark');
    releaseUsers();
    // Every lane done: nothing is being read any more, as in a run read in one lane.
    await until(() => rig.calls(name).some((c) => c.activity === 'detectDeletions'), 'the deletions step');
    const deleting = await handle.query(progressQuery).finally(releaseDeletions);
    expect(deleting.run!.reading).toBeUndefined();
    expect(deleting.run!.resource).toBeNull();
    expect(readingNow(deleting.run!)).toBeNull();
    expect(progressDetails(deleting)).toContain('· all resources');

    const summary = await rig.summary(name, requestId);
    expect(summary.status).toBe('succeeded');
    expect(summary.counts.fetched).toBe(ALL.length * 30);
    expect(summary.counts.inserted).toBe(ALL.length * 30);
    const calls = rig.calls(name);
    const fetches = calls.filter((c) => c.activity === 'fetchBatch');
    // Every (class, cursor) read once, each into its own stage key, each key applied once.
    expect(fetches.map((c) => `${c.args.resource}@${c.args.cursor}`).sort()).toEqual(ALL.flatMap((r) => [`${r}@null`, `${r}@1`, `${r}@2`]).sort());
    const keys = fetches.map((c) => c.args.stageKey as string);
    expect(new Set(keys).size).toBe(keys.length);
    expect(calls.filter((c) => c.activity === 'applyBatch').map((c) => c.args.stageKey).sort()).toEqual([...keys].sort());
    // Within a lane, classes keep their order (a group's members after the groups).
    const firstFetch = (r: string) => fetches.findIndex((c) => c.args.resource === r);
    const lastFetch = (r: string) => fetches.map((c) => c.args.resource).lastIndexOf(r);
    expect(lastFetch('groups')).toBeLessThan(firstFetch('memberships'));
    expect(lastFetch('apps')).toBeLessThan(firstFetch('appUsers'));
    const order = calls.map((c) => c.activity);
    const lastApply = order.lastIndexOf('applyBatch');
    expect(order.indexOf('detectDeletions')).toBeGreaterThan(lastApply);
    expect(order.indexOf('checkpointWatermark')).toBeGreaterThan(order.indexOf('detectDeletions'));
    const deletions = calls.find((c) => c.activity === 'detectDeletions')!;
    expect(deletions.args.resources).toEqual(ALL);
  });

  it('a failing lane stops the others at their next batch; nothing is deleted and the run closes after every activity settled', async () => {
    const name = uniqueName('lane-fails');
    let inFlight = 0;
    let inFlightAtEnd: number | undefined;
    const track = async <T>(f: () => Promise<T>): Promise<T> => {
      inFlight++;
      try {
        return await f();
      } finally {
        inFlight--;
      }
    };
    rig.script(name, {
      beginRun: laned,
      fetchBatch: (a) =>
        track(async () => {
          if (a.resource === 'groups' && a.cursor === '1') throw ApplicationFailure.nonRetryable('groups endpoint went away', 'TransientError');
          // The other lanes are slow enough to be mid-batch when groups fails.
          if (a.resource !== 'groups') await new Promise((r) => setTimeout(r, 300));
          return page(a.cursor);
        }),
      applyBatch: () => track(async () => {
        await new Promise((r) => setTimeout(r, 100));
        return { inserted: 10, updated: 0, unchanged: 0, deleted: 0 };
      }),
      endRun: async () => {
        inFlightAtEnd ??= inFlight;
      },
    });
    const { requestId } = await rig.start(name);
    const summary = await rig.summary(name, requestId);
    expect(summary.status).toBe('failed');
    expect(summary.error).toContain('groups endpoint went away');
    expect(inFlightAtEnd).toBe(0);
    const calls = rig.calls(name);
    expect(calls.map((c) => c.activity)).not.toContain('detectDeletions');
    expect(calls.map((c) => c.activity)).not.toContain('checkpointWatermark');
    // The other lanes stopped instead of reading on to their ends.
    expect(calls.some((c) => c.activity === 'fetchBatch' && c.args.resource === 'appUsers')).toBe(false);
    const end = calls.find((c) => c.activity === 'endRun')!;
    const applied = calls.filter((c) => c.activity === 'applyBatch').length;
    expect((end.args.counts as { inserted: number }).inserted).toBe(applied * 10);
  });

  it('continue-as-new carries every lane where it stood: no batch is read twice', async () => {
    const name = uniqueName('lanes-can');
    rig.script(name, { beginRun: laned });
    const { handle, requestId } = await rig.start(name, { options: { continueAsNewAfterPages: 2 } });
    const summary = await rig.summary(name, requestId);
    expect(summary.status).toBe('succeeded');
    expect(summary.counts.fetched).toBe(ALL.length * 30);
    const fetches = rig.calls(name).filter((c) => c.activity === 'fetchBatch');
    expect(fetches.map((c) => `${c.args.resource}@${c.args.cursor}`).sort()).toEqual(ALL.flatMap((r) => [`${r}@null`, `${r}@1`, `${r}@2`]).sort());
    expect(new Set(fetches.map((c) => c.args.stageKey)).size).toBe(fetches.length);
    expect(rig.calls(name).filter((c) => c.activity === 'detectDeletions')).toHaveLength(1);
    expect(rig.calls(name).filter((c) => c.activity === 'beginRun')).toHaveLength(1);

    // Walk the chain back from its last execution: each was started with the run's lanes.
    let runId: string | undefined = (await handle.describe()).runId;
    let hops = 0;
    let carried: RunState | undefined;
    while (runId) {
      const h: Awaited<ReturnType<typeof handle.fetchHistory>> = await rig.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      const started: NonNullable<(typeof h.events)>[number]['workflowExecutionStartedEventAttributes'] & object = h.events![0].workflowExecutionStartedEventAttributes!;
      const arg = JSON.parse(Buffer.from(started.input!.payloads![0].data!).toString()) as { state?: { run?: RunState } };
      if (arg.state?.run) carried = arg.state.run;
      runId = started.continuedExecutionRunId || undefined;
      if (runId) hops++;
    }
    expect(hops).toBeGreaterThan(1);
    expect(carried?.lanes?.map((l) => l.resources)).toEqual(LANES);
  });
});
