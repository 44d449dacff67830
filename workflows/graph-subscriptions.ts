// graph-subscriptions/<connector>: keeps the Graph change-notification subscriptions of one
// entra-id connector alive. Graph lets directory subscriptions live at most ~3 days (4230
// minutes), so the workflow renews them a margin before the first expiry, recreates one Graph
// answers 404 for, and ends when the connector no longer wants notifications. The `ensure` signal
// (sent by `tiger connector apply`) renews at once, e.g. after notificationUrl changed.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { GraphSubscriptionActivities } from '../activities/graph-subscriptions';
import { failureMessage } from './failures';

/** Ids and expiry only: no record data in history. */
export interface GraphSubscriptionRef {
  resource: 'users' | 'groups';
  id: string;
  expiresAt: string;
  notificationUrl: string;
}

export const GRAPH_SUBSCRIPTION_DEFAULTS = {
  /** Requested lifetime of each subscription (the activity caps it at Graph's limit). */
  lifetimeMs: 4200 * 60_000,
  /** Renew this long before the first subscription expires. */
  renewMarginMs: 60 * 60_000,
  /** After a failed round (Graph down, bad credentials), try again this much later. */
  retryAfterMs: 5 * 60_000,
  roundsBeforeContinueAsNew: 20,
};

export interface GraphSubscriptionsInput {
  connector: string;
  options?: Partial<typeof GRAPH_SUBSCRIPTION_DEFAULTS>;
  subscriptions?: GraphSubscriptionRef[];
}

export interface GraphSubscriptionsState {
  subscriptions: GraphSubscriptionRef[];
  rounds: number;
  lastError: string | null;
  nextRoundAtMs: number | null;
}

export const graphSubscriptionsEnsureSignal = defineSignal('ensure');
export const graphSubscriptionsStateQuery = defineQuery<GraphSubscriptionsState>('graphSubscriptionsState');

/** Returns why it stopped (connector deleted, disabled, webhooks off, no notificationUrl). */
export async function graphSubscriptionsWorkflow(input: GraphSubscriptionsInput): Promise<string> {
  const opts = { ...GRAPH_SUBSCRIPTION_DEFAULTS, ...input.options };
  const acts = proxyActivities<GraphSubscriptionActivities>({
    startToCloseTimeout: '2m',
    retry: { initialInterval: '5s', maximumInterval: '1m', maximumAttempts: 5 },
  });
  let subscriptions = input.subscriptions ?? [];
  let requested = false;
  let rounds = 0;
  let lastError: string | null = null;
  let nextRoundAtMs: number | null = null;
  setHandler(graphSubscriptionsEnsureSignal, () => {
    requested = true;
  });
  setHandler(graphSubscriptionsStateQuery, () => ({ subscriptions, rounds, lastError, nextRoundAtMs }));

  while (rounds < opts.roundsBeforeContinueAsNew) {
    requested = false;
    rounds++;
    let waitMs: number;
    try {
      const r = await acts.ensureGraphSubscriptions({ connector: input.connector, lifetimeMs: opts.lifetimeMs, known: subscriptions });
      if (r.stopped) {
        await condition(allHandlersFinished);
        return r.stopped;
      }
      subscriptions = r.subscriptions;
      lastError = null;
      const firstExpiry = Math.min(...subscriptions.map((s) => Date.parse(s.expiresAt)));
      waitMs = Number.isFinite(firstExpiry) ? Math.max(1000, firstExpiry - opts.renewMarginMs - Date.now()) : opts.retryAfterMs;
    } catch (err) {
      if (isCancellation(err)) throw err;
      lastError = failureMessage(err);
      waitMs = opts.retryAfterMs;
    }
    nextRoundAtMs = Date.now() + waitMs;
    await condition(() => requested, waitMs);
    nextRoundAtMs = null;
    if (workflowInfo().continueAsNewSuggested) break;
  }
  await condition(allHandlersFinished);
  // The next run starts with a round: a renewal a little early, which costs nothing.
  return continueAsNew<typeof graphSubscriptionsWorkflow>({ ...input, subscriptions });
}
