// Builds connectors from stored definitions, inside activities only: this is the one place where
// `${ENV}` and `{{secret:…}}` references are resolved. Connectors are kept per definition version
// so HTTP pools and LDAP connections are reused across activities.
import { loadSecrets, resolveReferences } from '../config/references';
import type { ConnectorDefinition } from '../config/types';
import { ConfigError } from '../config/types';
import { connectorType } from '../connectors/registry';
import type { Connector } from '../connectors/types';
import { createRecordMapper, type RecordMapper } from '../pipeline/mapper';
import type { IdentityStore } from '../store/types';

export interface LoadedConnector {
  def: ConnectorDefinition;
  connector: Connector;
  mapper: RecordMapper;
}

export class ConnectorCache {
  private readonly cache = new Map<string, { version: string; loaded: Promise<LoadedConnector> }>();

  constructor(
    private readonly store: IdentityStore,
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  async get(name: string): Promise<LoadedConnector> {
    const stored = await this.store.getConnector(name);
    if (!stored) throw new ConfigError([{ file: 'store', path: 'name', message: `no connector named "${name}"` }]);
    const hit = this.cache.get(name);
    if (hit && hit.version === stored.updatedAt) return hit.loaded;
    if (hit) void hit.loaded.then((l) => l.connector.close()).catch(() => undefined);
    const loaded = Promise.resolve().then(() => build(stored.definition as ConnectorDefinition, this.env));
    this.cache.set(name, { version: stored.updatedAt, loaded });
    loaded.catch(() => this.cache.delete(name));
    return loaded;
  }

  async closeAll(): Promise<void> {
    const all = [...this.cache.values()];
    this.cache.clear();
    await Promise.all(all.map((e) => e.loaded.then((l) => l.connector.close()).catch(() => undefined)));
  }
}

export function build(def: ConnectorDefinition, env: Record<string, string | undefined>): LoadedConnector {
  const type = connectorType(def.type);
  const resolved = resolveReferences(def.config, { env, secrets: loadSecrets({ env }) });
  const parsed = type.configSchema.safeParse(resolved);
  if (!parsed.success) {
    // Messages name the field only: a resolved value may be a secret.
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ file: `connector ${def.name}`, path: ['config', ...i.path].join('.'), message: i.message })),
    );
  }
  return {
    def,
    connector: type.create(def, parsed.data as Record<string, unknown>),
    mapper: createRecordMapper(def, type.defaultMapping),
  };
}
