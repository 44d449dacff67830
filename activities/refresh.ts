// `tiger connector refresh <name>`: every worker forgets the connector it built (its cached OAuth
// token and the secrets resolved into it), then one worker resolves the secrets again, builds it,
// asks the token endpoint for a new token and reports when it expires. Workers are found through
// Temporal: each polls the shared queue under its own queue's name (worker.ts sets it as the
// poller identity), so describing the shared queue lists the own queues to broadcast to.
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { loadSecrets, resolveReferences } from '../config/references';
import { entraType } from '../connectors/entra';
import type { EntraConfig } from '../connectors/entra/config';
import { EntraToken, tokenUrlOf } from '../connectors/entra/token';
import { ClientCredentials, type OAuthClientCredentials } from '../connectors/http/auth';
import { connectorType } from '../connectors/registry';
import { taskQueue } from '../runtime/ids';
import type { ConnectorCache } from './connector-cache';
import { asActivity } from './failures';

/** A poller seen longer ago than this is a worker that stopped (idle long polls last ~60 s). */
const POLLER_FRESH_MS = 2 * 60_000;

export interface FreshToken {
  /** ISO time the new token expires; null when the connector uses no client-credentials token. */
  expiresAt: string | null;
  /** Origin of the token endpoint (never a path that could carry a tenant secret). */
  tokenEndpoint: string | null;
  note: string;
}

interface TokenSource {
  auth: { credentials(): Promise<unknown>; readonly expiresAt: Date | null };
  tokenUrl: string;
}

/** The connector's client-credentials token source, built like the connector builds its own. */
function tokenSourceOf(name: string, type: string, config: Record<string, unknown>): TokenSource | null {
  const label = `${type} connector "${name}"`;
  if (connectorType(type) === entraType) {
    const c = config as EntraConfig;
    return { auth: new EntraToken(c, label), tokenUrl: tokenUrlOf(c) };
  }
  const auth = config.auth as OAuthClientCredentials | undefined;
  if (auth?.type === 'oauth2') return { auth: new ClientCredentials(auth, { label, field: 'config.auth' }), tokenUrl: auth.tokenUrl };
  return null;
}

export function createRefreshActivities({ connectors, client, env = process.env }: {
  connectors: ConnectorCache;
  client: () => Promise<Client>;
  env?: Record<string, string | undefined>;
}) {
  return {
    /** The own queues of the workers polling the shared queue now. */
    async listWorkerQueues(): Promise<string[]> {
      const c = await client();
      const prefix = `${taskQueue()}/worker/`;
      const res = await c.workflowService.describeTaskQueue({
        namespace: c.options.namespace,
        taskQueue: { name: taskQueue(), kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      });
      const now = Date.now();
      const queues = (res.pollers ?? [])
        .filter((p) => {
          const seconds = Number(p.lastAccessTime?.seconds ?? 0);
          return typeof p.identity === 'string' && p.identity.startsWith(prefix) && now - seconds * 1000 <= POLLER_FRESH_MS;
        })
        .map((p) => p.identity as string);
      return [...new Set(queues)].sort();
    },

    /** Runs on one worker's own queue: that worker forgets the connector. */
    async dropCachedConnector(a: { connector: string }): Promise<{ dropped: number }> {
      return { dropped: await connectors.evict(a.connector) };
    },

    /** Rebuilds the connector from freshly resolved secrets and fetches a new token. */
    async fetchFreshConnectorToken(a: { connector: string }): Promise<FreshToken> {
      return asActivity(a.connector, async () => {
        await connectors.evict(a.connector);
        // Resolves references and checks the config again: a secret that no longer resolves or
        // parses fails here, naming the field.
        const { def } = await connectors.get(a.connector);
        const type = connectorType(def.type);
        const config = type.configSchema.parse(resolveReferences(def.config, { env, secrets: loadSecrets({ env }) })) as Record<string, unknown>;
        const source = tokenSourceOf(def.name, def.type, config);
        if (!source) {
          return { expiresAt: null, tokenEndpoint: null, note: `${def.type} connector ${def.name} uses no OAuth client-credentials token: cached connectors were dropped and secrets are resolved again on next use` };
        }
        await source.auth.credentials();
        const expiresAt = source.auth.expiresAt;
        if (!expiresAt) throw ApplicationFailure.nonRetryable(`connector ${def.name}: the token endpoint answered without a token`, 'AuthError');
        return { expiresAt: expiresAt.toISOString(), tokenEndpoint: new URL(source.tokenUrl).origin, note: 'new token fetched' };
      });
    },
  };
}

export type RefreshActivities = ReturnType<typeof createRefreshActivities>;
