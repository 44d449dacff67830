// Starting a projection: one project/<target> workflow at a time per target directory.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { projectWorkflow } from '../workflows/definitions';
import type { ProjectSummary, ProjectWorkflowInput } from '../workflows/project-types';
import { TigerConnector, TigerConnectorType } from '../workflows/search-attributes';
import { taskQueue } from '../runtime/ids';

export const projectWorkflowId = (target: string) => `project/${target}`;

export async function startProjection(
  client: Client,
  a: { source: string; target: string; targetType: string; options?: ProjectWorkflowInput['options'] },
): Promise<{ workflowId: string; runId: string; result(): Promise<ProjectSummary> }> {
  const workflowId = projectWorkflowId(a.target);
  try {
    const handle = await client.workflow.start(projectWorkflow, {
      workflowId,
      taskQueue: taskQueue(),
      args: [{ source: a.source, target: a.target, kind: 'user', options: a.options } satisfies ProjectWorkflowInput],
      typedSearchAttributes: [
        { key: TigerConnector, value: a.target },
        { key: TigerConnectorType, value: a.targetType },
      ],
    });
    return { workflowId, runId: handle.firstExecutionRunId, result: () => handle.result() };
  } catch (err) {
    // Two projections writing the same directory at once would race on the same accounts.
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new ProjectionBusyError(`a projection into ${a.target} is already running (workflow ${workflowId}); try again when it ends`);
    }
    throw err;
  }
}

export class ProjectionBusyError extends Error {}
