export { entraType, createEntraConnector } from './type';
export { entraConfigSchema, type EntraConfig, type EntraConfigInput } from './config';
