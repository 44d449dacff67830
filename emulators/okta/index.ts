export { startOktaEmulator, type OktaEmulator } from './server';
export type { OktaEmulatorOptions, FaultKind, Family, KnobUpdate } from './options';
export { OktaState } from './state';
export type { UserRecord, GroupRecord, AppRecord, EventHookRecord, LogEvent, UserStatus } from './state';
