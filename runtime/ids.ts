// Workflow and schedule ids a person can read and type.
/** Read on each use so a process (or a test file) can pick its own queue before starting. */
export const taskQueue = (): string => process.env.TIGER_TASK_QUEUE ?? 'tiger-sync';
export const syncWorkflowId = (connector: string) => `sync/${connector}`;
export const liveWorkflowId = (connector: string) => `live/${connector}`;
export const scheduleId = (connector: string) => `schedule/${connector}`;
