// Reads a connector to the end the way the framework does (every page of a full read; every call
// of a delta window), for connector-level tests of any type.
import type { ConnectorOps } from '../../connectors/framework/spi';
import type { ChangesResult, ReadPageResult, ReadWarning, Resource, SourceRecord } from '../../connectors/types';

export async function readAllPages(c: Pick<ConnectorOps, 'readPage'>, resource: Resource): Promise<{ records: SourceRecord[]; warnings: ReadWarning[] }> {
  const records: SourceRecord[] = [];
  const warnings: ReadWarning[] = [];
  let cursor: string | null = null;
  do {
    const page: ReadPageResult = await c.readPage!(resource, cursor);
    records.push(...page.records);
    warnings.push(...page.warnings);
    cursor = page.nextCursor;
  } while (cursor);
  return { records, warnings };
}

/** A whole delta window, every call of it merged (the last call's watermark is the window's). */
export async function readWholeWindow(c: Pick<ConnectorOps, 'readChanges'>, resources: Resource[], watermark: string): Promise<ChangesResult & { calls: number }> {
  const all: ChangesResult & { calls: number } = { records: [], deletions: [], linkSets: [], warnings: [], nextCursor: null, watermark, calls: 0 };
  let cursor: string | null = null;
  do {
    const r: ChangesResult = await c.readChanges!(resources, watermark, cursor);
    all.calls++;
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
