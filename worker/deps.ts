// Builds what activities depend on, once per worker process.
import type { Client } from '@temporalio/client';
import { ConnectorCache } from '../activities/connector-cache';
import { createGraphSubscriptionActivities } from '../activities/graph-subscriptions';
import { createLiveActivities } from '../activities/live';
import { createLiveGiveUpActivities } from '../activities/live-give-up';
import { createMeshActivities } from '../activities/mesh';
import { createProjectActivities } from '../activities/project';
import { createRefreshActivities } from '../activities/refresh';
import { createPushActivities } from '../activities/push';
import { createRequestActivities } from '../activities/request';
import { createSyncActivities } from '../activities/sync';
import { createTestActivities } from '../activities/test-connection';
import type { IdentityStore } from '../store/types';

export function createActivities(
  store: IdentityStore,
  client: () => Promise<Client>,
  connectors = new ConnectorCache(store),
  /** This worker's own task queue (see worker.ts). */
  workerQueue?: string,
) {
  return {
    activities: {
      ...createSyncActivities({ store, connectors, workerQueue }),
      ...createLiveActivities({ store, connectors }),
      ...createLiveGiveUpActivities({ store }),
      ...createRequestActivities({ store, client }),
      ...createTestActivities({ connectors }),
      ...createProjectActivities({ store, connectors }),
      ...createPushActivities({ store, connectors, client }),
      ...createMeshActivities({ store, client }),
      ...createGraphSubscriptionActivities({ store }),
      ...createRefreshActivities({ connectors, client }),
    },
    connectors,
  };
}
