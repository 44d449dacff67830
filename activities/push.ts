// Push activities: a source's store identities written into any target whose manifest can write.
// planPushBatch plans one keyset page and stores the plan (push_plans); applyPushBatch applies one stored
// page object by object, recording push state as soon as each object is written, so a retried
// batch skips what is done and a retried create adopts its own object (key `<source>:<id>`).
// A target's refusal quarantines that object alone; the rest of the batch goes on.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { compileFilter } from '../config/filter';
import { compileMapping } from '../config/mapping';
import { provisioningOf, type ProvisioningSpec } from '../config/provisioning';
import { ConfigError, type ConnectorDefinition } from '../config/types';
import { ConnectorError } from '../connectors/errors';
import { requireOp, type Connector } from '../connectors/framework/define';
import { can, classOfKind, linkClassesOf, type Manifest } from '../connectors/framework/manifest';
import { deletionHolds } from '../pipeline/deletion-guard';
import { stateOf } from '../pipeline/projection';
import {
  countPlan,
  createAttributes,
  memberRef,
  parseMemberRef,
  planPush,
  toAttributeDelta,
  type PlanRules,
  type PushKind,
  type PushPlan,
} from '../pipeline/push-plan';
import { contentHash, stableStringify } from '../store/stable-json';
import type { ExportedObject, IdentityStore, PushStateRecord } from '../store/types';
import { pushWorkflow, requestPushSignal } from '../workflows/definitions';
import type { PushApplyCounts, PushPlanCounts, PushRequest, PushWorkflowInput } from '../workflows/push-types';
import { TigerConnector, TigerConnectorType } from '../workflows/search-attributes';
import { zeroPushApplyCounts } from '../workflows/push-types';
import type { ConnectorCache } from './connector-cache';
import { asActivity } from './failures';
import { listSourceObjects, sourceExists } from './mesh';
import { heartbeat } from './heartbeat';

export interface PushDeps {
  store: IdentityStore;
  connectors: ConnectorCache;
  /** For requestPushesAfterSync (signal-with-start of push/<target>). */
  client?: () => Promise<Client>;
}

interface PushTarget {
  def: ConnectorDefinition;
  connector: Connector;
  manifest: Manifest;
  spec: Omit<ProvisioningSpec, 'from'>;
  /** Object class per store kind the target takes (absent: not pushed), and the membership link class. */
  classes: Partial<Record<PushKind, string>>;
  memberClass?: string;
}

interface RunScope {
  /** Users that are members of the scope groups (undefined: no group scope). */
  members?: Set<string>;
  /** The scope groups' ids (undefined: every group). */
  groups?: Set<string>;
}

const PLAN_RETENTION_MS = 24 * 3600_000;

export function createPushActivities({ store, connectors, client }: PushDeps) {
  const log = (target: string, runId: string | null, level: 'info' | 'warn' | 'error', message: string) =>
    store.appendLog({ connector: target, runId, level, message });

  /** Everything here is configuration: a wrong target fails the push at once, never retried. */
  async function loadTarget(source: string, target: string): Promise<PushTarget> {
    if (!(await sourceExists(store, source))) throw new ConfigError([{ file: 'store', path: 'source', message: `no source connector (or mesh/<name>) named "${source}"` }]);
    if (source === target) throw new ConfigError([{ file: `connector ${target}`, path: 'provisioning.from', message: 'a connector cannot push into itself' }]);
    const loaded = await connectors.get(target);
    const def = loaded.def;
    const connector = frameworkConnector(loaded.connector, def);
    const manifest = connector.manifest;
    const spec = provisioningOf(def) ?? {};
    const classes: Partial<Record<PushKind, string>> = {};
    for (const kind of ['user', 'group'] as const) {
      const cls = classOfKind(manifest, kind);
      if (cls && can(manifest, cls, 'create')) classes[kind] = cls;
    }
    if (!classes.user && !classes.group) {
      throw new ConfigError([{ file: `connector ${target}`, path: 'type', message: `cannot be a push target: a ${def.type} connector can create neither users nor groups (its manifest declares no create)` }]);
    }
    const memberClass = classes.group ? linkClassesOf(manifest, classes.group).find((l) => manifest.linkClasses[l].kind === 'membership') : undefined;
    return { def, connector, manifest, spec, classes, memberClass };
  }

  function planRules(t: PushTarget, kind: PushKind, scope: RunScope): PlanRules {
    const cls = t.classes[kind]!;
    const given = t.spec.mapping?.[kind];
    const defaults = t.manifest.objectClasses[cls].pushMapping;
    if (!given && !defaults) {
      throw new ConfigError([{ file: `connector ${t.def.name}`, path: `provisioning.mapping.${kind}`, message: `required: a ${t.def.type} ${cls} class has no default push mapping (target attribute → store attribute)` }]);
    }
    const mapping = compileMapping(given, { ...(defaults ?? {}) });
    const filter = kind === 'user' && t.spec.scope?.filter ? compileFilter([t.spec.scope.filter]) : () => true;
    const inScope =
      kind === 'user'
        ? (o: ExportedObject) => filter(o.attributes) && (!scope.members || scope.members.has(o.id))
        : (o: ExportedObject) => !scope.groups || scope.groups.has(o.id);
    return {
      kind,
      map: (a) => mapping.map(a),
      inScope,
      deleteOnRemoval: t.spec.deleteOnRemoval === true,
      canEnable: can(t.manifest, cls, 'enable'),
      canDelete: can(t.manifest, cls, 'delete'),
    };
  }

  // The group scope is resolved once per run and worker (a few reads of the source's groups),
  // not once per page; a handful of runs is all a worker ever has in flight.
  const scopes = new Map<string, Promise<RunScope>>();
  function scopeOf(runId: string, source: string, t: PushTarget): Promise<RunScope> {
    let s = scopes.get(runId);
    if (!s) {
      s = resolveScope(source, t.spec.scope?.groups);
      s.catch(() => scopes.delete(runId));
      scopes.set(runId, s);
      if (scopes.size > 16) scopes.delete(scopes.keys().next().value!);
    }
    return s;
  }
  async function resolveScope(source: string, names: string[] | undefined): Promise<RunScope> {
    if (!names) return {};
    const wanted = new Set(names);
    const groups = new Set<string>();
    for (let after: string | null = null; ;) {
      const page = await store.listObjects(source, 'group', { afterId: after, limit: 1000, includeDeleted: false });
      for (const g of page) if (wanted.has(g.id) || (typeof g.attributes.name === 'string' && wanted.has(g.attributes.name))) groups.add(g.id);
      if (page.length < 1000) break;
      after = page[page.length - 1].id;
    }
    const members = new Set<string>();
    for (const g of groups) {
      for (const l of await store.listLinks(source, 'membership', g, { includeDeleted: false })) if (l.childKind === 'user') members.add(l.child);
    }
    return { members, groups };
  }

  /** The members each group of the page should have: live links to in-scope children that are in
   *  the target or will be by this push (an inactive identity never pushed is never created, so
   *  it is no member either; one pushed before and disabled since stays a member). */
  async function desiredMembers(source: string, target: string, page: ExportedObject[], users: PlanRules, groups: PlanRules): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const g of page) {
      if (stateOf(g) === 'deleted') continue;
      const links = await store.listLinks(source, 'membership', g.id, { includeDeleted: false });
      const ids = (k: 'user' | 'group') => links.filter((l) => l.childKind === k).map((l) => l.child);
      const live = (await store.getObjects(source, 'user', ids('user'), { includeDeleted: false })).filter((u) => stateOf(u) !== 'deleted' && users.inScope(u));
      const pushed = new Set((await store.getPushStates(target, source, 'user', live.map((u) => u.id))).map((p) => p.sourceId));
      const children = [
        ...live.filter((u) => stateOf(u) === 'active' || pushed.has(u.id)).map((u) => memberRef('user', u.id)),
        ...(await store.getObjects(source, 'group', ids('group'), { includeDeleted: false })).filter((c) => groups.inScope(c)).map((c) => memberRef('group', c.id)),
      ];
      out.set(g.id, children);
    }
    return out;
  }

  return {
    /** Checks the target (and the mappings) before anything is planned. Names and numbers only. */
    async beginPush(a: { source: string; target: string; runId: string; dryRun: boolean }): Promise<{ kinds: PushKind[]; threshold: number; limit: number; approvalTimeoutMs: number }> {
      return asActivity(a.target, async () => {
        const t = await loadTarget(a.source, a.target);
        const writable = (['user', 'group'] as const).filter((k) => t.classes[k]);
        // A kind with no mapping at all (none in the file, none by default) is not pushed, and the
        // run log says so; with no mapping for any kind there is nothing to push: configuration.
        const kinds = writable.filter((k) => mapped(t, k));
        if (kinds.length === 0) planRules(t, writable[0], {});
        for (const k of kinds) planRules(t, k, {});
        await store.dropPushPlans(a.target, a.runId, new Date(Date.now() - PLAN_RETENTION_MS).toISOString());
        const unmapped = writable.filter((k) => !kinds.includes(k));
        await log(a.target, a.runId, 'info', `${a.dryRun ? 'dry run of a push' : 'push'} of ${a.source} into ${a.target} started (${kinds.map((k) => `${k}s`).join(', ')})` +
          (unmapped.length ? `; ${unmapped.map((k) => `${k}s are not pushed: no provisioning.mapping.${k}`).join('; ')}` : ''));
        return { kinds: [...kinds], threshold: t.def.deletionThreshold ?? 0.2, limit: t.def.deletionLimit ?? 500, approvalTimeoutMs: t.def.approvalTimeoutMs ?? 24 * 3600_000 };
      });
    },

    /** Plans one keyset page and stores it as plan page `seq` of the run; returns counts only. */
    async planPushBatch(a: { source: string; target: string; runId: string; kind: PushKind; afterId: string | null; limit: number; seq: number }): Promise<{ counts: PushPlanCounts; nextAfterId: string | null }> {
      return asActivity(a.target, async () => {
        const t = await loadTarget(a.source, a.target);
        const scope = await scopeOf(a.runId, a.source, t);
        const page = await listSourceObjects(store, a.source, a.kind, { afterId: a.afterId, limit: a.limit, includeDeleted: true });
        const pushed = await store.getPushStates(a.target, a.source, a.kind, page.map((o) => o.id));
        const rules = planRules(t, a.kind, scope);
        // Members are pushed users (and groups): without users pushed there are none to manage.
        const members = a.kind === 'group' && t.memberClass && mapped(t, 'user') ? await desiredMembers(a.source, a.target, page, planRules(t, 'user', scope), rules) : undefined;
        const plan = planPush(page, pushed, rules, members);
        await store.savePushPlanPage({ runId: a.runId, seq: a.seq, target: a.target, kind: a.kind, plan });
        return { counts: countPlan(plan), nextAfterId: page.length < a.limit ? null : page[page.length - 1].id };
      });
    },

    /** The guard of a push: disables + deletes per kind and member removals, against what this
     *  target holds from the source, with the target's deletionThreshold and deletionLimit. */
    async checkPushGuard(a: { source: string; target: string; runId: string; removals: { user: number; group: number; membership: number }; threshold: number; limit: number }): Promise<{ held: boolean; reason: string | null }> {
      return asActivity(a.target, async () => {
        const totals = await store.countPushStates(a.target, a.source);
        const holds = deletionHolds(
          (['user', 'group', 'membership'] as const).map((kind) => ({ kind, total: totals[kind], unseen: a.removals[kind] })),
          { threshold: a.threshold, limit: a.limit },
        );
        if (holds.length === 0) return { held: false, reason: null };
        const reason = `push held for approval: ${holds.map((h) => h.reason).join('; ')} (disables, deletes and member removals)`;
        await log(a.target, a.runId, 'warn', `${reason}; approve with: tiger connector push ${a.source} --to ${a.target} --approve`);
        return { held: true, reason };
      });
    },

    /** Applies stored plan page `seq`. Idempotent: what push state shows as done is skipped. */
    async applyPushBatch(a: { source: string; target: string; runId: string; seq: number; allowRemovals: boolean }): Promise<PushApplyCounts> {
      return asActivity(a.target, async () => {
        const t = await loadTarget(a.source, a.target);
        const stored = await store.getPushPlanPage(a.runId, a.seq);
        if (!stored) throw new Error(`plan page ${a.seq} of push ${a.runId} is missing from the store (dropped by a later push of ${a.target}?)`);
        const kind = stored.kind as PushKind;
        const plan = stored.plan as PushPlan;
        const counts = zeroPushApplyCounts();
        const apply = new Applier(store, t, a.source, kind, a.runId, counts, log);
        await apply.load(plan);
        await apply.objects(plan, a.allowRemovals);
        if (plan.members.length > 0) await apply.members(plan, a.allowRemovals);
        return counts;
      });
    },

    async endPush(a: { source: string; target: string; runId: string; dryRun: boolean; plan: PushPlanCounts; applied: PushApplyCounts; error: string | null }): Promise<void> {
      return asActivity(a.target, async () => {
        const p = a.plan;
        const d = a.applied;
        const planned = `planned: ${p.creates} creates, ${p.updates} updates, ${p.enables} enables, ${p.disables} disables, ${p.deletes} deletes, ` +
          `${p.memberAdds} member adds, ${p.memberRemoves} member removes, ${p.unchanged} unchanged`;
        const done = a.dryRun ? 'nothing was sent to the target (dry run)' :
          `applied: ${d.created} created, ${d.adopted} adopted, ${d.updated} updated, ${d.enabled} enabled, ${d.disabled} disabled, ${d.deleted} deleted, ` +
          `${d.membersAdded} members added, ${d.membersRemoved} removed, ${d.quarantined} quarantined` + (d.removalsWithheld ? `, ${d.removalsWithheld} removals withheld` : '');
        await log(a.target, a.runId, a.error ? 'error' : d.quarantined ? 'warn' : 'info',
          `${a.dryRun ? 'dry run of a push' : 'push'} of ${a.source} into ${a.target} ${a.error ? 'failed' : 'finished'}: ${planned}; ${done}${a.error ? ` — ${a.error}` : ''}`);
        // The plan stays for the CLI to print (it drops a dry run's at once); the next push drops
        // plans older than a day.
      });
    },

    /** After a successful sync of `source`: one push request to every target provisioned from
     *  it with `after: sync`. Signal-with-start, so a push already running runs once more. */
    async requestPushesAfterSync(a: { source: string; runId: string }): Promise<string[]> {
      const targets = (await store.listConnectors()).filter((c) => {
        const p = provisioningOf(c.definition as ConnectorDefinition);
        return c.enabled && p?.from === a.source && p.after === 'sync';
      });
      if (targets.length === 0 || !client) return [];
      const c = await client();
      for (const t of targets) await requestPush(c, { source: a.source, target: t.name, targetType: t.type }, { requestId: `sync/${a.runId}`, trigger: 'sync' });
      return targets.map((t) => t.name);
    },
  };
}

/** Objects of one plan page are independent of each other: a few are written at once, so a
 *  batch is not paced by one request's round trip. */
const PUSH_CONCURRENCY = 8;

/** Runs `fn` over `items`, at most PUSH_CONCURRENCY at a time. On the first failure no new item
 *  starts; the ones in flight settle (their push state is saved), then the failure is thrown and
 *  the retried batch skips what is done. */
async function eachLimited<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: { err: unknown } | undefined;
  const lane = async () => {
    while (!failed && next < items.length) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (err) {
        failed ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PUSH_CONCURRENCY, items.length) }, lane));
  if (failed) throw failed.err;
}

/** One plan page applied against the target, a few objects at a time. */
class Applier {
  constructor(
    private readonly store: IdentityStore,
    private readonly t: PushTarget,
    private readonly source: string,
    private readonly kind: PushKind,
    private readonly runId: string,
    private readonly counts: PushApplyCounts,
    private readonly log: (target: string, runId: string | null, level: 'info' | 'warn' | 'error', message: string) => Promise<void>,
  ) {}

  private get cls(): string {
    return this.t.classes[this.kind]!;
  }

  /** Push state of the page's objects, read once by `load`; every write below keeps it current
   *  (one push per target runs at a time, so nothing else writes these rows meanwhile). */
  private readonly known = new Map<string, PushStateRecord | undefined>();

  /** One query for every object the page names, instead of one per object. */
  async load(plan: PushPlan): Promise<void> {
    const ids = [...new Set([...plan.creates, ...plan.updates, ...plan.enables, ...plan.disables, ...plan.deletes].map((p) => p.sourceId).concat(plan.members.map((m) => m.groupId)))];
    for (const id of ids) this.known.set(id, undefined);
    for (const st of await this.store.getPushStates(this.t.def.name, this.source, this.kind, ids)) this.known.set(st.sourceId, st);
  }

  private async state(sourceId: string): Promise<PushStateRecord | undefined> {
    if (this.known.has(sourceId)) return this.known.get(sourceId);
    return (await this.store.getPushStates(this.t.def.name, this.source, this.kind, [sourceId]))[0];
  }

  private async save(sourceId: string, s: Pick<PushStateRecord, 'targetId' | 'attributes' | 'enabled' | 'members'>): Promise<void> {
    const record: PushStateRecord = {
      target: this.t.def.name, source: this.source, kind: this.kind, sourceId, ...s,
      hash: contentHash(stableStringify({ attributes: s.attributes, enabled: s.enabled, members: s.members ?? null })),
    };
    await this.store.savePushStates([record]);
    this.known.set(sourceId, record);
  }

  /** A per-object refusal quarantines the object; what a retry may fix (the connection, a 429,
   *  credentials, configuration) fails the batch, which is retried and skips what is done. */
  private async attempt(sourceId: string, what: string, fn: () => Promise<void>): Promise<boolean> {
    heartbeat();
    try {
      await fn();
      await this.store.clearQuarantine(this.t.def.name, this.source, this.kind, [sourceId]);
      return true;
    } catch (err) {
      if (err instanceof ConnectorError && (err.retryable || err.kind === 'auth' || err.kind === 'config')) throw err;
      const message = err instanceof Error ? err.message : String(err);
      this.counts.quarantined++;
      await this.store.quarantine([{ target: this.t.def.name, source: this.source, kind: this.kind, sourceId, error: `${what}: ${message}` }]);
      await this.log(this.t.def.name, this.runId, 'error', `quarantined ${this.source} ${this.kind} ${sourceId} (${what}): ${message}`);
      return false;
    }
  }

  async objects(plan: PushPlan, allowRemovals: boolean): Promise<void> {
    const c = this.t.connector;
    await eachLimited(plan.creates, async (p) => {
      if (await this.state(p.sourceId)) return;
      await this.attempt(p.sourceId, 'create', async () => {
        const out = await requireOp(c, 'create', `create ${this.cls}`)(this.cls, { attributes: createAttributes(p.attributes), key: `${this.source}:${p.sourceId}`, enabled: true });
        await this.save(p.sourceId, { targetId: out.targetId, attributes: p.attributes, enabled: true, members: this.kind === 'group' ? [] : null });
        if (out.action === 'adopted') this.counts.adopted++;
        else this.counts.created++;
      });
    });
    await eachLimited(plan.updates, async (p) => {
      const s = await this.state(p.sourceId);
      if (!s || stableStringify(pick(s.attributes, p.changes.map((ch) => ch.attribute))) === stableStringify(pick(p.attributes, p.changes.map((ch) => ch.attribute)))) return;
      await this.attempt(p.sourceId, 'update', async () => {
        await requireOp(c, 'updateDelta', `update ${this.cls}`)(this.cls, s.targetId, toAttributeDelta(p.changes));
        await this.save(p.sourceId, { ...s, attributes: { ...s.attributes, ...pick(p.attributes, p.changes.map((ch) => ch.attribute)) } });
        this.counts.updated++;
      });
    });
    await eachLimited(plan.enables, (p) => this.setEnabled(p.sourceId, true));
    await eachLimited(plan.disables, async (p) => {
      if (!allowRemovals) this.counts.removalsWithheld++;
      else await this.setEnabled(p.sourceId, false);
    });
    await eachLimited(plan.deletes, async (p) => {
      if (!allowRemovals) {
        this.counts.removalsWithheld++;
        return;
      }
      const s = await this.state(p.sourceId);
      if (!s) return;
      await this.attempt(p.sourceId, 'delete', async () => {
        await requireOp(c, 'delete', `delete ${this.cls}`)(this.cls, s.targetId);
        await this.store.deletePushStates(this.t.def.name, this.source, this.kind, [p.sourceId]);
        this.known.set(p.sourceId, undefined);
        this.counts.deleted++;
      });
    });
  }

  private async setEnabled(sourceId: string, enabled: boolean): Promise<void> {
    const s = await this.state(sourceId);
    if (!s || s.enabled === enabled) return;
    await this.attempt(sourceId, enabled ? 'enable' : 'disable', async () => {
      await requireOp(this.t.connector, 'setEnabled', `enable or disable ${this.cls}`)(this.cls, s.targetId, enabled);
      await this.save(sourceId, { ...s, enabled });
      this.counts[enabled ? 'enabled' : 'disabled']++;
    });
  }

  /** Children are resolved to target ids now (they may have been created by this push); one not
   *  pushed (failed, quarantined) is left out and added by a later run. */
  async members(plan: PushPlan, allowRemovals: boolean): Promise<void> {
    const linkCls = this.t.memberClass;
    if (!linkCls) return;
    const target = this.t.def.name;
    for (const m of plan.members) {
      const group = await this.state(m.groupId);
      if (!group) continue;
      const had = new Set(group.members ?? []);
      const add = m.add.filter((r) => !had.has(r));
      const remove = allowRemovals ? m.remove.filter((r) => had.has(r)) : [];
      if (!allowRemovals) this.counts.removalsWithheld += m.remove.length;
      if (add.length === 0 && remove.length === 0) continue;
      const resolved = await this.resolve(target, [...add, ...remove]);
      const now = new Set(had);
      await this.attempt(m.groupId, 'members', async () => {
        const failures: string[] = [];
        const send = async (op: 'link' | 'unlink', refs: string[]) => {
          const ids = refs.map((r) => resolved.get(r)).filter((x): x is string => !!x);
          const outcomes = ids.length ? await requireOp(this.t.connector, op, `${op} ${linkCls}`)(linkCls, group.targetId, ids) : [];
          const ok = new Set(outcomes.filter((o) => o.ok).map((o) => o.childId));
          for (const o of outcomes) if (!o.ok) failures.push(`${op} ${o.childId}: ${o.error ?? 'refused'}`);
          for (const r of refs) {
            const id = resolved.get(r);
            if (op === 'link' && id && ok.has(id)) {
              now.add(r);
              this.counts.membersAdded++;
            }
            // A former member no longer pushed (deleted in the target) is not a member any more.
            if (op === 'unlink' && (!id || ok.has(id))) {
              now.delete(r);
              if (id) this.counts.membersRemoved++;
            }
          }
        };
        try {
          await send('link', add);
          await send('unlink', remove);
        } finally {
          await this.save(m.groupId, { ...group, members: [...now].sort() });
        }
        if (failures.length) throw new Error(failures.join('; '));
      });
    }
  }

  private async resolve(target: string, refs: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const kind of ['user', 'group'] as const) {
      const ids = refs.map(parseMemberRef).filter((r) => r.kind === kind).map((r) => r.id);
      for (const s of await this.store.getPushStates(target, this.source, kind, ids)) out.set(memberRef(kind, s.sourceId), s.targetId);
    }
    return out;
  }
}

/** The kind has a push mapping: the target file's, or its class's default. */
function mapped(t: PushTarget, kind: PushKind): boolean {
  const cls = t.classes[kind];
  return !!cls && !!(t.spec.mapping?.[kind] || t.manifest.objectClasses[cls].pushMapping);
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, o[k] ?? null]));
}

/** Connectors not yet on framework v2 have no manifest: they cannot be pushed to (yet). */
function frameworkConnector(c: unknown, def: ConnectorDefinition): Connector {
  if (c && typeof c === 'object' && 'manifest' in c && (c as { manifest?: unknown }).manifest) return c as Connector;
  throw new ConfigError([{ file: `connector ${def.name}`, path: 'type', message: `cannot be a push target: ${def.type} connectors do not declare their write capabilities (no manifest)` }]);
}

/** Asks push/<target> for a run: signal-with-start, so one push per target runs at a time and
 *  requests made during a run become one more run. A retried caller passes a stable id. */
export async function requestPush(
  c: Client,
  a: { source: string; target: string; targetType: string },
  req: { requestId?: string; trigger: PushRequest['trigger'] },
): Promise<{ workflowId: string; requestId: string }> {
  const requestId = req.requestId ?? randomUUID();
  const handle = await c.workflow.signalWithStart(pushWorkflow, {
    workflowId: pushWorkflowId(a.target),
    taskQueue: process.env.TIGER_TASK_QUEUE ?? 'tiger-sync',
    args: [{ source: a.source, target: a.target } satisfies PushWorkflowInput],
    signal: requestPushSignal,
    signalArgs: [{ requestId, trigger: req.trigger, source: a.source }],
    staticSummary: `${a.targetType} connector ${a.target} · push from ${a.source} · ${req.trigger}`,
    typedSearchAttributes: [
      { key: TigerConnector, value: a.target },
      { key: TigerConnectorType, value: a.targetType },
    ],
  });
  return { workflowId: handle.workflowId, requestId };
}

export const pushWorkflowId = (target: string): string => `push/${target}`;

export type PushActivities = ReturnType<typeof createPushActivities>;
