export { restType, createRestConnector, restManifest } from './type';
export { restConfigSchema, type RestConfig, type RestConfigInput } from './config';
