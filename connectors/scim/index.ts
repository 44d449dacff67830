export { scimType, createScimConnector } from './type';
export { scimConfigSchema, normalizeBaseUrl, type ScimConfig, type ScimConfigInput } from './config';
