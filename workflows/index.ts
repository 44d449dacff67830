export { syncWorkflow } from './sync';
export { liveWorkflow } from './live';
export { scheduledSyncWorkflow } from './scheduled';
export { testConnectionWorkflow } from './test-connection';
export { projectWorkflow } from './project';
export { pushWorkflow } from './push';
export { meshWorkflow } from './mesh';
