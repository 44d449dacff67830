import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { TestResult } from '../connectors/types';
import { testConnectionWorkflow } from '../workflows/definitions';
import { taskQueue } from '../runtime/ids';

export async function testConnection(client: Client, connector: string): Promise<TestResult> {
  return client.workflow.execute(testConnectionWorkflow, {
    workflowId: `test/${connector}/${randomUUID()}`,
    taskQueue: taskQueue(),
    args: [{ connector }],
    workflowExecutionTimeout: '3m',
  });
}
