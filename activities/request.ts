// The activity behind scheduled runs: workflows cannot signal-with-start, a client can.
import type { Client } from '@temporalio/client';
import type { IdentityStore } from '../store/types';
import type { ConnectorDefinition } from '../config/types';
import { refOf, requestSync } from '../client/requests';
import type { SyncMode } from '../workflows/types';

export function createRequestActivities(deps: { store: IdentityStore; client: () => Promise<Client> }) {
  return {
    async requestSync(a: { connector: string; mode: SyncMode; trigger: 'schedule' }): Promise<string> {
      const stored = await deps.store.getConnector(a.connector);
      if (!stored) return `connector ${a.connector} no longer exists`;
      if (!stored.enabled) return `connector ${a.connector} is disabled`;
      const r = await requestSync(await deps.client(), refOf(stored.definition as ConnectorDefinition), a.mode, a.trigger);
      return r.requestId;
    },
  };
}

export type RequestActivities = ReturnType<typeof createRequestActivities>;
