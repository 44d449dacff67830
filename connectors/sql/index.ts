export { sqlType, createSqlConnector } from './type';
export { sqlConfigSchema, type SqlConfig, type SqlConfigInput } from './config';
