export { startGraphEmulator, type GraphEmulator } from './server';
export type { GraphAdmin, TenantSnapshot, DeltaExpiryCode, DeliveryRecord } from './admin';
export type { GraphEmulatorOptions, GraphClientApp, ThrottleSettings, GraphPermission } from './options';
export { GRAPH_PERMISSIONS } from './options';
