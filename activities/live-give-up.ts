// The last step for webhook events that live/<name> could not apply after all its tries: they are
// given up on the record, never silently. The batch's run is closed as failed and the run log names
// the event ids (so an operator can find them in Okta's System Log) and the last error.
import type { IdentityStore } from '../store/types';

const GIVE_UP = 'gave up on webhook events';

export function createLiveGiveUpActivities({ store }: { store: IdentityStore }) {
  return {
    async recordLiveGiveUp(a: {
      connector: string;
      batchKey: string;
      eventIds: string[];
      eventTypes: string[];
      tries: number;
      error: string;
    }): Promise<void> {
      // Idempotent: the run is keyed by the batch and the line is written once per run.
      const run = await store.beginRun({ runId: a.batchKey, connector: a.connector, mode: 'live', trigger: 'webhook' });
      const logged = await store.listLogs(a.connector, { limit: 100, runId: a.batchKey });
      if (!logged.some((l) => l.message.startsWith(GIVE_UP))) {
        await store.appendLog({
          connector: a.connector,
          runId: a.batchKey,
          level: 'error',
          message:
            `${GIVE_UP} ${a.eventIds.join(', ')} (${a.eventTypes.join(', ')}) after ${a.tries} tries; ` +
            `a full run will reconcile what they changed. Last error: ${a.error}`,
        });
      }
      if (run.status === 'running') await store.finishRun(a.batchKey, 'failed', `gave up after ${a.tries} tries: ${a.error}`);
    },
  };
}

export type LiveGiveUpActivities = ReturnType<typeof createLiveGiveUpActivities>;
