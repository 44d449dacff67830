// The sync activities: thin and idempotent. Each builds what it needs from the injected store and
// connector cache; records travel source → store through staged pages (claim checks), never
// through workflow history.
import { requireOp, type Connector } from '../connectors/framework/define';
import { can, readLanes } from '../connectors/framework/manifest';
import { connectorType } from '../connectors/registry';
import { deletionHolds, reconcilableKinds } from '../pipeline/deletion-guard';
import { readBatch, readChangesBatch, type StagePart } from '../pipeline/read-batch';
import type { ApplyCounts, IdentityStore } from '../store/types';
import { addCounts, type Counts, type SyncMode } from '../workflows/types';
import type { ConnectorCache } from './connector-cache';
import { asActivity } from './failures';
import { keepAlive, pageHeartbeat } from './heartbeat';

export const DELTA_WATERMARK = 'delta';
const ABANDONED = 'abandoned (workflow terminated or reset)';
const STAGED_PAGES_KEPT_MS = 7 * 24 * 3600_000;

export interface SyncDeps {
  store: IdentityStore;
  connectors: ConnectorCache;
  /** This worker's own task queue: where a batch goes next when its cursor lives in this process. */
  workerQueue?: string;
}

type Resource = string;

/** Deltas need every class of the run to have them; otherwise the run reads in full. */
const hasDeltas = (c: Connector, classes: string[]) => classes.length > 0 && classes.every((cls) => can(c.manifest, cls, 'delta'));

/** The classes of `sync.resources` this connector reads (its manifest, per instance). */
const readable = (def: { sync: { resources: string[] } }, c: Connector) => def.sync.resources.filter((r) => can(c.manifest, r, 'read'));

/** Where part `index` of a batch is staged. */
export const partKey = (stageKey: string, index: number) => `${stageKey}#${index}`;

/** Parts written to the store while the next ones are read. The store takes one write at a time
 *  (SQLite's writer thread may be applying another lane's batch): a lane waits only when this
 *  many of its parts are still queued, which also bounds what it holds in memory. */
const PARTS_IN_FLIGHT = 2;

/** Runs `read` with a part stager for the batch at `a.stageKey`; resolves once every part is
 *  stored. A failed write fails the batch (the retry stages the same keys again). */
async function stagedInParts<T>(
  store: IdentityStore,
  a: { connector: string; runId: string; stageKey: string },
  read: (stage: StagePart) => Promise<T>,
): Promise<T> {
  const writing: Promise<void>[] = [];
  const stage: StagePart = async (part, index) => {
    const w = store.stagePage(partKey(a.stageKey, index), a.connector, part, a.runId);
    // Observed at once: a write that fails while the source is read must not go unhandled.
    w.catch(() => undefined);
    writing.push(w);
    if (writing.length > PARTS_IN_FLIGHT) await writing.shift();
  };
  // Every write settles before the activity ends either way, so none outlives its attempt.
  let result: T;
  try {
    result = await read(stage);
  } catch (err) {
    await Promise.allSettled(writing);
    throw err;
  }
  // A failed write fails a read that succeeded.
  const failed = (await Promise.allSettled(writing)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return result;
}

export function createSyncActivities({ store, connectors, workerQueue }: SyncDeps) {
  const log = (connector: string, runId: string | null, level: 'info' | 'warn' | 'error', message: string) =>
    store.appendLog({ connector, runId, level, message });

  /** One sync run per connector exists at a time, so when one begins, any other still marked
   *  running or held lost its workflow (terminated, reset): close it, and drop its staged pages
   *  (and anyone's older than a week) so they are not kept forever. Idempotent. */
  const dropAbandoned = async (connector: string, runId: string): Promise<void> => {
    for (const old of await store.abandonRuns(connector, runId, ABANDONED)) {
      await log(connector, old, 'warn', `run ${old} closed as failed: ${ABANDONED}`);
    }
    await store.dropStaleStagedPages(connector, runId, new Date(Date.now() - STAGED_PAGES_KEPT_MS).toISOString());
  };

  return {
    async beginRun(a: { connector: string; runId: string; mode: SyncMode; trigger: string }): Promise<{
      mode: SyncMode;
      resources: Resource[];
      watermark: string | null;
      /** Present when the classes read in more than one lane (independent rate-limit buckets). */
      lanes?: Resource[][];
    }> {
      return asActivity(a.connector, () => keepAlive(async () => {
        // A retried beginRun keeps the definition the run pinned the first time.
        const { def, connector } = await connectors.forRun(a.connector, a.runId);
        const resources = readable(def, connector);
        if (resources.length === 0) throw new Error(`connector ${a.connector} (${def.type}) can read none of ${def.sync.resources.join(', ')}`);
        const deltas = hasDeltas(connector, resources);
        let mode = a.mode;
        let watermark: string | null = null;
        let why = '';
        if (mode === 'delta') {
          watermark = deltas ? await store.getWatermark(a.connector, DELTA_WATERMARK) : null;
          if (!deltas) why = ` (${resources.filter((r) => !can(connector.manifest, r, 'delta')).join(', ')} of a ${def.type} connector have no delta reads)`;
          else if (!watermark) why = ' (no watermark yet: the first run is a full one)';
          if (!watermark) mode = 'full';
        }
        if (mode === 'full' && deltas) watermark = await requireOp(connector, 'currentWatermark', 'read changes')(resources);
        const existing = await store.getRun(a.runId);
        await store.beginRun({ runId: a.runId, connector: a.connector, mode, trigger: a.trigger, definition: def });
        await dropAbandoned(a.connector, a.runId);
        if (!existing) {
          await log(a.connector, a.runId, 'info', `${mode} run started by ${a.trigger}${why}: ${resources.join(', ')}`);
          // A class the type reads but this connector's configuration does not serve (a REST
          // connector without that endpoint, a SQL table of the other objectType) is not read: say so.
          const unserved = def.sync.resources.filter((r) => !resources.includes(r) && can(connectorType(def.type).manifest, r, 'read'));
          if (unserved.length) await log(a.connector, a.runId, 'info', `sync.resources names ${unserved.join(', ')}, which this connector's configuration does not serve: not read`);
        }
        const lanes = readLanes(connector.manifest, resources);
        return { mode, resources, watermark, ...(lanes.length > 1 ? { lanes } : {}) };
      }));
    },

    /** Reads one batch of `a.resource` and stages it in parts. `parts` is always set here; the
     *  workflow reads it as optional because results recorded before batches were staged in parts
     *  (histories replayed, runs in flight) have none. */
    async fetchBatch(a: {
      connector: string;
      runId: string;
      resource: Resource;
      cursor: string | null;
      stageKey: string;
      maxRecords: number;
      maxMillis: number;
    }): Promise<{ count: number; kept: number; parts?: number; nextCursor: string | null; incomplete: boolean; affinityQueue?: string; unmapped?: string[] }> {
      return asActivity(a.connector, async () => {
        const { connector, mapper } = await connectors.forRun(a.connector, a.runId);
        const readPage = requireOp(connector, 'readPage', `read ${a.resource}`);
        const progress = pageHeartbeat();
        const batch = await keepAlive(() => stagedInParts(store, a, (stage) => readBatch({ ...connector, readPage }, mapper, a.resource, a.cursor, a, stage, (_c, n) => progress(n))));
        for (const w of batch.warnings) await log(a.connector, a.runId, 'warn', `${w.resource}: ${w.message}`);
        return {
          count: batch.count,
          kept: batch.kept,
          parts: batch.parts,
          nextCursor: batch.nextCursor,
          incomplete: batch.warnings.some((w) => w.incomplete),
          ...(batch.affinity && batch.nextCursor && workerQueue ? { affinityQueue: workerQueue } : {}),
          ...(batch.unmapped ? { unmapped: batch.unmapped } : {}),
        };
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
    }): Promise<{ count: number; parts?: number; nextCursor: string | null; watermark: string; incomplete: Resource[]; fullSyncRequired?: string }> {
      return asActivity(a.connector, async () => {
        const { connector, mapper } = await connectors.forRun(a.connector, a.runId);
        const readChanges = requireOp(connector, 'readChanges', 'read changes');
        const progress = pageHeartbeat();
        const batch = await keepAlive(() => stagedInParts(store, a, (stage) =>
          readChangesBatch({ ...connector, readChanges }, mapper, a.resources, a.watermark, a.cursor, { maxRecords: a.maxRecords, maxMillis: a.maxMillis }, stage, (_c, n) => progress(n)),
        ));
        if (batch.fullSyncRequired) {
          await log(a.connector, a.runId, 'warn', `delta not possible, running a full sync instead: ${batch.fullSyncRequired}`);
          return { count: 0, parts: 0, nextCursor: null, watermark: batch.watermark, incomplete: [], fullSyncRequired: batch.fullSyncRequired };
        }
        for (const w of batch.warnings) await log(a.connector, a.runId, 'warn', `${w.resource}: ${w.message}`);
        const incomplete = [...new Set(batch.warnings.filter((w) => w.incomplete).map((w) => w.resource))];
        return { count: batch.count, parts: batch.parts, nextCursor: batch.nextCursor, watermark: batch.watermark, incomplete };
      });
    },

    /** "Now" in the connector's terms, for a delta run that fell back to a full read: taken by the
     *  framework before that read, whatever watermark the connector returned with its refusal. */
    async takeWatermark(a: { connector: string; runId: string }): Promise<string | null> {
      return asActivity(a.connector, () => keepAlive(async () => {
        const { def, connector } = await connectors.forRun(a.connector, a.runId);
        const resources = readable(def, connector);
        // Only a delta that fell back to a full read asks: from here on it is a full run.
        await store.setRunMode(a.runId, 'full');
        return hasDeltas(connector, resources) ? await requireOp(connector, 'currentWatermark', 'read changes')(resources) : null;
      }));
    },

    /** A run-log line decided by the workflow (holds, approvals, kept watermarks). */
    async logRun(a: { connector: string; runId: string; level: 'info' | 'warn' | 'error'; message: string }): Promise<void> {
      return asActivity(a.connector, () => log(a.connector, a.runId, a.level, a.message));
    },

    /** A full read whose filter kept none of a resource's records: the filter most likely names a
     *  path the source objects do not have, and the run would sweep everything of that kind. */
    async reportFilteredOut(a: { connector: string; runId: string; resource: Resource; read: number }): Promise<void> {
      return asActivity(a.connector, async () => {
        const { def } = await connectors.forRun(a.connector, a.runId);
        const filters = (def.filters as Partial<Record<Resource, string[]>>)[a.resource] ?? [];
        const what = filters.length > 0 ? `the ${a.resource} filter ${filters.map((f) => JSON.stringify(f)).join(' and ')}` : 'the mapping';
        await log(a.connector, a.runId, 'warn',
          `${what} excluded all ${a.read} ${a.resource} read from the source: check that its attribute paths exist in the source objects`);
      });
    },

    /** Applies the batch's parts in order, each in its own transaction (an applied part keeps its
     *  counts, so a retry applies only the rest). `parts` is absent for a batch fetched before
     *  batches were staged in parts: its page is under the stage key itself. */
    async applyBatch(a: { connector: string; runId: string; stageKey: string; parts?: number }): Promise<ApplyCounts> {
      return asActivity(a.connector, () => keepAlive(async () => {
        if (a.parts === undefined) return store.applyStagedPage(a.stageKey, a.connector, a.runId);
        const total: ApplyCounts = { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
        for (let i = 0; i < a.parts; i++) {
          addCounts(total, await store.applyStagedPage(partKey(a.stageKey, i), a.connector, a.runId));
        }
        return total;
      }));
    },

    async detectDeletions(a: {
      connector: string;
      runId: string;
      resources: Resource[];
      incomplete: Resource[];
      approved: boolean;
    }): Promise<{ held: boolean; deleted: number; reason?: string }> {
      // Counting and sweeping a million links can outlast the heartbeat timeout.
      return asActivity(a.connector, () => keepAlive(async () => {
        const { def, connector } = await connectors.forRun(a.connector, a.runId);
        const decision = reconcilableKinds(connector.manifest, a.resources, a.incomplete);
        for (const s of decision.skipped) {
          await log(a.connector, a.runId, 'warn', `no ${s.kind} deletions in this run: ${s.reason}`);
        }
        if (decision.kinds.length === 0) return { held: false, deleted: 0 };
        const candidates = await store.countUnseen(a.connector, a.runId, decision.kinds);
        // Definitions stored before deletionLimit existed lack it.
        const holds = deletionHolds(candidates, { threshold: def.deletionThreshold, limit: def.deletionLimit ?? 500 });
        if (holds.length > 0 && !a.approved) {
          const reason = `it would delete ${holds.map((h) => h.reason).join('; ')}`;
          await log(a.connector, a.runId, 'warn',
            `holding deletions: ${reason}. Approve with: tiger connector approve-deletions ${a.connector} (or --reject)`);
          return { held: true, deleted: 0, reason };
        }
        const deleted = await store.deleteUnseen(a.connector, a.runId, decision.kinds);
        if (deleted > 0) await log(a.connector, a.runId, 'info', `soft-deleted ${deleted} objects and links not seen in this full run`);
        return { held: false, deleted };
      }));
    },

    async checkpointWatermark(a: { connector: string; runId: string; value: string }): Promise<void> {
      return asActivity(a.connector, () => store.setWatermark(a.connector, DELTA_WATERMARK, a.value));
    },

    async endRun(a: { connector: string; runId: string; status: 'succeeded' | 'failed' | 'held' | 'cancelled'; error: string | null; counts: Counts }): Promise<void> {
      return asActivity(a.connector, () => keepAlive(async () => {
        const run = await store.getRun(a.runId);
        if (run && run.status !== 'running') return; // a retry after the run was closed
        await store.addRunCounts(a.runId, a.counts);
        await store.finishRun(a.runId, a.status, a.error);
        await store.dropStagedPages(a.runId);
        const c = a.counts;
        await log(a.connector, a.runId, a.status === 'failed' ? 'error' : 'info',
          `run ${a.status}: fetched ${c.fetched}, inserted ${c.inserted}, updated ${c.updated}, unchanged ${c.unchanged}, deleted ${c.deleted}` +
            (a.error ? ` — ${a.error}` : ''));
      }));
    },
  };
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;
