// The same activities called in a plain loop, without Temporal: the benchmark's baseline, so the
// ratio it reports is exactly what durable orchestration costs. Like the sync workflow, it reads
// the connector's lanes (independent rate-limit buckets) side by side.
import type { SyncActivities } from '../activities/sync';
import { DEFAULT_BATCH, addCounts, zeroCounts, type Counts, type SyncMode } from '../workflows/types';

export async function runPlainSync(acts: SyncActivities, connector: string, mode: SyncMode, runId: string, batch: { maxRecords: number; maxMillis: number } = { maxRecords: DEFAULT_BATCH.records, maxMillis: DEFAULT_BATCH.millis }): Promise<Counts> {
  const counts = zeroCounts();
  const begun = await acts.beginRun({ connector, runId, mode, trigger: 'bench' });
  const incomplete: typeof begun.resources = [];
  const readLane = async (resources: string[], lane: number) => {
    let seq = 0;
    for (const resource of resources) {
      let cursor: string | null = null;
      do {
        const stageKey = `${runId}/${lane}/${seq++}`;
        const f = await acts.fetchBatch({ connector, runId, resource, cursor, stageKey, ...batch });
        counts.fetched += f.count;
        if (f.incomplete) incomplete.push(resource);
        addCounts(counts, await acts.applyBatch({ connector, runId, stageKey, parts: f.parts }));
        cursor = f.nextCursor;
      } while (cursor);
    }
  };
  await Promise.all((begun.lanes ?? [begun.resources]).map(readLane));
  const d = await acts.detectDeletions({ connector, runId, resources: begun.resources, incomplete, approved: false });
  counts.deleted += d.deleted;
  if (begun.watermark) await acts.checkpointWatermark({ connector, runId, value: begun.watermark });
  await acts.endRun({ connector, runId, status: 'succeeded', error: null, counts });
  return counts;
}
