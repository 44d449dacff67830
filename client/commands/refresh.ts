// `tiger connector refresh <name>` (seed 000: "OAuth tokens expired: refresh tokens using tiger
// connector refresh"): runs refresh/<name>/<id> and prints what each worker did and when the new
// token expires. Never prints a token or a secret: the workflow result holds neither.
import { randomUUID } from 'node:crypto';
import type { ConnectorDefinition } from '../../config/types';
import { taskQueue } from '../../runtime/ids';
import { connectorRefreshWorkflow } from '../../workflows/definitions';
import type { RefreshResult } from '../../workflows/refresh';
import type { CliContext } from '../context';

export async function refreshConnector(ctx: CliContext, def: ConnectorDefinition): Promise<RefreshResult> {
  const client = await ctx.client();
  return client.workflow.execute(connectorRefreshWorkflow, {
    workflowId: `refresh/${def.name}/${randomUUID().slice(0, 8)}`,
    taskQueue: taskQueue(),
    args: [{ connector: def.name }],
    // No worker polling: fail instead of hanging.
    workflowExecutionTimeout: '3m',
    staticSummary: `${def.type} connector ${def.name} · refresh cached tokens and secrets`,
  });
}

export function refreshLines(r: RefreshResult, now = Date.now()): string[] {
  const reached = r.workers.filter((w) => w.error === null);
  const lines = [`connector ${r.connector}: cached connectors dropped on ${reached.length} of ${r.workers.length} workers (${reached.reduce((n, w) => n + (w.dropped ?? 0), 0)} connector instances)`];
  for (const w of r.workers) if (w.error !== null) lines.push(`  worker ${w.queue} not reached (stopped?): ${w.error}`);
  if (r.expiresAt) {
    const minutes = Math.round((Date.parse(r.expiresAt) - now) / 60_000);
    lines.push(`new token from ${r.tokenEndpoint}: expires ${r.expiresAt} (in ${minutes} min)`);
  } else {
    lines.push(r.note);
  }
  return lines;
}
