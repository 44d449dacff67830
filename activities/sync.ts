// The sync activities: thin and idempotent. Each builds what it needs from the injected store and
// connector cache; records travel source → store through staged pages (claim checks), never
// through workflow history.
import { canReadChanges, canReadPages, type Resource } from '../connectors/types';
import { exceedsThreshold, reconcilableKinds } from '../pipeline/deletion-guard';
import { readBatch, readChangesBatch } from '../pipeline/read-batch';
import type { ApplyCounts, IdentityStore } from '../store/types';
import type { Counts, SyncMode } from '../workflows/types';
import type { ConnectorCache } from './connector-cache';
import { asActivity } from './failures';
import { heartbeat, keepAlive } from './heartbeat';

export const DELTA_WATERMARK = 'delta';

export interface SyncDeps {
  store: IdentityStore;
  connectors: ConnectorCache;
}

export function createSyncActivities({ store, connectors }: SyncDeps) {
  const log = (connector: string, runId: string | null, level: 'info' | 'warn' | 'error', message: string) =>
    store.appendLog({ connector, runId, level, message });

  return {
    async beginRun(a: { connector: string; runId: string; mode: SyncMode; trigger: string }): Promise<{
      mode: SyncMode;
      resources: Resource[];
      watermark: string | null;
    }> {
      return asActivity(a.connector, async () => {
        const { def, connector } = await connectors.get(a.connector);
        if (!canReadPages(connector)) throw new Error(`connector ${a.connector} (${def.type}) cannot be read`);
        const resources = def.sync.resources.filter((r) => connector.resources.includes(r));
        let mode = a.mode;
        let watermark: string | null = null;
        let why = '';
        if (mode === 'delta') {
          watermark = canReadChanges(connector) ? await store.getWatermark(a.connector, DELTA_WATERMARK) : null;
          if (!canReadChanges(connector)) why = ` (a ${def.type} connector has no delta reads)`;
          else if (!watermark) why = ' (no watermark yet: the first run is a full one)';
          if (!watermark) mode = 'full';
        }
        if (mode === 'full' && canReadChanges(connector)) watermark = await connector.currentWatermark();
        const existing = await store.getRun(a.runId);
        await store.beginRun({ runId: a.runId, connector: a.connector, mode, trigger: a.trigger });
        if (!existing) {
          await log(a.connector, a.runId, 'info', `${mode} run started by ${a.trigger}${why}: ${resources.join(', ')}`);
        }
        return { mode, resources, watermark };
      });
    },

    async fetchBatch(a: {
      connector: string;
      runId: string;
      resource: Resource;
      cursor: string | null;
      stageKey: string;
      maxRecords: number;
      maxMillis: number;
    }): Promise<{ count: number; nextCursor: string | null; incomplete: boolean }> {
      return asActivity(a.connector, async () => {
        const { connector, mapper } = await connectors.get(a.connector);
        if (!canReadPages(connector)) throw new Error(`connector ${a.connector} cannot be read`);
        const batch = await keepAlive(() => readBatch(connector, mapper, a.resource, a.cursor, a, (_c, n) => heartbeat(n)));
        await store.stagePage(a.stageKey, a.connector, batch.page);
        for (const w of batch.warnings) await log(a.connector, a.runId, 'warn', `${w.resource}: ${w.message}`);
        return { count: batch.count, nextCursor: batch.nextCursor, incomplete: batch.warnings.some((w) => w.incomplete) };
      });
    },

    async fetchChanges(a: {
      connector: string;
      runId: string;
      watermark: string;
      cursor: string | null;
      stageKey: string;
      resources: Resource[];
      maxRecords: number;
      maxMillis: number;
    }): Promise<{ count: number; nextCursor: string | null; watermark: string; fullSyncRequired?: string }> {
      return asActivity(a.connector, async () => {
        const { connector, mapper } = await connectors.get(a.connector);
        if (!canReadChanges(connector)) throw new Error(`connector ${a.connector} has no delta reads`);
        const batch = await keepAlive(() =>
          readChangesBatch(connector, mapper, a.resources, a.watermark, a.cursor, { maxRecords: a.maxRecords, maxMillis: a.maxMillis }, (_c, n) => heartbeat(n)),
        );
        if (batch.fullSyncRequired) {
          await log(a.connector, a.runId, 'warn', `delta not possible, running a full sync instead: ${batch.fullSyncRequired}`);
          return { count: 0, nextCursor: null, watermark: batch.watermark, fullSyncRequired: batch.fullSyncRequired };
        }
        await store.stagePage(a.stageKey, a.connector, batch.page);
        for (const w of batch.warnings) await log(a.connector, a.runId, 'warn', `${w.resource}: ${w.message}`);
        return { count: batch.count, nextCursor: batch.nextCursor, watermark: batch.watermark };
      });
    },

    async applyBatch(a: { connector: string; runId: string; stageKey: string }): Promise<ApplyCounts> {
      return asActivity(a.connector, () => keepAlive(() => store.applyStagedPage(a.stageKey, a.connector, a.runId)));
    },

    async detectDeletions(a: {
      connector: string;
      runId: string;
      resources: Resource[];
      incomplete: Resource[];
      approved: boolean;
    }): Promise<{ held: boolean; deleted: number }> {
      return asActivity(a.connector, async () => {
        const { def } = await connectors.get(a.connector);
        const decision = reconcilableKinds(a.resources, a.incomplete);
        for (const s of decision.skipped) {
          await log(a.connector, a.runId, 'warn', `no ${s.kind} deletions in this run: ${s.reason}`);
        }
        if (decision.kinds.length === 0) return { held: false, deleted: 0 };
        const candidates = await store.countUnseen(a.connector, a.runId, decision.kinds);
        const over = exceedsThreshold(candidates, def.deletionThreshold);
        if (over.length > 0 && !a.approved) {
          const what = over.map((c) => `${c.unseen} of ${c.total} ${c.kind}s`).join(', ');
          await log(a.connector, a.runId, 'warn',
            `holding deletions: this run would delete ${what} (above the ${def.deletionThreshold * 100}% threshold). ` +
              `Approve with: tiger connector approve-deletions ${a.connector} (or --reject)`);
          return { held: true, deleted: 0 };
        }
        const deleted = await store.deleteUnseen(a.connector, a.runId, decision.kinds);
        if (deleted > 0) await log(a.connector, a.runId, 'info', `soft-deleted ${deleted} objects and links not seen in this full run`);
        return { held: false, deleted };
      });
    },

    async checkpointWatermark(a: { connector: string; runId: string; value: string }): Promise<void> {
      return asActivity(a.connector, () => store.setWatermark(a.connector, DELTA_WATERMARK, a.value));
    },

    async endRun(a: { connector: string; runId: string; status: 'succeeded' | 'failed' | 'held'; error: string | null; counts: Counts }): Promise<void> {
      return asActivity(a.connector, async () => {
        const run = await store.getRun(a.runId);
        if (run && run.status !== 'running') return; // a retry after the run was closed
        await store.addRunCounts(a.runId, a.counts);
        await store.finishRun(a.runId, a.status, a.error);
        await store.dropStagedPages(a.runId);
        const c = a.counts;
        await log(a.connector, a.runId, a.status === 'failed' ? 'error' : 'info',
          `run ${a.status}: fetched ${c.fetched}, inserted ${c.inserted}, updated ${c.updated}, unchanged ${c.unchanged}, deleted ${c.deleted}` +
            (a.error ? ` — ${a.error}` : ''));
      });
    },
  };
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;
