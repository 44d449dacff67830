// Starting and signalling the connector workflows: every path (CLI, schedule, webhook, REST)
// goes through signal-with-start, so there is one sync/<connector> at a time and requests made
// while it runs are coalesced into one more run after it.
import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { ConnectorDefinition } from '../config/types';
import { TigerConnector, TigerConnectorType } from '../workflows/search-attributes';
import type { LiveEvent, SyncMode, SyncOptions, Trigger } from '../workflows/types';
import { liveWorkflowId, syncWorkflowId, taskQueue } from './ids';

export interface ConnectorRef {
  name: string;
  type: string;
  retryPolicy: ConnectorDefinition['retryPolicy'];
}

export const refOf = (def: ConnectorDefinition): ConnectorRef => ({ name: def.name, type: def.type, retryPolicy: def.retryPolicy });

export async function requestSync(
  client: Client,
  ref: ConnectorRef,
  mode: SyncMode,
  trigger: Trigger,
  options?: SyncOptions,
): Promise<{ workflowId: string; requestId: string; runId: string }> {
  const requestId = randomUUID();
  const handle = await client.workflow.signalWithStart('syncWorkflow', {
    workflowId: syncWorkflowId(ref.name),
    taskQueue: taskQueue(),
    args: [{ connector: ref.name, connectorType: ref.type, retry: ref.retryPolicy, options }],
    signal: 'requestSync',
    signalArgs: [{ requestId, mode, trigger }],
    typedSearchAttributes: [
      { key: TigerConnector, value: ref.name },
      { key: TigerConnectorType, value: ref.type },
    ],
  });
  return { workflowId: handle.workflowId, requestId, runId: handle.signaledRunId };
}

export async function sendLiveEvents(client: Client, ref: ConnectorRef, events: LiveEvent[]): Promise<void> {
  await client.workflow.signalWithStart('liveWorkflow', {
    workflowId: liveWorkflowId(ref.name),
    taskQueue: taskQueue(),
    args: [{ connector: ref.name, connectorType: ref.type, retry: ref.retryPolicy }],
    signal: 'events',
    signalArgs: [events],
    typedSearchAttributes: [
      { key: TigerConnector, value: ref.name },
      { key: TigerConnectorType, value: ref.type },
    ],
  });
}

