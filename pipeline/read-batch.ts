// One activity's worth of source reading: several source pages, bounded by records and time, so
// throughput is not capped by the server's activity rate, and a retry redoes only one batch.
import type { Connector } from '../connectors/framework/define';
import { linkKindOf, objectKindOf } from '../connectors/framework/manifest';
import type { ConnectorOps } from '../connectors/framework/spi';
import type { ReadWarning } from '../connectors/types';
import type { StagedPage } from '../store/types';
import type { RecordMapper } from './mapper';
import { MappingCoverage } from './mapping-coverage';

export interface BatchLimits {
  maxRecords: number;
  maxMillis: number;
  /** Bare links per batch (a link with attributes counts as LINK_WITH_ATTRIBUTES of them); by
   *  default LINKS_PER_RECORD × maxRecords. */
  maxLinks?: number;
  /** Staged bytes per batch, estimated (estimateBytes); by default MAX_BATCH_BYTES. */
  maxBytes?: number;
}

/** What a batch may weigh staged. Records differ a hundredfold in size (a SQL row of five columns,
 *  an Okta user with its profile), so a count alone either makes small records cost a Temporal
 *  round trip per few hundred kilobytes or lets large ones fill the worker's memory: three lanes
 *  keep a batch each in flight, and a worker of the 1.5M-record bench peaked near 300 MB with
 *  batches of 5,000 Okta users against ~250 MB with ~2,500 (README, benchmarks). */
export const MAX_BATCH_BYTES = 2 * 1024 * 1024;

/** A bare link is two ids, a staged object a whole profile: a batch holds this many more bare
 *  links than objects, and a million memberships take a quarter of the batches (each one a round
 *  trip through the Temporal server). */
export const LINKS_PER_RECORD = 4;

/** A link that carries attributes (an app assignment: scope, status, app-side profile) stages
 *  about as many bytes as an object, so it counts as this many bare links: a batch of them holds
 *  maxRecords, as a batch of objects does. */
export const LINK_WITH_ATTRIBUTES = LINKS_PER_RECORD;

export interface Batch {
  page: StagedPage;
  count: number;
  /** Records left after filters (count is what the source returned). */
  kept: number;
  /** The last page's cursor points at state in this process (a live paged search). */
  affinity?: boolean;
  nextCursor: string | null;
  warnings: ReadWarning[];
  /** Mapping entries whose source path resolved on none of this batch's objects (keys only). */
  unmapped?: string[];
}

export async function readBatch(
  connector: Connector & Required<Pick<ConnectorOps, 'readPage'>>,
  mapper: RecordMapper,
  resource: string,
  cursor: string | null,
  limits: BatchLimits,
  onPage?: (cursor: string | null, count: number) => void,
): Promise<Batch> {
  const started = Date.now();
  const page: StagedPage = { objects: [], links: [], deletions: [], linkSets: [] };
  const warnings: ReadWarning[] = [];
  let count = 0;
  let affinity: boolean | undefined;
  let next: string | null = cursor;
  const mapping = mapper.mappingOf(resource);
  const coverage = mapping ? new MappingCoverage(mapping) : undefined;
  const maxLinks = limits.maxLinks ?? limits.maxRecords * LINKS_PER_RECORD;
  const maxBytes = limits.maxBytes ?? MAX_BATCH_BYTES;
  let objects = 0;
  let links = 0;
  let bytes = 0;
  do {
    const res = await connector.readPage(resource, next);
    for (const rec of res.records) {
      if (rec.type === 'link') {
        links += rec.raw === undefined ? 1 : LINK_WITH_ATTRIBUTES;
      } else {
        objects++;
        coverage?.observe(rec.raw);
      }
    }
    const staged = mapper.toStaged(res.records, 'full');
    append(page, staged);
    bytes += estimateBytes(staged);
    count += res.records.length;
    warnings.push(...res.warnings);
    next = res.nextCursor;
    affinity = res.affinity;
    onPage?.(next, count);
  } while (next && objects < limits.maxRecords && links < maxLinks && bytes < maxBytes && Date.now() - started < limits.maxMillis);
  const unmapped = coverage && coverage.count > 0 ? coverage.unresolved() : undefined;
  return { page, count, kept: page.objects.length + page.links.length, affinity, nextCursor: next, warnings, ...(unmapped ? { unmapped } : {}) };
}

export interface ChangesBatch extends Batch {
  watermark: string;
  fullSyncRequired?: string;
}

export async function readChangesBatch(
  connector: Connector & Required<Pick<ConnectorOps, 'readChanges'>>,
  mapper: RecordMapper,
  resources: string[],
  watermark: string,
  cursor: string | null,
  limits: BatchLimits,
  onPage?: (cursor: string | null, count: number) => void,
): Promise<ChangesBatch> {
  const started = Date.now();
  const page: StagedPage = { objects: [], links: [], deletions: [], linkSets: [] };
  const warnings: ReadWarning[] = [];
  let count = 0;
  let next: string | null = cursor;
  let wm = watermark;
  do {
    const res = await connector.readChanges(resources, watermark, next);
    if (res.fullSyncRequired) {
      return { page, count, kept: 0, nextCursor: null, warnings, watermark: res.watermark, fullSyncRequired: res.fullSyncRequired };
    }
    append(page, mapper.toStaged(res.records, 'delta'));
    for (const d of res.deletions) page.deletions.push({ kind: objectKindOf(connector.manifest, d.resource), id: d.id });
    for (const ls of res.linkSets) {
      page.linkSets.push({ kind: linkKindOf(connector.manifest, ls.resource), parent: ls.parentId, links: ls.links.map(mapper.toLink) });
    }
    count += res.records.length + res.deletions.length + res.linkSets.reduce((n, s) => n + s.links.length, 0);
    warnings.push(...res.warnings);
    next = res.nextCursor;
    wm = res.watermark;
    onPage?.(next, count);
  } while (next && count < limits.maxRecords && Date.now() - started < limits.maxMillis);
  return { page, count, kept: count, nextCursor: next, warnings, watermark: wm };
}

/** The staged JSON size of one source page (in characters: bytes, for ASCII), weighed by one record
 *  of each kind: the records of a page are alike, and serialising every one only to weigh it would
 *  double the cost of staging. */
function estimateBytes(staged: StagedPage): number {
  const sample = (xs: unknown[]) => (xs.length === 0 ? 0 : (JSON.stringify(xs[0]).length + 1) * xs.length);
  return sample(staged.objects) + sample(staged.links);
}

function append(into: StagedPage, from: StagedPage): void {
  for (const o of from.objects) into.objects.push(o);
  for (const l of from.links) into.links.push(l);
  for (const d of from.deletions) into.deletions.push(d);
  for (const s of from.linkSets) into.linkSets.push(s);
}
