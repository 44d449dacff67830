// Reads a connector to the end (full pages or a delta window) the way the framework does, for
// connector-level tests against the Okta emulator.
import { createOktaConnector, oktaConfigSchema, type OktaConnector } from '../../connectors/okta';
import type { ConnectorDefinition } from '../../config/types';
import type { ChangesResult, ReadWarning, Resource, SourceLink, SourceObject, SourceRecord } from '../../connectors/types';

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

export async function readAll(c: OktaConnector, resource: Resource) {
  const records: SourceRecord[] = [];
  const warnings: ReadWarning[] = [];
  let cursor: string | null = null;
  do {
    const page = await c.readPage(resource, cursor);
    records.push(...page.records);
    warnings.push(...page.warnings);
    cursor = page.nextCursor;
  } while (cursor);
  return { records, warnings };
}

export type DrainedChanges = Omit<ChangesResult, 'nextCursor'>;

export async function drainChanges(c: OktaConnector, resources: Resource[], watermark: string): Promise<DrainedChanges> {
  const all: DrainedChanges = { records: [], deletions: [], linkSets: [], warnings: [], watermark };
  let cursor: string | null = null;
  do {
    const r = await c.readChanges(resources, watermark, cursor);
    if (r.fullSyncRequired) return { ...all, watermark: r.watermark, fullSyncRequired: r.fullSyncRequired };
    all.records.push(...r.records);
    all.deletions.push(...r.deletions);
    all.linkSets.push(...r.linkSets);
    all.warnings.push(...r.warnings);
    all.watermark = r.watermark;
    cursor = r.nextCursor;
  } while (cursor);
  return all;
}

export const objectsOf = (rs: SourceRecord[]) => rs.filter((r): r is SourceObject => r.type === 'object');
export const linksOf = (rs: SourceRecord[]) => rs.filter((r): r is SourceLink => r.type === 'link');
export const pairsOf = (ls: SourceLink[]) => ls.map((l) => `${l.parentId}/${l.childId}`).sort();
