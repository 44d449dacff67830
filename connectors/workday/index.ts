export { workdayType, createWorkdayConnector, WORKER_MAPPING, ORGANIZATION_MAPPING } from './type';
export { workdayConfigSchema, type WorkdayConfig, type WorkdayConfigInput } from './config';
export { isActive } from './records';
