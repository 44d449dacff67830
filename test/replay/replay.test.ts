// Recorded histories (scripts/record-histories.ts) replayed against today's workflow code: a
// change that would make a running sync, live or trigger workflow fail on its next task — a
// reordered activity, a new timer, a renamed message — fails here. Guard such changes with
// patched() (keeping the old path for running workflows), never by re-recording the fixtures.
import { Runtime, Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadBundle } from '../../worker/bundle';
import { historyFromJson } from './history-json';
import { EMAIL, readableHistory } from './payload-text';

const dir = join(__dirname, 'fixtures');
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ name: f.replace(/\.json$/, ''), text: readFileSync(join(dir, f), 'utf8') }));

it('has a fixture for each recorded scenario', () => {
  expect(fixtures.map((f) => f.name)).toEqual(
    expect.arrayContaining(['sync-full', 'sync-delta', 'sync-continued-as-new-first', 'sync-continued-as-new-last', 'sync-held', 'live', 'schedule-trigger',
      // Recorded after patched('parallel-lanes'): Okta's classes read as lanes side by side.
      'sync-lanes-full', 'sync-lanes-continued-as-new-first', 'sync-lanes-continued-as-new-last', 'sync-lanes-held']),
  );
});

it('replays every recorded history without nondeterminism', async () => {
  Runtime.install({ logger: undefined, shutdownSignals: [] });
  const histories = fixtures.map((f) => ({ workflowId: f.name, history: historyFromJson(JSON.parse(f.text)) }));
  const failures: string[] = [];
  let replayed = 0;
  for await (const r of Worker.runReplayHistories({ workflowBundle: await loadBundle() }, histories)) {
    replayed++;
    if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
  }
  expect(failures).toEqual([]);
  expect(replayed).toBe(fixtures.length);
});

it('reports a history the code would not produce (so a green replay means something)', async () => {
  const live = JSON.parse(fixtures.find((f) => f.name === 'live')!.text) as { events: Record<string, { activityType?: { name: string } }>[] };
  const scheduled = live.events.find((e) => e.activityTaskScheduledEventAttributes)!.activityTaskScheduledEventAttributes;
  scheduled.activityType = { name: 'someOtherActivity' };
  const results = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: await loadBundle() }, [{ workflowId: 'tampered', history: historyFromJson(live) }])) {
    results.push(r);
  }
  expect(results).toHaveLength(1);
  expect(results[0].error?.message).toMatch(/nondetermin/i);
});

it('holds no record data: histories carry counts, cursors and keys only', () => {
  for (const f of fixtures) {
    expect(readableHistory(JSON.parse(f.text)), f.name).not.toMatch(EMAIL);
  }
});
