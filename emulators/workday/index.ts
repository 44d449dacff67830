export { startWorkdayEmulator, DEFAULTS, type WorkdayEmulator, type WorkdayEmulatorOptions, type Knobs, type RateLimit } from './server';
export { WorkdayState, type Worker, type Organization } from './model';
export { workdayAdmin, type AdminSnapshot } from './admin';
