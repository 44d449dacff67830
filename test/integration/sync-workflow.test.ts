// The orchestration rules of sync/<name> (issue 6 items 5, 8, 9, 10, 12), on the real Temporal
// dev server with scripted activities: what the workflow asks of its activities, in what order,
// and what it carries through continue-as-new.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideDeletions } from '../../client/approve';
import { UsageError } from '../../client/context';
import { approveDeletionsUpdate, progressQuery, syncWorkflow } from '../../workflows/definitions';
import type { RunState } from '../../workflows/types';
import { uniqueName } from '../support/harness';
import { EventType, eventTypes, happenedAfter, startStubRig, until, type StubRig } from '../support/stub-sync';

let rig: StubRig;
beforeAll(async () => {
  rig = await startStubRig();
});
afterAll(async () => {
  await rig?.close();
});

const activities = (name: string) => rig.calls(name).map((c) => c.activity);

describe('in-flight applies are always settled (item 9)', () => {
  it('a failed fetch closes the run only after the previous apply settled, with its counts', async () => {
    const name = uniqueName('settle');
    let releaseApply = () => undefined as void;
    const applyGate = new Promise<void>((r) => (releaseApply = r));
    let appliedFirst = false;
    let endSawApplied: boolean | undefined;
    rig.script(name, {
      fetchBatch: async (a) => {
        if (a.cursor) throw ApplicationFailure.nonRetryable('source went away', 'TransientError');
        return { count: 10, kept: 10, nextCursor: '1', incomplete: false };
      },
      applyBatch: async () => {
        await applyGate;
        appliedFirst = true;
        return { inserted: 10, updated: 0, unchanged: 0, deleted: 0 };
      },
      endRun: async () => {
        endSawApplied ??= appliedFirst;
      },
    });
    const { handle, requestId } = await rig.start(name);
    // The apply is held until the workflow has seen the failed fetch and finished a workflow task
    // after it: the old code closed the run in that very task.
    await until(() => happenedAfter(handle, EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, [EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED]), 'the failed fetch');
    releaseApply();
    const summary = await rig.summary(name, requestId);
    expect(summary.status).toBe('failed');
    expect(summary.error).toContain('source went away');
    expect(summary.counts.inserted).toBe(10);
    const end = rig.calls(name).find((c) => c.activity === 'endRun')!;
    expect((end.args.counts as { inserted: number }).inserted).toBe(10);
    expect(endSawApplied).toBe(true);
  });

  it('an apply that fails while the next fetch is in flight fails the run, not the workflow task', async () => {
    const name = uniqueName('apply-fails');
    let releaseFetch = () => undefined as void;
    const fetchGate = new Promise<void>((r) => (releaseFetch = r));
    rig.script(name, {
      fetchBatch: async (a) => {
        if (a.cursor) await fetchGate;
        return { count: 10, kept: 10, nextCursor: a.cursor ? null : '1', incomplete: false };
      },
      applyBatch: async () => {
        throw ApplicationFailure.nonRetryable('constraint violated', 'StoreError');
      },
    });
    const { handle, requestId } = await rig.start(name);
    await until(
      () =>
        happenedAfter(handle, EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED, [
          EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
          EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
        ]),
      'the failed apply',
    );
    releaseFetch();
    // An unhandled rejection would fail every workflow task from here on: the run would never end.
    await until(
      async () =>
        (await eventTypes(handle)).includes(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) ||
        (await handle.query(progressQuery)).recent.some((r) => r.requestIds.includes(requestId)),
      'the run to end or a workflow task to fail',
    );
    expect(await eventTypes(handle)).not.toContain(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    const summary = await rig.summary(name, requestId);
    expect(summary.status).toBe('failed');
    expect(summary.error).toContain('constraint violated');
    await handle.terminate('test done').catch(() => undefined);
  });
});

describe('cancellation and duplicate requests (item 9)', () => {
  it('a cancelled workflow closes its run as cancelled', async () => {
    const name = uniqueName('cancel');
    rig.script(name, {
      fetchBatch: async () => {
        // Heartbeats until the cancellation reaches the activity.
        for (;;) {
          Context.current().heartbeat();
          await Promise.race([Context.current().cancelled, Context.current().sleep(200)]);
        }
      },
    });
    const { handle } = await rig.start(name);
    await until(() => activities(name).includes('fetchBatch'), 'the first fetch');
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const end = rig.calls(name).find((c) => c.activity === 'endRun');
    expect(end?.args.status).toBe('cancelled');
  });

  it('a request id seen by a finished run starts no second run', async () => {
    const name = uniqueName('dup');
    const opts = { options: { idleMillis: 60_000 } };
    const { handle, requestId } = await rig.start(name, opts);
    expect((await rig.summary(name, requestId)).status).toBe('succeeded');
    // A retried signal-with-start repeats its request id.
    await rig.request(name, 'full', requestId, opts);
    const next = await rig.request(name, 'full', undefined, opts);
    await rig.summary(name, next);
    const { recent } = await handle.query(progressQuery);
    expect(recent.filter((r) => r.requestIds.includes(requestId))).toHaveLength(1);
    expect(activities(name).filter((a) => a === 'beginRun')).toHaveLength(2);
    await handle.terminate('test done');
  });

  it('a request id repeated while its run is starting joins nothing new', async () => {
    const name = uniqueName('dup-starting');
    let releaseBegin = () => undefined as void;
    const beginGate = new Promise<void>((r) => (releaseBegin = r));
    rig.script(name, {
      beginRun: async (a) => {
        await beginGate;
        return { mode: a.mode, resources: ['users'], watermark: null };
      },
    });
    const opts = { options: { idleMillis: 60_000 } };
    const { handle, requestId } = await rig.start(name, opts);
    await until(() => activities(name).includes('beginRun'), 'beginRun to start');
    await rig.request(name, 'full', requestId, opts);
    // Handled by a workflow task while beginRun is still held.
    await until(async () => {
      const types = await eventTypes(handle);
      const signals = types.filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED).length;
      const last = types.lastIndexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);
      return signals >= 2 && types.slice(last + 1).includes(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    }, 'the repeated request to be handled');
    expect(activities(name).filter((a) => a === 'beginRun')).toHaveLength(1);
    releaseBegin();
    expect((await rig.summary(name, requestId)).status).toBe('succeeded');
    const next = await rig.request(name, 'delta', undefined, opts);
    await rig.summary(name, next);
    const { recent } = await handle.query(progressQuery);
    expect(recent.filter((r) => r.requestIds.includes(requestId))).toHaveLength(1);
    await handle.terminate('test done');
  });
});

describe('watermarks (item 5)', () => {
  it('a delta that needs a full sync stores the watermark the framework took before the full read', async () => {
    const name = uniqueName('fallback');
    rig.script(name, {
      beginRun: async () => ({ mode: 'delta', resources: ['users'], watermark: 'wm-old' }),
      fetchChanges: async () => ({ count: 0, nextCursor: null, watermark: 'wm-old', incomplete: [], fullSyncRequired: 'token expired' }),
      takeWatermark: async () => 'wm-fresh',
    });
    const { requestId } = await rig.start(name, {}, 'delta');
    const summary = await rig.summary(name, requestId);
    expect(summary).toMatchObject({ status: 'succeeded', mode: 'full' });
    const acts = activities(name);
    expect(acts.indexOf('takeWatermark')).toBeGreaterThan(-1);
    expect(acts.indexOf('takeWatermark')).toBeLessThan(acts.indexOf('fetchBatch'));
    const stored = rig.calls(name).filter((c) => c.activity === 'checkpointWatermark').map((c) => c.args.value);
    expect(stored).toEqual(['wm-fresh']);
  });

  it('an incomplete delta stores the watermark the connector kept for it, and says so', async () => {
    const name = uniqueName('delta-incomplete');
    rig.script(name, {
      beginRun: async () => ({ mode: 'delta', resources: ['users', 'groups'], watermark: 'wm-1' }),
      fetchChanges: async (a) =>
        a.cursor
          ? { count: 3, nextCursor: null, watermark: 'wm-2', incomplete: [] }
          : { count: 3, nextCursor: 'c1', watermark: 'wm-2', incomplete: ['groups'] },
    });
    const { requestId } = await rig.start(name, {}, 'delta');
    expect((await rig.summary(name, requestId)).status).toBe('succeeded');
    const stored = rig.calls(name).filter((c) => c.activity === 'checkpointWatermark');
    expect(stored.map((c) => c.args.value)).toEqual(['wm-2']);
    const line = rig.calls(name).find((c) => c.activity === 'logRun');
    expect(line?.args.message).toMatch(/the delta read of groups was incomplete/);
  });
});

describe('the deletion guard waits for an Update (item 8)', () => {
  const heldScript = () => {
    let approved = false;
    return {
      detectDeletions: async (a: { approved: boolean }) => {
        approved ||= a.approved;
        return a.approved ? { held: false, deleted: 7 } : { held: true, deleted: 0, reason: 'it would delete 7 of 9 users' };
      },
      approved: () => approved,
    };
  };

  it('approval is an update whose validator refuses nothing-held and a wrong run id', async () => {
    const name = uniqueName('approve');
    const s = heldScript();
    let releaseFetch = () => undefined as void;
    const fetchGate = new Promise<void>((r) => (releaseFetch = r));
    rig.script(name, {
      detectDeletions: s.detectDeletions,
      fetchBatch: async (a) => {
        await fetchGate;
        const n = a.cursor ? Number(a.cursor) : 0;
        return { count: 10, kept: 10, nextCursor: n < 2 ? String(n + 1) : null, incomplete: false };
      },
    });
    const { handle, requestId } = await rig.start(name);
    // Nothing is held yet: refused by the validator, with exit code 2 from the CLI's function.
    const early = await decideDeletions(rig.client, name, { approved: true }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(UsageError);
    expect((early as Error).message).toMatch(/has no run waiting for approval/);
    releaseFetch();
    await until(async () => (await handle.query(progressQuery)).state === 'held', 'the hold');
    const p = await handle.query(progressQuery);
    expect(p.phase).toBe('held');
    expect(p.held).toMatchObject({ runId: p.run!.runId, reason: 'it would delete 7 of 9 users' });
    const wrong = await decideDeletions(rig.client, name, { approved: true, runId: 'not-the-run' }).catch((e: unknown) => e);
    expect((wrong as Error).message).toMatch(/run not-the-run is not the held run/);
    expect((await handle.query(progressQuery)).state).toBe('held');
    expect(s.approved()).toBe(false);
    const decided = await decideDeletions(rig.client, name, { approved: true });
    expect(decided).toEqual({ runId: p.run!.runId, approved: true });
    const summary = await rig.summary(name, requestId);
    expect(summary).toMatchObject({ status: 'succeeded', deletions: 'approved' });
    expect(summary.counts.deleted).toBe(7);
    // Refused updates leave nothing in history; the accepted one is there.
    const accepted = (await eventTypes(handle)).filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
    expect(accepted).toHaveLength(1);
  });

  it('a held run not approved within approvalTimeout is rejected with a run-log line', async () => {
    const name = uniqueName('expire');
    const s = heldScript();
    rig.script(name, { detectDeletions: s.detectDeletions });
    const { requestId } = await rig.start(name, { approvalTimeoutMs: 1500 });
    const summary = await rig.summary(name, requestId);
    expect(summary).toMatchObject({ status: 'succeeded', deletions: 'expired' });
    expect(summary.counts.deleted).toBe(0);
    expect(s.approved()).toBe(false);
    const line = rig.calls(name).find((c) => c.activity === 'logRun');
    expect(line?.args.message).toMatch(/not approved within 2s \(approvalTimeout\): rejected, nothing was deleted/);
  });

  it('while a run is held, requests coalesce into one next run', async () => {
    const name = uniqueName('held-queue');
    const s = heldScript();
    rig.script(name, { detectDeletions: s.detectDeletions });
    const { handle, requestId } = await rig.start(name);
    await until(async () => (await handle.query(progressQuery)).state === 'held', 'the hold');
    const more = [await rig.request(name, 'delta'), await rig.request(name, 'full'), await rig.request(name, 'delta')];
    expect((await handle.query(progressQuery)).pending.map((r) => r.requestId)).toEqual(more);
    await handle.executeUpdate(approveDeletionsUpdate, { args: [{ approved: false }] });
    expect(await rig.summary(name, requestId)).toMatchObject({ deletions: 'rejected', status: 'succeeded' });
    await until(async () => (await handle.query(progressQuery)).state === 'held', 'the next run held');
    const second = (await handle.query(progressQuery)).run!;
    expect(second.requestIds).toEqual(more);
    expect(second.mode).toBe('full');
    await handle.executeUpdate(approveDeletionsUpdate, { args: [{ approved: false }] });
    await rig.summary(name, more[0]);
    expect(activities(name).filter((a) => a === 'beginRun')).toHaveLength(2);
  });
});

describe('state carried through continue-as-new (item 10)', () => {
  it('a run continues in a new execution with its state, and a request made meanwhile is served', async () => {
    const name = uniqueName('can');
    let second: string | undefined;
    rig.script(name, {
      fetchBatch: async (a) => {
        const n = a.cursor ? Number(a.cursor) : 0;
        if (n === 1) second ??= await rig.request(name, 'delta', undefined);
        return { count: 10, kept: 10, nextCursor: n < 4 ? String(n + 1) : null, incomplete: false };
      },
    });
    const { handle, requestId } = await rig.start(name, { options: { continueAsNewAfterPages: 2 } });
    const first = (await handle.describe()).runId;
    const summary = await rig.summary(name, requestId);
    expect(summary.status).toBe('succeeded');
    expect(summary.counts).toMatchObject({ fetched: 50, inserted: 50 });
    expect((await handle.describe()).runId).not.toBe(first);
    // Five batches, each read once, cursors in order across executions.
    const cursors = rig.calls(name).filter((c) => c.activity === 'fetchBatch').map((c) => c.args.cursor);
    expect(cursors.slice(0, 5)).toEqual([null, '1', '2', '3', '4']);
    expect((await rig.summary(name, second!)).status).toBe('succeeded');
  });

  it('an execution started from the old continue-as-new input (pending, inFlight, recent) resumes', async () => {
    const name = uniqueName('legacy');
    const inFlight: RunState = {
      runId: 'run-from-before',
      requestIds: ['old-request'],
      mode: 'full',
      trigger: 'cli',
      resources: ['users'],
      resourceIndex: 0,
      cursor: '2',
      seq: 2,
      watermark: 'wm-old',
      counts: { fetched: 20, inserted: 20, updated: 0, unchanged: 0, deleted: 0 },
      incomplete: [],
      pages: 2,
      startedAtMs: Date.now(),
    };
    const old = { runId: 'older', requestIds: ['older-request'], mode: 'delta' as const, trigger: 'cli' as const, status: 'succeeded' as const, counts: inFlight.counts, finishedAtMs: 1 };
    const handle = await rig.client.workflow.start(syncWorkflow, {
      workflowId: `sync/${name}`,
      taskQueue: rig.taskQueue,
      args: [{ connector: name, connectorType: 'stub', retry: { maxAttempts: 1, backoff: 'linear' }, inFlight, pending: [{ requestId: 'queued', mode: 'delta', trigger: 'api' }], recent: [old], options: { idleMillis: 2000 } }],
    });
    const resumed = await rig.summary(name, 'old-request');
    expect(resumed).toMatchObject({ runId: 'run-from-before', status: 'succeeded' });
    expect(resumed.counts.fetched).toBe(30);
    expect(rig.calls(name).find((c) => c.activity === 'fetchBatch')?.args).toMatchObject({ cursor: '2', stageKey: 'run-from-before/2' });
    expect((await rig.summary(name, 'queued')).status).toBe('succeeded');
    const all = await handle.result();
    expect(all.map((r) => r.runId)).toContain('older');
  });
});

describe('filters that keep nothing (item 12)', () => {
  it('a resource whose records were all filtered out is reported once, at its end', async () => {
    const name = uniqueName('filtered');
    rig.script(name, {
      beginRun: async () => ({ mode: 'full', resources: ['users', 'groups'], watermark: null }),
      fetchBatch: async (a) => {
        const n = a.cursor ? Number(a.cursor) : 0;
        return { count: 10, kept: a.resource === 'groups' ? 0 : 10, nextCursor: n < 1 ? String(n + 1) : null, incomplete: false };
      },
    });
    const { requestId } = await rig.start(name);
    expect((await rig.summary(name, requestId)).status).toBe('succeeded');
    const reports = rig.calls(name).filter((c) => c.activity === 'reportFilteredOut').map((c) => c.args);
    expect(reports).toEqual([expect.objectContaining({ resource: 'groups', read: 20 })]);
    const acts = activities(name);
    expect(acts.indexOf('reportFilteredOut')).toBeLessThan(acts.indexOf('detectDeletions'));
  });
});
