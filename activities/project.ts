// Projection activities: store identities of a source connector written into a directory target.
// Each batch reads one keyset page of the store, writes only identities whose projection hash
// changed, remembers the target object each became, and returns counters (never records).
import { Context } from '@temporalio/activity';
import { ConfigError, type ConnectorDefinition } from '../config/types';
import { projectIdentities, type ProjectionOutcome } from '../connectors/ldap';
import { canWrite, type Connector, type Writes } from '../connectors/types';
import { planProjection, type PlannedItem } from '../pipeline/projection';
import type { IdentityStore } from '../store/types';
import type { ProjectCounts } from '../workflows/project-types';
import { zeroProjectCounts } from '../workflows/project-types';
import type { ConnectorCache } from './connector-cache';
import { asActivity } from './failures';

export interface ProjectDeps {
  store: IdentityStore;
  connectors: ConnectorCache;
}

export interface ProjectBatchInput {
  source: string;
  target: string;
  kind: 'user';
  afterId: string | null;
  limit: number;
  /** Tags the run-log lines of one projection run. */
  runId?: string | null;
}

export function createProjectActivities({ store, connectors }: ProjectDeps) {
  const heartbeat = () => {
    try {
      Context.current().heartbeat();
    } catch {
      // Called outside an activity (a plain test): nothing to heartbeat.
    }
  };

  /** The target must be able to write and say where; both are configuration, never retried. */
  async function loadTarget(source: string, target: string): Promise<{ def: ConnectorDefinition; connector: Connector & Writes; rules: unknown }> {
    if (!(await store.getConnector(source))) {
      throw new ConfigError([{ file: 'store', path: 'source', message: `no source connector named "${source}"` }]);
    }
    const { def, connector } = await connectors.get(target);
    if (!canWrite(connector)) {
      throw new ConfigError([{ file: `connector ${target}`, path: 'type', message: `cannot be a projection target: ${def.type} connectors cannot write (use an active-directory or ldap connector)` }]);
    }
    const rules = def.config.projection;
    if (!rules || typeof rules !== 'object') {
      throw new ConfigError([{ file: `connector ${target}`, path: 'config.projection', message: 'required to project identities into this connector (targetContainer, …)' }]);
    }
    return { def, connector, rules };
  }

  const log = (target: string, runId: string | null | undefined, level: 'info' | 'warn' | 'error', message: string) =>
    store.appendLog({ connector: target, runId: runId ?? null, level, message });

  return {
    async beginProjection(a: { source: string; target: string; runId: string }): Promise<void> {
      return asActivity(a.target, async () => {
        await loadTarget(a.source, a.target);
        await log(a.target, a.runId, 'info', `projection of ${a.source} users into ${a.target} started`);
      });
    },

    async projectBatch(a: ProjectBatchInput): Promise<ProjectCounts & { nextAfterId: string | null }> {
      return asActivity(a.target, async () => {
        const { connector, rules } = await loadTarget(a.source, a.target);
        const page = await store.listObjects(a.source, a.kind, { afterId: a.afterId, limit: a.limit, includeDeleted: true });
        const prior = await store.getProjections(a.target, a.source, a.kind, page.map((o) => o.id));
        const plan = planProjection(page, prior, rules);
        const counts: ProjectCounts = { ...zeroProjectCounts(), read: page.length, unchanged: plan.unchanged, skipped: plan.skipped };

        const timer = setInterval(heartbeat, 5000);
        let outcomes: ProjectionOutcome[];
        try {
          ({ results: outcomes } = await projectIdentities(connector, plan.work.map((w) => w.item), { resource: 'users' }));
          outcomes = await deactivateInactive(connector, plan.work, outcomes);
        } finally {
          clearInterval(timer);
        }

        const saved = [];
        for (const [i, r] of outcomes.entries()) {
          const w = plan.work[i];
          if (!r.ok) {
            counts.failed++;
            await log(a.target, a.runId, 'error', `projecting ${a.source} user ${w.item.id}: ${r.error}`);
            continue;
          }
          counts[r.action ?? 'unchanged']++;
          const targetId = r.targetId ?? w.targetId;
          if (targetId) saved.push({ target: a.target, source: a.source, kind: a.kind, sourceId: w.item.id, targetId, hash: w.hash });
        }
        await store.saveProjections(saved);
        return { ...counts, nextAfterId: page.length < a.limit ? null : page[page.length - 1].id };
      });
    },

    async endProjection(a: { source: string; target: string; runId: string; counts: ProjectCounts; error: string | null }): Promise<void> {
      return asActivity(a.target, async () => {
        const c = a.counts;
        await log(a.target, a.runId, a.error ? 'error' : c.failed ? 'warn' : 'info',
          `projection of ${a.source} into ${a.target} ${a.error ? 'failed' : 'finished'}: read ${c.read}, created ${c.created}, updated ${c.updated}, ` +
            `moved ${c.moved}, deactivated ${c.deactivated}, deleted ${c.deleted}, unchanged ${c.unchanged}, failed ${c.failed}` +
            (a.error ? ` — ${a.error}` : ''));
      });
    },
  };
}

/** An existing account whose identity went inactive is updated (attributes, container) by the
 *  batch write and disabled here; a new inactive one was already created disabled. */
async function deactivateInactive(connector: Connector & Writes, work: PlannedItem[], outcomes: ProjectionOutcome[]): Promise<ProjectionOutcome[]> {
  const out: ProjectionOutcome[] = [];
  for (const [i, r] of outcomes.entries()) {
    const w = work[i];
    if (!r.ok || w.state !== 'inactive' || !w.targetId) {
      out.push(r);
      continue;
    }
    try {
      const d = await connector.deactivate('users', w.targetId);
      out.push(d.action === 'deactivated' ? { ...r, action: 'deactivated' } : r);
    } catch (e) {
      out.push({ id: r.id, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

export type ProjectActivities = ReturnType<typeof createProjectActivities>;
