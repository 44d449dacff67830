// Projection activities: store identities of a source connector written into a directory target.
// Each batch reads one keyset page of the store, writes only identities whose projection hash
// changed, remembers the target object each became, and returns counters (never records).
import { ConfigError, type ConnectorDefinition } from '../config/types';
import { can } from '../connectors/framework/manifest';
import { requireOp, type Connector } from '../connectors/framework/define';
import type { WriteAction } from '../connectors/framework/spi';
import { projectIdentities, type ProjectionOutcome } from './project-writes';
import { planMembers, planProjection, projectionHash, stateOf, type MemberPlan, type PlannedItem } from '../pipeline/projection';
import type { IdentityStore, ProjectionRecord } from '../store/types';
import type { ProjectCounts } from '../workflows/project-types';
import { zeroProjectCounts } from '../workflows/project-types';
import type { ConnectorCache } from './connector-cache';
import { asActivity } from './failures';
import { keepAlive } from './heartbeat';

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

/** Which projection counter a write outcome adds to. */
const COUNTED: Record<WriteAction, keyof ProjectCounts> = {
  created: 'created', adopted: 'created', updated: 'updated', moved: 'moved', unchanged: 'unchanged', enabled: 'activated', disabled: 'deactivated', deleted: 'deleted',
};

export function createProjectActivities({ store, connectors }: ProjectDeps) {
  /** The target must be able to write and say where; both are configuration, never retried. */
  async function loadTarget(source: string, target: string): Promise<{ def: ConnectorDefinition; connector: Connector; rules: unknown }> {
    if (!(await store.getConnector(source))) {
      throw new ConfigError([{ file: 'store', path: 'source', message: `no source connector named "${source}"` }]);
    }
    const { def, connector } = await connectors.get(target);
    const m = connector.manifest;
    if (!can(m, 'users', 'create') || !can(m, 'users', 'update') || !can(m, 'groups', 'create') || !can(m, 'memberships', 'link')) {
      throw new ConfigError([{ file: `connector ${target}`, path: 'type', message: `cannot be a projection target: ${def.type} connectors cannot create and update users and groups and link members (use an active-directory or ldap connector, or push)` }]);
    }
    const rules = def.config.projection;
    if (!rules || typeof rules !== 'object') {
      throw new ConfigError([{ file: `connector ${target}`, path: 'config.projection', message: `cannot be a projection target without config.projection (a directory's containers and naming: targetContainer, …); to provision a ${def.type} connector use: tiger connector push ${source} --to ${target}` }]);
    }
    return { def, connector, rules };
  }

  /** A group's members as target ids, from the store's links and the projections of its children. */
  async function memberPlan(source: string, target: string, groupId: string): Promise<MemberPlan> {
    const links = await store.listLinks(source, 'membership', groupId, { includeDeleted: true });
    const ids = (kind: 'user' | 'group') => links.filter((l) => l.childKind === kind).map((l) => l.child);
    const projected = [...(await store.getProjections(target, source, 'user', ids('user'))), ...(await store.getProjections(target, source, 'group', ids('group')))];
    return planMembers(links, projected);
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

        const outcomes = await keepAlive(async () => {
          const { results } = await projectIdentities(connector, plan.work.map((w) => w.item), 'users');
          return applyState(connector, plan.work, results);
        });

        const saved = [];
        for (const [i, r] of outcomes.entries()) {
          const w = plan.work[i];
          if (!r.ok) {
            counts.failed++;
            await log(a.target, a.runId, 'error', `projecting ${a.source} user ${w.item.id}: ${r.error}`);
            continue;
          }
          counts[COUNTED[r.action ?? 'unchanged']]++;
          const targetId = r.targetId ?? w.targetId;
          if (targetId) saved.push({ target: a.target, source: a.source, kind: a.kind, sourceId: w.item.id, targetId, hash: w.hash });
        }
        await store.saveProjections(saved);
        return { ...counts, nextAfterId: page.length < a.limit ? null : page[page.length - 1].id };
      });
    },

    /** One keyset page of the source's groups: each is written, then its members reconciled.
     *  Runs after the user phase, so members are found among the projected users. */
    async projectGroupBatch(a: Omit<ProjectBatchInput, 'kind'>): Promise<ProjectCounts & { nextAfterId: string | null }> {
      return asActivity(a.target, async () => {
        const { connector, rules } = await loadTarget(a.source, a.target);
        const page = await store.listObjects(a.source, 'group', { afterId: a.afterId, limit: a.limit, includeDeleted: true });
        const prior = new Map((await store.getProjections(a.target, a.source, 'group', page.map((g) => g.id))).map((p) => [p.sourceId, p]));
        const counts: ProjectCounts = { ...zeroProjectCounts(), groupsRead: page.length };
        const saved: Omit<ProjectionRecord, 'updatedAt'>[] = [];
        await keepAlive(async () => {
          for (const g of page) {
            const before = prior.get(g.id);
            const state = stateOf(g);
            const members = state === 'deleted' ? { members: [], remove: [] } : await memberPlan(a.source, a.target, g.id);
            const hash = projectionHash(g, { rules, members });
            if (before?.hash === hash || (state === 'deleted' && !before)) {
              counts.groupsUnchanged++;
              continue;
            }
            const item = { id: g.id, targetId: before?.targetId ?? null, attributes: g.attributes, deleted: state === 'deleted' };
            const [r] = (await projectIdentities(connector, [item], 'groups')).results;
            try {
              if (!r.ok || !r.targetId) throw new Error(r.error ?? 'the directory returned no id');
              if (r.action !== 'unchanged') counts.groupsWritten++;
              // Both are idempotent in the writer: a member already there (or already gone) is done.
              for (const [op, ids] of [['link', members.members], ['unlink', members.remove]] as const) {
                if (!ids.length) continue;
                const failed = (await requireOp(connector, op, `${op} members`)('memberships', r.targetId, ids)).filter((o) => !o.ok);
                if (failed.length) throw new Error(`${op} of ${failed.length} member(s) failed: ${failed.map((f) => `${f.childId}: ${f.error}`).join('; ')}`);
                if (op === 'link') counts.membersAdded += ids.length;
                else counts.membersRemoved += ids.length;
              }
              saved.push({ target: a.target, source: a.source, kind: 'group', sourceId: g.id, targetId: r.targetId, hash });
            } catch (e) {
              counts.groupsFailed++;
              await log(a.target, a.runId, 'error', `projecting ${a.source} group ${g.id}: ${e instanceof Error ? e.message : String(e)}`);
            }
          }
        });
        await store.saveProjections(saved);
        return { ...counts, nextAfterId: page.length < a.limit ? null : page[page.length - 1].id };
      });
    },

    async endProjection(a: { source: string; target: string; runId: string; counts: ProjectCounts; error: string | null }): Promise<void> {
      return asActivity(a.target, async () => {
        const c = a.counts;
        await log(a.target, a.runId, a.error ? 'error' : c.failed ? 'warn' : 'info',
          `projection of ${a.source} into ${a.target} ${a.error ? 'failed' : 'finished'}: users read ${c.read}, created ${c.created}, updated ${c.updated}, ` +
            `moved ${c.moved}, activated ${c.activated}, deactivated ${c.deactivated}, deleted ${c.deleted}, unchanged ${c.unchanged}, failed ${c.failed}; ` +
            `groups read ${c.groupsRead}, written ${c.groupsWritten}, unchanged ${c.groupsUnchanged}, failed ${c.groupsFailed}; ` +
            `members added ${c.membersAdded}, removed ${c.membersRemoved}` +
            (a.error ? ` — ${a.error}` : ''));
      });
    },
  };
}

/** An existing account is updated (attributes, container) by the batch write, then disabled or
 *  re-enabled here to match its identity; a created one already has the right state. */
async function applyState(connector: Connector, work: PlannedItem[], outcomes: ProjectionOutcome[]): Promise<ProjectionOutcome[]> {
  const out: ProjectionOutcome[] = [];
  const setEnabled = can(connector.manifest, 'users', 'enable') ? requireOp(connector, 'setEnabled', 'enable or disable users') : undefined;
  for (const [i, r] of outcomes.entries()) {
    const w = work[i];
    const targetId = r.targetId ?? w.targetId;
    const enabled = w.state === 'inactive' ? false : w.state === 'active' ? true : undefined;
    if (!r.ok || !setEnabled || enabled === undefined || !targetId || r.action === 'created') {
      out.push(r);
      continue;
    }
    try {
      const d = await setEnabled('users', targetId, enabled);
      out.push(d.action === 'unchanged' ? r : { ...r, action: d.action });
    } catch (e) {
      out.push({ id: r.id, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

export type ProjectActivities = ReturnType<typeof createProjectActivities>;
