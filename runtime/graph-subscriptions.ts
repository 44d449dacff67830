// Starting graph-subscriptions/<connector>: signal-with-start, so an `apply` of a connector whose
// workflow already runs makes it renew at once (a changed notificationUrl takes effect now).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { ConnectorDefinition } from '../config/types';
import { graphSubscriptionsEnsureSignal, graphSubscriptionsWorkflow } from '../workflows/definitions';
import type { GraphSubscriptionsInput } from '../workflows/graph-subscriptions';
import { TigerConnector, TigerConnectorType } from '../workflows/search-attributes';
import { taskQueue } from './ids';

export const graphSubscriptionsWorkflowId = (connector: string) => `graph-subscriptions/${connector}`;

/** What an apply should do for a connector whose type receives Graph notifications. */
export function graphSubscriptionPlan(def: ConnectorDefinition): 'start' | 'no-url' | 'none' {
  if (!def.enabled || !def.webhooks.enabled) return 'none';
  const url = (def.config as { notificationUrl?: unknown } | undefined)?.notificationUrl;
  return typeof url === 'string' && url.trim() ? 'start' : 'no-url';
}

export async function startGraphSubscriptions(client: Client, def: ConnectorDefinition, options?: GraphSubscriptionsInput['options']): Promise<string> {
  const handle = await client.workflow.signalWithStart(graphSubscriptionsWorkflow, {
    workflowId: graphSubscriptionsWorkflowId(def.name),
    taskQueue: taskQueue(),
    args: [{ connector: def.name, options }],
    signal: graphSubscriptionsEnsureSignal,
    signalArgs: [],
    staticSummary: `${def.type} connector ${def.name} · Graph change-notification subscriptions`,
    typedSearchAttributes: [
      { key: TigerConnector, value: def.name },
      { key: TigerConnectorType, value: def.type },
    ],
  });
  return handle.workflowId;
}

/** A running workflow re-reads the connector now (and ends, when it no longer wants
 *  notifications); false when none runs. */
export async function nudgeGraphSubscriptions(client: Client, connector: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(graphSubscriptionsWorkflowId(connector)).signal(graphSubscriptionsEnsureSignal);
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
