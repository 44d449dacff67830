export { startScimServer, SCIM_PATH, type ScimServer, type RecordedRequest } from './server';
export { DEFAULT_TOKEN, DEFAULT_FEATURES, type ScimServerOptions, type ScimAuth, type ScimFeatures } from './options';
export type { SeedUser, SeedGroup, SeedResult } from './seed';
export { ScimStore, type ScimDoc } from './store';
