// `tiger connector approve-deletions NAME [--reject]`: one Temporal Update to sync/<name>. The
// workflow's validator decides whether there is anything to approve; its refusal is the message
// the operator sees (exit 2), so the CLI never acts on a stale view of the workflow.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { approveDeletionsUpdate, progressQuery } from '../workflows/definitions';
import type { ApprovalResult } from '../workflows/types';
import { UsageError } from './context';
import { syncWorkflowId } from '../runtime/ids';

export async function decideDeletions(client: Client, connector: string, d: { approved: boolean; runId?: string }): Promise<ApprovalResult> {
  const handle = client.workflow.getHandle(syncWorkflowId(connector));
  try {
    // Named explicitly, so a hold that expired and was followed by another is not approved blindly.
    const runId = d.runId ?? (await handle.query(progressQuery)).held?.runId;
    return await handle.executeUpdate(approveDeletionsUpdate, { args: [{ runId, approved: d.approved }] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new UsageError(err.cause?.message ?? err.message);
    if (err instanceof WorkflowNotFoundError) throw new UsageError(`connector ${connector} has no run waiting for approval (no sync is running)`);
    throw err;
  }
}
