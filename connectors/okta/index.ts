export { type OktaConnector, type OktaConnectorOptions } from './connector';
export { oktaConfigSchema, normalizeOktaDomain, type OktaConfig, type OktaConfigInput } from './config';
export { createOktaConnector, oktaType } from './type';
export type { OktaWatermark } from './changes';
