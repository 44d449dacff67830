export { createOktaConnector, type OktaConnector, type OktaConnectorOptions } from './connector';
export { oktaConfigSchema, normalizeOktaDomain, type OktaConfig, type OktaConfigInput } from './config';
export type { OktaWatermark } from './changes';
