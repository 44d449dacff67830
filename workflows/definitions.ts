// Every workflow, signal, query and update a client may name. Clients, schedules, the CLI and the
// tests import these definitions instead of writing names as strings, so a renamed workflow or
// message fails type-checking instead of failing at run time (lint bans the strings outside
// workflows/). Importing this module only declares things: it is safe outside a workflow.
export { syncWorkflow, requestSyncSignal, progressQuery, approveDeletionsUpdate } from './sync';
export { liveWorkflow, liveEventsSignal, liveStateQuery } from './live';
export { scheduledSyncWorkflow } from './scheduled';
export { testConnectionWorkflow } from './test-connection';
export { projectWorkflow, projectProgressQuery } from './project';
export { pushWorkflow, requestPushSignal, approvePushUpdate, pushProgressQuery } from './push';
export { meshWorkflow, requestMeshSignal, meshProgressQuery } from './mesh';
export { graphSubscriptionsWorkflow, graphSubscriptionsEnsureSignal, graphSubscriptionsStateQuery } from './graph-subscriptions';
export { connectorRefreshWorkflow } from './refresh';
