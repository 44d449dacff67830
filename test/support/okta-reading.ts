// Reads a connector to the end (full pages or a delta window) the way the framework does, for
// connector-level tests against the Okta emulator.
import { createOktaConnector, oktaConfigSchema, type OktaConnector } from '../../connectors/okta';
import type { ConnectorDefinition } from '../../config/types';
import type { ChangesResult, Resource, SourceLink, SourceObject, SourceRecord } from '../../connectors/types';
import { readAllPages, readWholeWindow } from './connector-reads';

export const ALL_RESOURCES: Resource[] = ['users', 'groups', 'memberships', 'apps', 'appUsers'];

export const testDefinition = (name = 'okta-it'): ConnectorDefinition => ({
  name,
  type: 'okta',
  enabled: true,
  config: {},
  sync: { mode: 'polling', interval: '15m', intervalMs: 900_000, resources: ALL_RESOURCES, fullInterval: '24h', fullIntervalMs: 86_400_000 },
  mapping: {},
  filters: {},
  retryPolicy: { maxAttempts: 3, backoff: 'exponential' },
  webhooks: { enabled: false, events: [] },
  deletionThreshold: 0.2,
  deletionLimit: 500,
  approvalTimeout: '24h',
  approvalTimeoutMs: 86_400_000,
});

/** A connector with fast retries; the caller closes it. */
export function oktaTestConnector(domain: string, apiToken: string, extra: Record<string, unknown> = {}): OktaConnector {
  const config = oktaConfigSchema.parse({ domain, apiToken, ...extra });
  return createOktaConnector(testDefinition(), config, { httpOptions: { backoffBaseMs: 1, backoffMaxMs: 5 } });
}

export const readAll = readAllPages;

export type DrainedChanges = Omit<ChangesResult, 'nextCursor'>;
export const drainChanges = readWholeWindow;

export const objectsOf = (rs: SourceRecord[]) => rs.filter((r): r is SourceObject => r.type === 'object');
export const linksOf = (rs: SourceRecord[]) => rs.filter((r): r is SourceLink => r.type === 'link');
export const pairsOf = (ls: SourceLink[]) => ls.map((l) => `${l.parentId}/${l.childId}`).sort();
