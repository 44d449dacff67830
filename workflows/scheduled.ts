// What a Temporal Schedule starts every `sync.interval`. It only asks sync/<connector> for a run
// (signal-with-start through an activity), so scheduled, CLI and webhook runs share one workflow
// and never overlap, whatever Schedules do to workflow ids. The activity picks full or delta
// (sync.fullInterval); `mode` is only passed by schedules created before it did.
import { proxyActivities } from '@temporalio/workflow';
import type { RequestActivities } from '../activities/request';
import type { SyncMode } from './types';

const acts = proxyActivities<RequestActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 5 } });

export async function scheduledSyncWorkflow(a: { connector: string; mode?: SyncMode }): Promise<string> {
  return acts.requestSync({ connector: a.connector, mode: a.mode, trigger: 'schedule' });
}
