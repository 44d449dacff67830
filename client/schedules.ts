// One Temporal Schedule per connector, schedule/<name>, every `sync.interval`. Create on an
// existing id throws, so an applied connector updates its schedule instead.
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { ConnectorDefinition } from '../config/types';
import { scheduledSyncWorkflow } from '../workflows/definitions';
import { TigerConnector, TigerConnectorType } from '../workflows/search-attributes';
import { scheduleId, taskQueue } from '../runtime/ids';

export async function upsertSchedule(client: Client, def: ConnectorDefinition): Promise<'created' | 'updated'> {
  const spec = { intervals: [{ every: def.sync.intervalMs }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: scheduledSyncWorkflow,
    workflowId: `schedule-trigger/${def.name}`,
    taskQueue: taskQueue(),
    // No mode: the trigger decides full or delta when it runs (sync.fullInterval).
    args: [{ connector: def.name }] as Parameters<typeof scheduledSyncWorkflow>,
    staticSummary: `${def.type} connector ${def.name} · scheduled trigger (every ${def.sync.interval})`,
    typedSearchAttributes: [
      { key: TigerConnector, value: def.name },
      { key: TigerConnectorType, value: def.type },
    ],
  };
  const note = `tiger-sync: ${def.sync.mode} connector ${def.name}, every ${def.sync.interval}, full every ${def.sync.fullInterval ?? '24h'}`;
  try {
    await client.schedule.create({
      scheduleId: scheduleId(def.name),
      spec,
      action,
      // A sync asked for while one runs is queued once, not dropped (Temporal's default SKIP).
      policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: '1m' },
      state: { paused: !def.enabled, note },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId(def.name)).update((prev) => ({
      ...prev,
      spec,
      action,
      state: { ...prev.state, paused: !def.enabled, note },
    }));
    return 'updated';
  }
}

export async function deleteSchedule(client: Client, name: string): Promise<boolean> {
  try {
    await client.schedule.getHandle(scheduleId(name)).delete();
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return false;
    throw err;
  }
}
