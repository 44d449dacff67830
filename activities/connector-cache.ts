// Builds connectors from stored definitions, inside activities only: this is the one place where
// `${ENV}` and `{{secret:…}}` references are resolved. Connectors are kept per definition content
// so HTTP pools and LDAP connections are reused across activities.
import { hasReference, loadSecrets, resolveReferences } from '../config/references';
import type { ConnectorDefinition } from '../config/types';
import { ConfigError } from '../config/types';
import { connectorType } from '../connectors/registry';
import type { Connector } from '../connectors/types';
import { createRecordMapper, type RecordMapper } from '../pipeline/mapper';
import { contentHash, stableStringify } from '../store/stable-json';
import type { IdentityStore } from '../store/types';

export interface LoadedConnector {
  def: ConnectorDefinition;
  connector: Connector;
  mapper: RecordMapper;
}

/** A connector unused this long is closed (its pools and connections released); a later
 *  activity builds it again. Longer than any one activity holds it. */
const IDLE_MS = 30 * 60_000;

export class ConnectorCache {
  /** By definition content: a run pinned to an older definition and the current one each keep
   *  their own connector, and an `apply` that changed nothing rebuilds nothing. */
  private readonly cache = new Map<string, { loaded: Promise<LoadedConnector>; usedAt: number }>();
  /** Evicted but maybe still in use by an activity: closed later, or at closeAll. */
  private readonly retired = new Set<LoadedConnector>();

  constructor(
    private readonly store: IdentityStore,
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  /** The connector as currently stored. */
  async get(name: string): Promise<LoadedConnector> {
    const stored = await this.store.getConnector(name);
    if (!stored) throw new ConfigError([{ file: 'store', path: 'name', message: `no connector named "${name}"` }]);
    return this.load(stored.definition as ConnectorDefinition);
  }

  /** The connector a run began with: the definition pinned at beginRun, so an `apply` during the
   *  run (a changed mapping, filter or host) takes effect at the next run, never half-way through
   *  one. A run with no pinned definition (begun before runs kept one) gets the stored one. */
  async forRun(name: string, runId: string): Promise<LoadedConnector> {
    const pinned = (await this.store.getRunDefinition(runId)) as ConnectorDefinition | null;
    return pinned ? this.load(pinned) : this.get(name);
  }

  private load(def: ConnectorDefinition): Promise<LoadedConnector> {
    const key = contentHash(stableStringify(def));
    const now = Date.now();
    for (const [k, entry] of this.cache) {
      if (k !== key && now - entry.usedAt > IDLE_MS) {
        this.cache.delete(k);
        void entry.loaded.then((l) => l.connector.close()).catch(() => undefined);
      }
    }
    const hit = this.cache.get(key);
    if (hit) {
      hit.usedAt = now;
      return hit.loaded;
    }
    const loaded = Promise.resolve().then(() => build(def, this.env));
    this.cache.set(key, { loaded, usedAt: now });
    loaded.catch(() => this.cache.delete(key));
    return loaded;
  }

  /** `tiger connector refresh`: forgets every connector built for this name (with its cached
   *  OAuth token and resolved secrets), so the next activity builds it again from what the
   *  environment and the secrets file hold now. Activities still holding one finish with it; it
   *  is closed after IDLE_MS. Returns how many were dropped. */
  async evict(name: string): Promise<number> {
    let dropped = 0;
    for (const [key, entry] of [...this.cache]) {
      const loaded = await entry.loaded.catch(() => null);
      if (loaded && loaded.def.name !== name) continue;
      if (this.cache.get(key) !== entry) continue;
      this.cache.delete(key);
      if (!loaded) continue;
      dropped++;
      this.retired.add(loaded);
      setTimeout(() => {
        if (this.retired.delete(loaded)) void loaded.connector.close().catch(() => undefined);
      }, IDLE_MS).unref();
    }
    return dropped;
  }

  async closeAll(): Promise<void> {
    const all = [...this.cache.values()];
    this.cache.clear();
    const retired = [...this.retired];
    this.retired.clear();
    await Promise.all([
      ...all.map((e) => e.loaded.then((l) => l.connector.close()).catch(() => undefined)),
      ...retired.map((l) => l.connector.close().catch(() => undefined)),
    ]);
  }
}

export function build(def: ConnectorDefinition, env: Record<string, string | undefined>): LoadedConnector {
  const type = connectorType(def.type);
  const resolved = resolveReferences(def.config, { env, secrets: loadSecrets({ env }) });
  const parsed = type.configSchema.safeParse(resolved);
  if (!parsed.success) {
    // Messages name the field only: a resolved value may be a secret. Saying that the value came
    // from a reference tells the reader where to look, since the stored file shows only `${…}`.
    const fromReference = (path: PropertyKey[]) => {
      const raw = path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), def.config);
      return typeof raw === 'string' && hasReference(raw) ? ' (the value was resolved from a reference and is not shown)' : '';
    };
    throw new ConfigError(
      parsed.error.issues.map((i) => ({
        file: `connector ${def.name}`,
        path: ['config', ...i.path].join('.'),
        message: i.message + fromReference(i.path),
      })),
    );
  }
  return {
    def,
    // Validated above for messages that name references; open parses it for its own types.
    connector: type.open(def, resolved),
    mapper: createRecordMapper(def, type.manifest),
  };
}
