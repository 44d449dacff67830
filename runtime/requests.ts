// Starting and signalling the connector workflows: every path (CLI, schedule, webhook, REST)
// goes through signal-with-start, so there is one sync/<connector> at a time and requests made
// while it runs are coalesced into one more run after it.
import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { ConnectorDefinition } from '../config/types';
import { liveEventsSignal, liveWorkflow, requestSyncSignal, syncWorkflow } from '../workflows/definitions';
import { TigerConnector, TigerConnectorType } from '../workflows/search-attributes';
import type { LiveEvent, LiveWorkflowInput, SyncMode, SyncOptions, Trigger } from '../workflows/types';
import { liveWorkflowId, syncWorkflowId, taskQueue } from './ids';

export interface ConnectorRef {
  name: string;
  type: string;
  retryPolicy: ConnectorDefinition['retryPolicy'];
  /** Absent in definitions stored before approvalTimeout existed: the workflow then uses 24h. */
  approvalTimeoutMs?: number;
}

export const refOf = (def: ConnectorDefinition): ConnectorRef => ({
  name: def.name,
  type: def.type,
  retryPolicy: def.retryPolicy,
  approvalTimeoutMs: def.approvalTimeoutMs,
});

export async function requestSync(
  client: Client,
  ref: ConnectorRef,
  mode: SyncMode,
  trigger: Trigger,
  options?: SyncOptions,
  /** A caller that may repeat itself (a retried activity) passes a stable id: the workflow
   *  drops a request id it has seen, so a retry never queues a second run. */
  requestId: string = randomUUID(),
): Promise<{ workflowId: string; requestId: string; runId: string }> {
  const handle = await client.workflow.signalWithStart(syncWorkflow, {
    workflowId: syncWorkflowId(ref.name),
    taskQueue: taskQueue(),
    args: [{ connector: ref.name, connectorType: ref.type, retry: ref.retryPolicy, approvalTimeoutMs: ref.approvalTimeoutMs, options }],
    signal: requestSyncSignal,
    signalArgs: [{ requestId, mode, trigger }],
    // Shown by the UI for the execution this request starts (a running one keeps its own).
    staticSummary: `${ref.type} connector ${ref.name} · ${mode} sync · ${trigger}`,
    staticDetails: `Started by a ${mode} request (trigger: ${trigger}). Requests made while it runs are coalesced into the next run; the current details show the run in progress.`,
    typedSearchAttributes: [
      { key: TigerConnector, value: ref.name },
      { key: TigerConnectorType, value: ref.type },
    ],
  });
  return { workflowId: handle.workflowId, requestId, runId: handle.signaledRunId };
}

export async function sendLiveEvents(
  client: Client,
  ref: ConnectorRef,
  events: LiveEvent[],
  options?: LiveWorkflowInput['options'],
): Promise<void> {
  await client.workflow.signalWithStart(liveWorkflow, {
    workflowId: liveWorkflowId(ref.name),
    taskQueue: taskQueue(),
    args: [{ connector: ref.name, connectorType: ref.type, retry: ref.retryPolicy, options }],
    signal: liveEventsSignal,
    signalArgs: [events],
    staticSummary: `${ref.type} connector ${ref.name} · webhook events`,
    typedSearchAttributes: [
      { key: TigerConnector, value: ref.name },
      { key: TigerConnectorType, value: ref.type },
    ],
  });
}

