// Connection tests run as an activity so the credentials are resolved where every other secret
// is: inside a worker, never in the CLI or the REST server.
import type { TestResult } from '../connectors/types';
import type { SyncDeps } from './sync';

export function createTestActivities({ connectors }: Pick<SyncDeps, 'connectors'>) {
  return {
    async testConnection(a: { connector: string }): Promise<TestResult> {
      let type = 'unknown';
      try {
        const { def, connector } = await connectors.get(a.connector);
        type = def.type;
        if (!connector.test) {
          return { status: 'failure', message: `a ${def.type} connector cannot test its connection`, details: { connectorType: def.type, usersFound: 0, groupsFound: 0, latency: 0 } };
        }
        return await connector.test();
      } catch (err) {
        return {
          status: 'failure',
          message: err instanceof Error ? err.message : String(err),
          details: { connectorType: type, usersFound: 0, groupsFound: 0, latency: 0 },
        };
      }
    },
  };
}

export type TestActivities = ReturnType<typeof createTestActivities>;
