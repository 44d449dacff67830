// refresh/<connector>/<id>: `tiger connector refresh`. Every live worker drops the connector it
// cached (an activity on each worker's own queue), then one worker fetches a new token. A worker
// that does not answer in time is reported, not waited for: a stopped worker holds no token.
import { proxyActivities } from '@temporalio/workflow';
import type { FreshToken, RefreshActivities } from '../activities/refresh';
import { failureMessage } from './failures';

export interface RefreshResult extends FreshToken {
  connector: string;
  workers: { queue: string; dropped: number | null; error: string | null }[];
}

export async function connectorRefreshWorkflow(input: { connector: string }): Promise<RefreshResult> {
  const shared = proxyActivities<RefreshActivities>({ startToCloseTimeout: '1m', retry: { maximumAttempts: 3 } });
  const queues = await shared.listWorkerQueues();
  const workers = await Promise.all(
    queues.map(async (queue) => {
      const own = proxyActivities<RefreshActivities>({ taskQueue: queue, scheduleToCloseTimeout: '15s', retry: { maximumAttempts: 2 } });
      try {
        return { queue, dropped: (await own.dropCachedConnector({ connector: input.connector })).dropped, error: null };
      } catch (err) {
        return { queue, dropped: null, error: failureMessage(err) };
      }
    }),
  );
  const token = await shared.fetchFreshConnectorToken({ connector: input.connector });
  return { connector: input.connector, workers, ...token };
}
