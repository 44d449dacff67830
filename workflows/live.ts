// live/<connector>: receives webhook events as signals (ids only), drops duplicates (Okta delivers
// at least once), and applies them in small batches. Closes when idle; the next webhook starts it
// again with signal-with-start.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineSignal,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { LiveActivities } from '../activities/live';
import { toRetryPolicy } from './retry';
import type { LiveEvent, LiveWorkflowInput } from './types';

export const liveEventsSignal = defineSignal<[LiveEvent[]]>('events');

const SEEN_KEPT = 2000;

export async function liveWorkflow(input: LiveWorkflowInput): Promise<number> {
  const opts = { continueAsNewAfterEvents: 1000, idleMillis: 60_000, batchEvents: 100, ...input.options };
  const acts = proxyActivities<LiveActivities>({ startToCloseTimeout: '2m', retry: toRetryPolicy(input.retry) });
  const queue: LiveEvent[] = input.queue ?? [];
  const seen: string[] = input.seen ?? [];
  const seenSet = new Set(seen);
  let processed = input.processed ?? 0;

  setHandler(liveEventsSignal, (events) => {
    for (const e of events) {
      if (seenSet.has(e.eventId)) continue;
      seenSet.add(e.eventId);
      seen.push(e.eventId);
      queue.push(e);
    }
    while (seen.length > SEEN_KEPT) seenSet.delete(seen.shift() as string);
  });

  for (;;) {
    // Checked after the wait whatever it returned: an event and the idle timer can land together.
    if (queue.length === 0) await condition(() => queue.length > 0, opts.idleMillis);
    if (queue.length === 0) break;
    const batch = queue.splice(0, opts.batchEvents);
    await acts.applyLiveEvents({
      connector: input.connector,
      batchKey: `live/${uuid4()}`,
      eventTypes: batch.map((e) => e.eventType),
      targets: batch.flatMap((e) => e.targets),
    });
    processed += batch.length;
    if (processed >= opts.continueAsNewAfterEvents || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof liveWorkflow>({ ...input, queue, seen, processed: 0 });
    }
  }
  await condition(allHandlersFinished);
  return processed;
}
