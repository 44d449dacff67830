// A delta that cannot continue from its watermark becomes a full run. The store must record it as
// the full run it was: `sync.fullInterval` decides from the last successful full run, and a run
// recorded as delta would make the next scheduled run a full one again for nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { lastFullRun } from '../../runtime/full-runs';
import { startHarness, uniqueName, type Harness } from '../support/harness';
import { connectorYaml } from '../support/okta-expect';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ emulator: { users: 40, groups: 4, apps: 1, seed: 11 } });
  await h.startWorker();
});
afterAll(async () => h?.close());

it('a delta that fell back to a full read is stored as a full run, and counts as the last full run', async () => {
  const name = uniqueName('fallback');
  await h.addConnector(connectorYaml(name));
  const first = await h.sync(name, 'full');
  expect(first.status).toBe('succeeded');

  // A watermark older than the System Log keeps (Okta: 180 days): only a full read is whole.
  const stale = new Date(Date.now() - 200 * 86_400_000).toISOString();
  const wm = JSON.parse((await h.store.getWatermark(name, 'delta'))!) as Record<string, unknown>;
  await h.store.setWatermark(name, 'delta', JSON.stringify({ ...wm, since: stale, next: null }));

  const second = await h.sync(name, 'delta');
  expect(second.status).toBe('succeeded');
  expect(second.mode).toBe('full');
  const [latest] = await h.store.listRuns(name, 1);
  expect(latest.runId).toBe(second.runId);
  expect(latest.mode).toBe('full');
  expect((await lastFullRun(h.store, name))?.runId).toBe(second.runId);
});
