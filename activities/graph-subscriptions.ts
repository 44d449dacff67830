// Graph change-notification subscriptions of one entra-id connector: one for users and one for
// groups, pointing at config.notificationUrl with the webhook secret as clientState. One activity
// brings them to the wanted state (renewed, recreated when Graph forgot one, adopted after a
// retried create); the graph-subscriptions workflow calls it before each expiry. The secret and
// the credentials are resolved here, never in the workflow.
import { loadSecrets, resolveReferences } from '../config/references';
import type { ConnectorDefinition } from '../config/types';
import { ConfigError } from '../config/types';
import type { EntraConfig } from '../connectors/entra/config';
import { V1 } from '../connectors/entra/classes';
import { EntraToken } from '../connectors/entra/token';
import { ConnectorError } from '../connectors/errors';
import { HttpClient } from '../connectors/http/client';
import { connectorType } from '../connectors/registry';
import type { IdentityStore } from '../store/types';
import type { GraphSubscriptionRef } from '../workflows/graph-subscriptions';
import { asActivity } from './failures';

const RESOURCES = ['users', 'groups'] as const;
const CHANGE_TYPE = 'created,updated,deleted';
/** Graph's limit for directory resources is 4230 minutes; a minute less absorbs clock skew. */
const MAX_LIFETIME_MS = 4229 * 60_000;
const MAX_CLIENT_STATE = 128;

interface GraphSubscription {
  id: string;
  resource: string;
  notificationUrl: string;
  expirationDateTime: string;
}

export interface EnsureResult {
  subscriptions: GraphSubscriptionRef[];
  /** Why the workflow should end (connector gone, disabled, webhooks off, no URL); null to go on. */
  stopped: string | null;
  actions: string[];
}

interface Settings {
  config: EntraConfig;
  clientState: string;
  notificationUrl: string;
}

export function createGraphSubscriptionActivities({ store, env = process.env }: { store: IdentityStore; env?: Record<string, string | undefined> }) {
  /** The connector's settings, or why it wants no subscriptions. Bad config throws, naming the field. */
  async function settingsOf(name: string): Promise<Settings | { stopped: string; config: EntraConfig | null }> {
    const stored = await store.getConnector(name);
    const def = stored?.definition as ConnectorDefinition | undefined;
    if (!stored || !def) return { stopped: `connector ${name} no longer exists`, config: null };
    const type = connectorType(def.type);
    if (type.manifest.webhooks !== 'graph-notifications') return { stopped: `connector ${name} (${def.type}) does not receive Graph change notifications`, config: null };
    const off = !stored.enabled || def.enabled === false ? `connector ${name} is disabled` : !def.webhooks.enabled ? `connector ${name} has webhooks.enabled: false` : null;
    const secrets = loadSecrets({ env });
    let parsed: ReturnType<typeof type.configSchema.safeParse>;
    try {
      parsed = type.configSchema.safeParse(resolveReferences(def.config, { env, secrets }));
    } catch (err) {
      if (off) return { stopped: off, config: null };
      throw err;
    }
    if (!parsed.success) {
      if (off) return { stopped: off, config: null };
      // Field names only: a resolved value may be a secret.
      throw new ConfigError(parsed.error.issues.map((i) => ({ file: `connector ${name}`, path: ['config', ...i.path].join('.'), message: i.message })));
    }
    const config = parsed.data as EntraConfig;
    if (off) return { stopped: off, config };
    if (!config.notificationUrl) return { stopped: `connector ${name} has no config.notificationUrl: Graph has nowhere to post notifications`, config };
    const clientState = def.webhooks.secret ? resolveReferences(def.webhooks.secret, { env, secrets }, `connector ${name} webhooks.secret`) : '';
    if (!clientState) throw new ConfigError([{ file: `connector ${name}`, path: 'webhooks.secret', message: 'required: Graph sends it back as clientState with every notification' }]);
    if (clientState.length > MAX_CLIENT_STATE) {
      throw new ConfigError([{ file: `connector ${name}`, path: 'webhooks.secret', message: `at most ${MAX_CLIENT_STATE} characters (Graph's clientState limit)` }]);
    }
    return { config, clientState, notificationUrl: config.notificationUrl };
  }

  function graph(name: string, config: EntraConfig): HttpClient {
    const label = `entra-id connector "${name}"`;
    return new HttpClient({
      service: 'Microsoft Graph',
      credentialField: 'config.clientSecret',
      credentialName: 'access token',
      baseUrlField: 'config.graphUrl',
      baseUrl: config.graphUrl,
      auth: new EntraToken(config, label),
      label,
    });
  }

  const path = (id: string) => `${V1}/subscriptions/${encodeURIComponent(id)}`;
  const gone = (err: unknown) => err instanceof ConnectorError && err.details.status === 404;
  const sameResource = (a: string, b: string) => a.replace(/^\//, '').toLowerCase() === b;
  const refOf = (resource: GraphSubscriptionRef['resource'], s: GraphSubscription): GraphSubscriptionRef => ({
    resource,
    id: s.id,
    expiresAt: s.expirationDateTime,
    notificationUrl: s.notificationUrl,
  });

  return {
    async ensureGraphSubscriptions(a: { connector: string; lifetimeMs: number; known: GraphSubscriptionRef[] }): Promise<EnsureResult> {
      return asActivity(a.connector, async () => {
        const settings = await settingsOf(a.connector);
        if ('stopped' in settings) {
          const actions = settings.config && a.known.length ? await removeAll(a.connector, settings.config, a.known) : [];
          await log(a.connector, `Graph subscriptions stopped: ${settings.stopped}${actions.length ? `; ${actions.join('; ')}` : ''}`);
          return { subscriptions: [], stopped: settings.stopped, actions };
        }
        const http = graph(a.connector, settings.config);
        const expirationDateTime = new Date(Date.now() + Math.min(a.lifetimeMs, MAX_LIFETIME_MS)).toISOString();
        const out: GraphSubscriptionRef[] = [];
        const actions: string[] = [];
        let listed: GraphSubscription[] | null = null;
        try {
          for (const resource of RESOURCES) {
            const known = a.known.find((k) => k.resource === resource);
            if (known) {
              const moved = known.notificationUrl !== settings.notificationUrl;
              try {
                const res = await http.request<GraphSubscription>('PATCH', path(known.id), {
                  body: { expirationDateTime, ...(moved ? { notificationUrl: settings.notificationUrl } : {}) },
                  idempotent: true,
                });
                out.push(refOf(resource, res.body));
                actions.push(`renewed the ${resource} subscription ${known.id} until ${res.body.expirationDateTime}${moved ? ' (new notificationUrl)' : ''}`);
                continue;
              } catch (err) {
                if (!gone(err)) throw err;
                actions.push(`the ${resource} subscription ${known.id} was gone (404 on renewal)`);
              }
            }
            // A create whose answer was lost (the activity retried) left a subscription behind:
            // one with this resource and URL is adopted, any more are removed.
            listed ??= (await http.getJson<{ value?: GraphSubscription[] }>(`${V1}/subscriptions`)).body?.value ?? [];
            const mine = listed.filter((s) => sameResource(s.resource, resource) && s.notificationUrl === settings.notificationUrl && s.id !== known?.id);
            const [adopt, ...extra] = mine;
            for (const s of extra) {
              await http.request('DELETE', path(s.id), { idempotent: true }).catch((err: unknown) => {
                if (!gone(err)) throw err;
              });
              actions.push(`removed a duplicate ${resource} subscription ${s.id}`);
            }
            if (adopt) {
              try {
                const res = await http.request<GraphSubscription>('PATCH', path(adopt.id), { body: { expirationDateTime }, idempotent: true });
                out.push(refOf(resource, res.body));
                actions.push(`adopted and renewed the ${resource} subscription ${adopt.id} until ${res.body.expirationDateTime}`);
                continue;
              } catch (err) {
                if (!gone(err)) throw err;
              }
            }
            // Graph validates notificationUrl before it answers (the server echoes the token).
            const res = await http.request<GraphSubscription>('POST', `${V1}/subscriptions`, {
              body: { changeType: CHANGE_TYPE, notificationUrl: settings.notificationUrl, resource, expirationDateTime, clientState: settings.clientState },
            });
            out.push(refOf(resource, res.body));
            actions.push(`${known ? 'recreated' : 'created'} the ${resource} subscription ${res.body.id} until ${res.body.expirationDateTime}`);
          }
        } finally {
          await http.close();
        }
        await log(a.connector, `Graph subscriptions: ${actions.join('; ')}`);
        return { subscriptions: out, stopped: null, actions };
      });
    },
  };

  async function removeAll(name: string, config: EntraConfig, known: GraphSubscriptionRef[]): Promise<string[]> {
    const http = graph(name, config);
    const actions: string[] = [];
    try {
      for (const k of known) {
        try {
          await http.request('DELETE', path(k.id), { idempotent: true });
          actions.push(`deleted the ${k.resource} subscription ${k.id}`);
        } catch (err) {
          // It expires on its own within three days; deliveries to a connector without webhooks get 404.
          actions.push(`could not delete the ${k.resource} subscription ${k.id} (${gone(err) ? 'already gone' : (err as Error).message})`);
        }
      }
    } finally {
      await http.close();
    }
    return actions;
  }

  async function log(connector: string, message: string): Promise<void> {
    if (await store.getConnector(connector)) await store.appendLog({ connector, runId: null, level: 'info', message });
  }
}

export type GraphSubscriptionActivities = ReturnType<typeof createGraphSubscriptionActivities>;
