// live/<connector>: receives webhook events as signals (ids only), drops duplicates (Okta delivers
// at least once), and applies them in small batches. Closes when idle; the next webhook starts it
// again with signal-with-start.
//
// A queued event is never dropped by a failure: a batch whose activity fails after its retries
// is tried again after a growing wait (the source may be down for minutes), while new events keep
// queueing behind it. Only after maxBatchTries is the batch given up, and then on the record: a
// run-log line names its event ids and the error. Queue and batch travel through continue-as-new.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { LiveActivities } from '../activities/live';
import type { LiveGiveUpActivities } from '../activities/live-give-up';
import { failureMessage } from './failures';
import { toRetryPolicy } from './retry';
import type { LiveBatch, LiveEvent, LiveState, LiveWorkflowInput } from './types';

export const liveEventsSignal = defineSignal<[LiveEvent[]]>('events');
export const liveStateQuery = defineQuery<LiveState>('liveState');

const SEEN_KEPT = 2000;

export const LIVE_DEFAULTS = {
  continueAsNewAfterEvents: 1000,
  idleMillis: 60_000,
  batchEvents: 100,
  // 1 + 2 + 4 + 8 + 16 minutes between six tries: an outage of half an hour loses nothing.
  maxBatchTries: 6,
  retryBackoffMillis: 60_000,
  maxBackoffMillis: 30 * 60_000,
};

export async function liveWorkflow(input: LiveWorkflowInput): Promise<number> {
  const opts = { ...LIVE_DEFAULTS, ...input.options };
  // One try of a batch: the connector's own retry policy, bounded; the workflow decides what next.
  const acts = proxyActivities<LiveActivities>({ startToCloseTimeout: '2m', retry: toRetryPolicy(input.retry) });
  // Writing the give-up line touches only the store: retried until it is written (no attempt
  // limit), since failing here would fail the workflow and lose the rest of the queue.
  const record = proxyActivities<LiveGiveUpActivities>({
    startToCloseTimeout: '1m',
    retry: { initialInterval: '1s', maximumInterval: '1m' },
  });
  const queue: LiveEvent[] = input.queue ?? [];
  const seen: string[] = input.seen ?? [];
  const seenSet = new Set(seen);
  let processed = input.processed ?? 0;
  let batch: LiveBatch | undefined = input.batch;
  let givenUp = 0;
  let lastError: string | null = null;
  let nextTryAtMs: number | null = null;

  setHandler(liveEventsSignal, (events) => {
    for (const e of events) {
      if (seenSet.has(e.eventId)) continue;
      seenSet.add(e.eventId);
      seen.push(e.eventId);
      queue.push(e);
    }
    while (seen.length > SEEN_KEPT) seenSet.delete(seen.shift() as string);
  });
  setHandler(liveStateQuery, (): LiveState => ({
    queued: queue.length,
    processed,
    givenUp,
    batch: batch ? { key: batch.key, events: batch.events.length, failedTries: batch.failedTries, lastError, nextTryAtMs } : null,
  }));

  for (;;) {
    if (!batch) {
      // Checked after the wait whatever it returned: an event and the idle timer can land together.
      if (queue.length === 0) await condition(() => queue.length > 0, opts.idleMillis);
      if (queue.length === 0) break;
      batch = { key: `live/${uuid4()}`, events: queue.splice(0, opts.batchEvents), failedTries: 0 };
    }
    const tried = batch;
    try {
      await acts.applyLiveEvents({
        connector: input.connector,
        batchKey: tried.key,
        eventTypes: tried.events.map((e) => e.eventType),
        targets: tried.events.flatMap((e) => e.targets),
      });
      processed += tried.events.length;
      batch = undefined;
      lastError = null;
    } catch (err) {
      if (isCancellation(err)) throw err;
      tried.failedTries++;
      lastError = failureMessage(err);
      if (tried.failedTries >= opts.maxBatchTries) {
        await record.recordLiveGiveUp({
          connector: input.connector,
          batchKey: tried.key,
          eventIds: tried.events.map((e) => e.eventId),
          eventTypes: [...new Set(tried.events.map((e) => e.eventType))],
          tries: tried.failedTries,
          error: lastError,
        });
        processed += tried.events.length;
        givenUp += tried.events.length;
        batch = undefined;
        lastError = null;
      } else {
        const wait = Math.min(opts.retryBackoffMillis * 2 ** (tried.failedTries - 1), opts.maxBackoffMillis);
        nextTryAtMs = Date.now() + wait;
        await sleep(wait);
        nextTryAtMs = null;
      }
    }
    if (processed >= opts.continueAsNewAfterEvents || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof liveWorkflow>({ ...input, queue, seen, processed: 0, batch });
    }
  }
  await condition(allHandlersFinished);
  return processed;
}
