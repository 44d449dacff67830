// Webhook events name what changed; this re-reads each object from the source by id (event
// payloads are never trusted for data) and applies it like any other staged page. One object the
// source refuses (403) or an id that is not an id of this source is skipped with a run-log line
// naming it; the rest of the batch is applied. Failures a retry can fix (5xx, 429, network) fail
// the batch, so it is retried whole.
import { ConnectorError } from '../connectors/errors';
import { requireOp } from '../connectors/framework/define';
import { can, linkClassesOf, linkKindOf, objectKindOf } from '../connectors/framework/manifest';
import type { ApplyCounts, StagedPage } from '../store/types';
import type { SyncDeps } from './sync';
import { asActivity } from './failures';

/** A per-object error that skipping the object answers: retrying cannot make it readable. */
const skippable = (err: unknown): err is ConnectorError =>
  err instanceof ConnectorError && (err.kind === 'forbidden' || err.kind === 'bad-request');

export function createLiveActivities({ store, connectors }: SyncDeps) {
  return {
    async applyLiveEvents(a: {
      connector: string;
      batchKey: string;
      eventTypes: string[];
      targets: { resource: string; id: string }[];
    }): Promise<ApplyCounts & { fetched: number; skipped: number }> {
      return asActivity(a.connector, async () => {
        const { connector, mapper } = await connectors.get(a.connector);
        const m = connector.manifest;
        const getById = requireOp(connector, 'getById', 're-fetch objects by id');
        const page: StagedPage = { objects: [], links: [], deletions: [], linkSets: [] };
        const warnings: string[] = [];
        let fetched = 0;
        let skipped = 0;
        const unique = new Map(a.targets.map((t) => [`${t.resource}:${t.id}`, t]));
        for (const t of unique.values()) {
          let obj;
          try {
            if (!can(m, t.resource, 'get')) throw new Error(`connector ${a.connector} cannot re-fetch ${t.resource} by id`);
            obj = await getById(t.resource, t.id);
          } catch (err) {
            if (!skippable(err)) throw err;
            skipped++;
            warnings.push(`webhook target ${t.resource} ${JSON.stringify(String(t.id).slice(0, 80))} skipped: ${err.message}`);
            continue;
          }
          fetched++;
          if (!obj) {
            page.deletions.push({ kind: objectKindOf(m, t.resource), id: t.id });
            continue;
          }
          const staged = mapper.toStaged([obj], 'delta');
          page.objects.push(...staged.objects);
          page.deletions.push(...staged.deletions);
          for (const linkResource of linkClassesOf(m, t.resource).filter((l) => can(m, l, 'get'))) {
            try {
              const links = await requireOp(connector, 'getLinks', `re-read ${linkResource}`)(linkResource, t.id);
              fetched += links.length;
              page.linkSets.push({ kind: linkKindOf(m, linkResource), parent: t.id, links: links.map(mapper.toLink) });
            } catch (err) {
              // The object itself is applied; its links stay as stored.
              if (!skippable(err)) throw err;
              warnings.push(`webhook target ${t.resource} ${t.id}: ${linkResource} not re-read: ${err.message}`);
            }
          }
        }
        const runId = a.batchKey;
        const existing = await store.getRun(runId);
        await store.beginRun({ runId, connector: a.connector, mode: 'live', trigger: 'webhook' });
        await store.stagePage(a.batchKey, a.connector, page);
        const counts = await store.applyStagedPage(a.batchKey, a.connector, runId);
        if (!existing || existing.status === 'running') {
          for (const message of warnings) await store.appendLog({ connector: a.connector, runId, level: 'warn', message });
          await store.addRunCounts(runId, { ...counts, fetched });
          await store.finishRun(runId, 'succeeded');
          await store.dropStagedPages(runId);
          const skipText = skipped ? `, skipped ${skipped} (see the warnings)` : '';
          await store.appendLog({
            connector: a.connector,
            runId,
            level: 'info',
            message: `webhook events ${[...new Set(a.eventTypes)].join(', ')}: re-fetched ${unique.size - skipped} of ${unique.size} objects${skipText}; ` +
              `inserted ${counts.inserted}, updated ${counts.updated}, unchanged ${counts.unchanged}, deleted ${counts.deleted}`,
          });
        }
        return { ...counts, fetched, skipped };
      });
    },
  };
}

export type LiveActivities = ReturnType<typeof createLiveActivities>;
