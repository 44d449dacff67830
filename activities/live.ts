// Webhook events name what changed; this re-reads each object from the source by id (event
// payloads are never trusted for data) and applies it like any other staged page.
import { canReadById, type ObjectResource } from '../connectors/types';
import { LINK_KIND, OBJECT_KIND } from '../pipeline/kinds';
import type { ApplyCounts, StagedPage } from '../store/types';
import type { SyncDeps } from './sync';
import { asActivity } from './failures';

export function createLiveActivities({ store, connectors }: SyncDeps) {
  return {
    async applyLiveEvents(a: {
      connector: string;
      batchKey: string;
      eventTypes: string[];
      targets: { resource: ObjectResource; id: string }[];
    }): Promise<ApplyCounts & { fetched: number }> {
      return asActivity(a.connector, async () => {
        const { connector, mapper } = await connectors.get(a.connector);
        if (!canReadById(connector)) throw new Error(`connector ${a.connector} cannot re-fetch objects by id`);
        const page: StagedPage = { objects: [], links: [], deletions: [], linkSets: [] };
        let fetched = 0;
        const unique = new Map(a.targets.map((t) => [`${t.resource}:${t.id}`, t]));
        for (const t of unique.values()) {
          const obj = await connector.getById(t.resource, t.id);
          fetched++;
          if (!obj) {
            page.deletions.push({ kind: OBJECT_KIND[t.resource], id: t.id });
            continue;
          }
          const staged = mapper.toStaged([obj], 'delta');
          page.objects.push(...staged.objects);
          page.deletions.push(...staged.deletions);
          const linkResource = t.resource === 'groups' ? 'memberships' : t.resource === 'apps' ? 'appUsers' : null;
          if (linkResource && connector.getLinks && connector.resources.includes(linkResource)) {
            const links = await connector.getLinks(linkResource, t.id);
            fetched += links.length;
            page.linkSets.push({ kind: LINK_KIND[linkResource], parent: t.id, links: links.map(mapper.toLink) });
          }
        }
        const runId = a.batchKey;
        const existing = await store.getRun(runId);
        await store.beginRun({ runId, connector: a.connector, mode: 'live', trigger: 'webhook' });
        await store.stagePage(a.batchKey, a.connector, page);
        const counts = await store.applyStagedPage(a.batchKey, a.connector, runId);
        if (!existing || existing.status === 'running') {
          await store.addRunCounts(runId, { ...counts, fetched });
          await store.finishRun(runId, 'succeeded');
          await store.dropStagedPages(runId);
          await store.appendLog({
            connector: a.connector,
            runId,
            level: 'info',
            message: `webhook events ${[...new Set(a.eventTypes)].join(', ')}: re-fetched ${unique.size} objects; ` +
              `inserted ${counts.inserted}, updated ${counts.updated}, unchanged ${counts.unchanged}, deleted ${counts.deleted}`,
          });
        }
        return { ...counts, fetched };
      });
    },
  };
}

export type LiveActivities = ReturnType<typeof createLiveActivities>;
