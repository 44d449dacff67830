import { proxyActivities } from '@temporalio/workflow';
import type { TestActivities } from '../activities/test-connection';
import type { TestResult } from '../connectors/types';

const acts = proxyActivities<TestActivities>({ startToCloseTimeout: '2m', retry: { maximumAttempts: 1 } });

export async function testConnectionWorkflow(a: { connector: string }): Promise<TestResult> {
  return acts.testConnection(a);
}
