// The activity behind scheduled runs: workflows cannot signal-with-start, a client can. It also
// decides full or delta, so the periodic full reconciliation needs nothing but the store's runs.
import { Context } from '@temporalio/activity';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { IdentityStore } from '../store/types';
import type { ConnectorDefinition } from '../config/types';
import { fullIntervalMsOf, lastFullRun, scheduledMode } from '../runtime/full-runs';
import { refOf, requestSync } from '../runtime/requests';
import type { SyncMode } from '../workflows/types';

export function createRequestActivities(deps: { store: IdentityStore; client: () => Promise<Client> }) {
  return {
    /** `mode: 'full'` forces a full run; otherwise (schedules made before fullInterval passed
     *  'delta') the run is full when one is due. Returns what was asked for and the request id. */
    async requestSync(a: { connector: string; mode?: SyncMode; trigger: 'schedule' }): Promise<string> {
      const stored = await deps.store.getConnector(a.connector);
      if (!stored) return `connector ${a.connector} no longer exists`;
      if (!stored.enabled) return `connector ${a.connector} is disabled`;
      const def = stored.definition as ConnectorDefinition;
      const mode = a.mode === 'full' ? 'full' : scheduledMode(await lastFullRun(deps.store, a.connector), fullIntervalMsOf(def), Date.now());
      // The trigger workflow's run id: one scheduled firing is one request, however often this retries.
      const firing = Context.current().info.workflowExecution?.runId ?? randomUUID();
      const r = await requestSync(await deps.client(), refOf(def), mode, a.trigger, undefined, `schedule/${firing}`);
      return `${mode} ${r.requestId}`;
    },
  };
}

export type RequestActivities = ReturnType<typeof createRequestActivities>;
