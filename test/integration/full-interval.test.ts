// sync.fullInterval: the schedule trigger's activity asks sync/<name> for a full run when the last
// successful full run is older than the interval (or there is none), and for a delta otherwise —
// decided from the runs in a real store (SQLite and PostgreSQL) and checked in the signal the
// workflow received. `tiger connector status` says when the next full run is.
import { defaultPayloadConverter } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestActivities } from '../../activities/request';
import { scheduleId, syncWorkflowId } from '../../runtime/ids';
import { deleteSchedule, upsertSchedule } from '../../client/schedules';
import { parseConnectorText } from '../../config/load';
import type { ConnectorDefinition } from '../../config/types';
import { typeSchemas } from '../../connectors/registry';
import { PostgresStore } from '../../store/postgres';
import type { IdentityStore, RunMode, RunStatus } from '../../store/types';
import { scheduledSyncWorkflow } from '../../workflows/definitions';
import type { SyncRequest } from '../../workflows/types';
import { startHarness, uniqueName, type Harness } from '../support/harness';
import { runTiger } from '../support/tiger-cli';
import { connectorYaml } from '../support/okta-expect';

const HOUR = 3600_000;
const pgUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const pgSchema = `tiger_full_interval_${process.pid}_${Date.now()}`;

let h: Harness;
let pg: PostgresStore;
const started: string[] = [];

beforeAll(async () => {
  // No worker: the requested runs stay queued, so the store holds only the runs written here.
  h = await startHarness();
  pg = new PostgresStore(pgUrl, { schema: pgSchema });
  await pg.migrate();
});
afterAll(async () => {
  for (const id of started) await h.client.workflow.getHandle(id).terminate('test over').catch(() => undefined);
  await pg?.close();
  const c = new PgClient({ connectionString: pgUrl });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
  await c.end();
  await h?.close();
});

/** Sets a run's start in the past: the store's interface only ever writes "now". */
async function backdate(store: IdentityStore, runId: string, hoursAgo: number): Promise<void> {
  const at = new Date(Date.now() - hoursAgo * HOUR).toISOString();
  if (store.engine === 'sqlite') {
    const db = new Database(join(process.env.TIGER_HOME!, 'tiger.db'));
    db.prepare('UPDATE runs SET started_at = ? WHERE run_id = ?').run(at, runId);
    db.close();
  } else {
    const c = new PgClient({ connectionString: pgUrl });
    await c.connect();
    await c.query(`UPDATE ${pgSchema}.runs SET started_at = $1 WHERE run_id = $2`, [at, runId]);
    await c.end();
  }
}

async function addRun(store: IdentityStore, connector: string, mode: RunMode, status: RunStatus, hoursAgo: number): Promise<string> {
  const runId = randomUUID();
  await store.beginRun({ runId, connector, mode, trigger: 'cli' });
  if (status !== 'running') await store.finishRun(runId, status, status === 'failed' ? 'boom' : null);
  await backdate(store, runId, hoursAgo);
  return runId;
}

async function addConnector(store: IdentityStore, name: string, fullInterval?: string, strip?: (def: ConnectorDefinition) => void) {
  const yaml = connectorYaml(name).replace('interval: 15m', `interval: 15m${fullInterval ? `\n    fullInterval: ${fullInterval}` : ''}`);
  const def = parseConnectorText(yaml, 'test.yaml', typeSchemas());
  strip?.(def);
  await store.saveConnector({ name: def.name, type: def.type, enabled: def.enabled, definition: def });
  return def;
}

/** What the trigger asked for, as the sync workflow received it (its signal in history). */
async function trigger(store: IdentityStore, connector: string): Promise<SyncRequest['mode']> {
  const acts = createRequestActivities({ store, client: async () => h.client });
  // A fresh activity context per call: each stands for one scheduled firing (its own run id).
  const firing = new MockActivityEnvironment({ workflowExecution: { workflowId: `schedule-trigger/${connector}`, runId: randomUUID() } });
  const answer: string = await firing.run(acts.requestSync, { connector, mode: 'delta' as const, trigger: 'schedule' as const });
  const requestId = answer.split(' ').pop();
  started.push(syncWorkflowId(connector));
  const history = await h.client.workflow.getHandle(syncWorkflowId(connector)).fetchHistory();
  const signals = (history.events ?? [])
    .map((e) => e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0])
    .filter((p) => p != null)
    .map((p) => defaultPayloadConverter.fromPayload<SyncRequest>(p));
  const req = signals.find((s) => s.requestId === requestId);
  expect(req, `signal for request ${requestId}`).toBeDefined();
  expect(req!.trigger).toBe('schedule');
  return req!.mode;
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`scheduled trigger picks full or delta (${engine} store)`, () => {
    const store = () => (engine === 'sqlite' ? h.store : pg);

    it('asks for a full run when there has never been a successful one', async () => {
      const name = uniqueName('fi-never');
      await addConnector(store(), name);
      await addRun(store(), name, 'delta', 'succeeded', 1);
      await addRun(store(), name, 'full', 'failed', 2);
      expect(await trigger(store(), name)).toBe('full');
    });

    it('asks for a delta while the last successful full run is within fullInterval, however many runs came after it', async () => {
      const name = uniqueName('fi-recent');
      await addConnector(store(), name, '12h');
      await addRun(store(), name, 'full', 'succeeded', 11);
      for (let i = 0; i < 30; i++) await addRun(store(), name, 'live', 'succeeded', 10);
      await addRun(store(), name, 'full', 'failed', 9);
      await addRun(store(), name, 'delta', 'succeeded', 0.5);
      expect(await trigger(store(), name)).toBe('delta');
    });

    it('asks for a full run once the last successful full run is older than fullInterval', async () => {
      const name = uniqueName('fi-old');
      await addConnector(store(), name, '12h');
      await addRun(store(), name, 'full', 'succeeded', 13);
      await addRun(store(), name, 'delta', 'succeeded', 0.5);
      await addRun(store(), name, 'full', 'held', 0.2);
      expect(await trigger(store(), name)).toBe('full');
    });

    it('reads definitions stored before fullInterval existed with the 24h default', async () => {
      const strip = (def: ConnectorDefinition) => {
        const sync = def.sync as Partial<ConnectorDefinition['sync']>;
        delete sync.fullInterval;
        delete sync.fullIntervalMs;
      };
      const fresh = uniqueName('fi-legacy-fresh');
      await addConnector(store(), fresh, undefined, strip);
      await addRun(store(), fresh, 'full', 'succeeded', 23);
      expect(await trigger(store(), fresh)).toBe('delta');
      const stale = uniqueName('fi-legacy-stale');
      await addConnector(store(), stale, undefined, strip);
      await addRun(store(), stale, 'full', 'succeeded', 25);
      expect(await trigger(store(), stale)).toBe('full');
    });
  });
}

describe('tiger connector status shows the next full run', () => {
  const tiger = (args: string[]) => runTiger(h, args, { DATABASE_URL: '' });

  it('is the next scheduled run when no full run succeeded yet, and the first one past fullInterval otherwise', async () => {
    const name = uniqueName('fi-status');
    const def = await addConnector(h.store, name);
    expect(await upsertSchedule(h.client, def)).toBe('created');
    try {
      // Applied again: updated in place, still naming the trigger workflow, with no fixed mode.
      expect(await upsertSchedule(h.client, def)).toBe('updated');
      const action = (await h.client.schedule.getHandle(scheduleId(name)).describe()).action;
      expect(action).toMatchObject({ type: 'startWorkflow', workflowType: scheduledSyncWorkflow.name, args: [{ connector: name }] });

      let json = JSON.parse((await tiger(['connector', 'status', name, '--json'])).stdout);
      expect(json.fullInterval).toBe('24h');
      expect(json.lastFullRun).toBeNull();
      expect(json.schedule.nextFullRun).toBe(json.schedule.nextRuns[0]);
      expect(json.schedule.nextFullIsNextRun).toBe(true);
      let text = (await tiger(['connector', 'status', name])).stdout;
      expect(text).toContain(`next full run: ${json.schedule.nextRuns[0]} (next scheduled run) — full every 24h, no successful full run yet`);

      const runId = await addRun(h.store, name, 'full', 'succeeded', 1);
      const startedAt = Date.parse((await h.store.getRun(runId))!.startedAt);
      json = JSON.parse((await tiger(['connector', 'status', name, '--json'])).stdout);
      const next = Date.parse(json.schedule.nextFullRun);
      // The first 15-minute tick at or after the run's start + 24h.
      expect(next).toBeGreaterThanOrEqual(startedAt + 24 * HOUR);
      expect(next).toBeLessThan(startedAt + 24 * HOUR + def.sync.intervalMs);
      expect((next - Date.parse(json.schedule.nextRuns[0])) % def.sync.intervalMs).toBe(0);
      expect(json.schedule.nextFullIsNextRun).toBe(false);
      expect(json.lastFullRun.runId).toBe(runId);
      text = (await tiger(['connector', 'status', name])).stdout;
      expect(text).toContain(`next full run: ${json.schedule.nextFullRun} — full every 24h, last successful full run ${json.lastFullRun.startedAt}`);
    } finally {
      await deleteSchedule(h.client, name);
    }
  });
});
