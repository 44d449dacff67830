// Modules the CLI loads only when a command needs them: the Temporal client library alone takes
// most of a second to load, the worker's native bridge and bundler more, every connector (undici,
// zod schemas, ldapts) a few hundred ms, and `tiger connector list` needs none of them. require() rather than import(): when bin/tiger.js runs the sources through
// tsx's CommonJS hook, import() goes to Node's ESM loader, which cannot resolve these
// extensionless TypeScript paths; compiled to dist/ both behave the same.
/* eslint-disable @typescript-eslint/no-require-imports */
export const lazy = {
  connectorCommands: () => require('./commands/connector') as typeof import('./commands/connector'),
  devCommand: () => require('./commands/dev') as typeof import('./commands/dev'),
  processCommands: () => require('./commands/processes') as typeof import('./commands/processes'),
  emulatorCommand: () => require('./commands/emulator') as typeof import('./commands/emulator'),
  codecServerCommand: () => require('./commands/codec-server') as typeof import('./commands/codec-server'),
  meshCommands: () => require('./commands/mesh') as typeof import('./commands/mesh'),
  configLoad: () => require('../config/load') as typeof import('../config/load'),
  registry: () => require('../connectors/registry') as typeof import('../connectors/registry'),
  store: () => require('../store') as typeof import('../store'),
  temporal: () => require('../runtime/temporal') as typeof import('../runtime/temporal'),
  approve: () => require('./approve') as typeof import('./approve'),
  connectorApply: () => require('./connector-apply') as typeof import('./connector-apply'),
  projection: () => require('./projection') as typeof import('./projection'),
  requests: () => require('../runtime/requests') as typeof import('../runtime/requests'),
  schedules: () => require('./schedules') as typeof import('./schedules'),
  testConnection: () => require('./test-connection') as typeof import('./test-connection'),
  status: () => require('./commands/status') as typeof import('./commands/status'),
  testWebhook: () => require('./commands/test-webhook') as typeof import('./commands/test-webhook'),
  wait: () => require('./commands/wait') as typeof import('./commands/wait'),
  refresh: () => require('./commands/refresh') as typeof import('./commands/refresh'),
  graphSubscriptions: () => require('../runtime/graph-subscriptions') as typeof import('../runtime/graph-subscriptions'),
};
