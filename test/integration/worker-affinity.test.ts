// Worker affinity (issue 6): a batch whose cursor points at a scan held in one worker's memory
// goes next to that worker's own task queue; when that worker is gone, the batch falls back to
// the shared queue with the same cursor and another worker restarts the scan there. Two real
// workers (real activities, real store, real dev server); the source is a paged connector kept
// in this process so the test knows which worker holds which scan.
import { temporal } from '@temporalio/proto';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConnectorCache, type LoadedConnector } from '../../activities/connector-cache';
import { syncWorkflowId, taskQueue } from '../../runtime/ids';
import { refOf, requestSync } from '../../runtime/requests';
import type { ConnectorDefinition } from '../../config/types';
import { checkManifest } from '../../connectors/framework/manifest';
import { CONNECTOR_TYPES } from '../../connectors/registry';
import type { Connector, ReadPageResult, Resource, SourceObject } from '../../connectors/types';
import { createRecordMapper } from '../../pipeline/mapper';
import { loadBundle } from '../../worker/bundle';
import { startWorker, type WorkerHandle } from '../../worker/worker';
import { startHarness, uniqueName, waitSummary, type Harness } from '../support/harness';
import { connectorYaml } from '../support/okta-expect';

const USERS = 60;
const PAGE = 10;
const source: SourceObject[] = Array.from({ length: USERS }, (_, i) => ({
  type: 'object',
  resource: 'users',
  id: `u${String(i).padStart(3, '0')}`,
  raw: { status: 'ACTIVE', profile: { login: `user${i}@example.com`, email: `user${i}@example.com`, firstName: 'U', lastName: String(i) } },
}));

/** A paged source whose scans live in process memory, like an LDAP paged search: a cursor of
 *  another process's scan restarts from the beginning and skips what was delivered. */
class PagedSource implements Connector {
  readonly type = 'okta';
  // Okta's users, read in full only: this source has no change log.
  readonly manifest = checkManifest({
    type: 'okta',
    objectClasses: { users: { ...CONNECTOR_TYPES.okta.manifest.objectClasses.users, delta: 'none', get: false, write: [] } },
    linkClasses: {},
    deltaScope: 'connector',
    affinity: true,
  });
  readonly scans = new Map<string, number>();
  restarts = 0;
  pagesRead = 0;
  constructor(private readonly onPage: (self: PagedSource) => void) {}

  async readPage(_resource: Resource, cursor: string | null): Promise<ReadPageResult> {
    const c = cursor ? (JSON.parse(cursor) as { scan: string; delivered: number }) : null;
    let scan = c?.scan;
    let at = c?.delivered ?? 0;
    if (!scan || !this.scans.has(scan)) {
      if (c) this.restarts++;
      scan = randomUUID();
      this.scans.set(scan, 0);
      at = c?.delivered ?? 0;
    }
    const records = source.slice(at, at + PAGE);
    this.scans.set(scan, at + records.length);
    this.pagesRead++;
    this.onPage(this);
    const done = at + records.length >= source.length;
    return { records, nextCursor: done ? null : JSON.stringify({ scan, delivered: at + records.length }), warnings: [], affinity: !done };
  }

  async close(): Promise<void> {}
}

class FixedCache extends ConnectorCache {
  constructor(h: Harness, private readonly loaded: LoadedConnector) {
    super(h.store);
  }
  override async get(): Promise<LoadedConnector> {
    return this.loaded;
  }
  override async forRun(): Promise<LoadedConnector> {
    return this.loaded;
  }
}

let h: Harness;
const workers: WorkerHandle[] = [];
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.shutdown()));
  await h?.close();
});

it('batches follow their scan to its worker, and fall back to any worker when it is gone', async () => {
  const name = uniqueName('affinity');
  const def: ConnectorDefinition = await h.addConnector(connectorYaml(name));
  const mapper = createRecordMapper(def, CONNECTOR_TYPES.okta.manifest);
  const bundle = await loadBundle();
  // The first worker to read a page is shut down right after it: its next batch has nowhere to go.
  let doomed: PagedSource | undefined;
  const byConnector = new Map<PagedSource, WorkerHandle>();
  const onPage = (self: PagedSource) => {
    if (doomed) return;
    doomed = self;
    void byConnector.get(self)!.shutdown();
  };
  for (let i = 0; i < 2; i++) {
    const connector = new PagedSource(onPage);
    const w = await startWorker({
      target: { address: h.address, namespace: 'default' },
      store: h.store,
      client: async () => h.client,
      workflowBundle: bundle,
      connectors: new FixedCache(h, { def, connector, mapper }),
    });
    byConnector.set(connector, w);
    workers.push(w);
  }

  const req = await requestSync(h.client, refOf(def), 'full', 'cli', { batchRecords: PAGE, affinityStartMillis: 2000 });
  const summary = await waitSummary(h.client, syncWorkflowId(name), req.requestId);
  expect(summary.status).toBe('succeeded');

  // Every user stored once, nothing deleted.
  const exported = await h.store.exportData(name, { includeDeleted: true });
  expect(exported.users.map((u) => u.id).sort()).toEqual(source.map((s) => s.id));
  expect(exported.users.every((u) => !u.deletedAt)).toBe(true);
  expect(summary.counts).toMatchObject({ fetched: USERS, inserted: USERS, deleted: 0 });

  const [survivor] = [...byConnector.keys()].filter((c) => c !== doomed);
  const doomedQueue = byConnector.get(doomed!)!.ownQueue;
  const survivorQueue = byConnector.get(survivor)!.ownQueue;
  expect(doomed!.pagesRead).toBe(1);
  expect(survivor.restarts).toBe(1);
  expect(survivor.pagesRead).toBe(USERS / PAGE - 1);

  // The history: batch 2 went to the doomed worker's queue, timed out unstarted, and was read on
  // the shared queue from the same cursor; later batches followed the survivor's scan.
  const events = (await h.client.workflow.getHandle(syncWorkflowId(name)).fetchHistory()).events ?? [];
  const E = temporal.api.enums.v1.EventType;
  const fetches = events
    .filter((e) => e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === 'fetchBatch')
    .map((e) => e.activityTaskScheduledEventAttributes!.taskQueue!.name);
  expect(fetches[0]).toBe(taskQueue());
  expect(fetches[1]).toBe(doomedQueue);
  expect(fetches[2]).toBe(taskQueue());
  expect(fetches.slice(3)).toEqual(Array(USERS / PAGE - 2).fill(survivorQueue));
  const timedOut = events.filter((e) => e.eventType === E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
  expect(timedOut).toHaveLength(1);
});
