// One activity's worth of source reading: many source pages, bounded by records, bytes and time, so
// throughput is not capped by the server's activity rate, and a retry redoes only one batch. The
// batch is staged in parts as it is read (about PART_BYTES each): a worker holds one part per lane
// in memory, not the batch, so batches can be large (few Temporal round trips) and memory flat.
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
  /** Staged bytes per part, estimated; by default PART_BYTES. */
  partBytes?: number;
}

/** Stages part `index` of the batch (0, 1, …, in order). Parts are applied in that order. */
export type StagePart = (part: StagedPage, index: number) => Promise<void>;

/** What a part may weigh staged: what a lane holds in memory while it reads, as parsed records
 *  and as the JSON sent to the store. Three lanes, each with a part being read and at most two
 *  being written (activities/sync.ts), keep the worker's memory flat whatever the batch size
 *  (README, benchmarks: 200–250 MB from 0.5× to 2× the 1.5M-record org). */
export const PART_BYTES = 1024 * 1024;

/** What a batch may weigh staged. Records differ a hundredfold in size (a SQL row of five columns,
 *  an Okta user with its profile), so a count alone either makes small records cost a Temporal
 *  round trip per few hundred kilobytes or makes a batch of large ones long to apply, and long
 *  to read again when its activity is retried. */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;

/** A bare link is two ids, a staged object a whole profile: a batch holds this many more bare
 *  links than objects, and a million memberships take a quarter of the batches (each one a round
 *  trip through the Temporal server). */
export const LINKS_PER_RECORD = 4;

/** A link that carries attributes (an app assignment: scope, status, app-side profile) stages
 *  about as many bytes as an object, so it counts as this many bare links: a batch of them holds
 *  maxRecords, as a batch of objects does. */
export const LINK_WITH_ATTRIBUTES = LINKS_PER_RECORD;

export interface Batch {
  /** Parts staged (at least one, possibly empty: a batch that read nothing still has a page). */
  parts: number;
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
  stage: StagePart,
  onPage?: (cursor: string | null, count: number) => void,
): Promise<Batch> {
  const started = Date.now();
  const parts = new Parts(stage, limits.partBytes ?? PART_BYTES);
  const warnings: ReadWarning[] = [];
  let count = 0;
  let kept = 0;
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
    const weight = estimateBytes(staged);
    bytes += weight;
    kept += staged.objects.length + staged.links.length;
    count += res.records.length;
    await parts.add(staged, weight);
    warnings.push(...res.warnings);
    next = res.nextCursor;
    affinity = res.affinity;
    onPage?.(next, count);
  } while (next && objects < limits.maxRecords && links < maxLinks && bytes < maxBytes && Date.now() - started < limits.maxMillis);
  const unmapped = coverage && coverage.count > 0 ? coverage.unresolved() : undefined;
  return { parts: await parts.end(), count, kept, affinity, nextCursor: next, warnings, ...(unmapped ? { unmapped } : {}) };
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
  stage: StagePart,
  onPage?: (cursor: string | null, count: number) => void,
): Promise<ChangesBatch> {
  const started = Date.now();
  const parts = new Parts(stage, limits.partBytes ?? PART_BYTES);
  const maxBytes = limits.maxBytes ?? MAX_BATCH_BYTES;
  const warnings: ReadWarning[] = [];
  let count = 0;
  let bytes = 0;
  let next: string | null = cursor;
  let wm = watermark;
  do {
    const res = await connector.readChanges(resources, watermark, next);
    if (res.fullSyncRequired) {
      // Parts staged before the refusal are never applied: the run reads in full instead, and
      // the next run's beginRun drops their rows (dropStaleStagedPages).
      return { parts: 0, count, kept: 0, nextCursor: null, warnings, watermark: res.watermark, fullSyncRequired: res.fullSyncRequired };
    }
    const staged = mapper.toStaged(res.records, 'delta');
    for (const d of res.deletions) staged.deletions.push({ kind: objectKindOf(connector.manifest, d.resource), id: d.id });
    for (const ls of res.linkSets) {
      staged.linkSets.push({ kind: linkKindOf(connector.manifest, ls.resource), parent: ls.parentId, links: ls.links.map(mapper.toLink) });
    }
    // A page goes into one part whole: its upserts are applied before its deletions, as the
    // source reporting a deletion after a record means (store apply order).
    const weight = estimateBytes(staged);
    bytes += weight;
    count += res.records.length + res.deletions.length + res.linkSets.reduce((n, s) => n + s.links.length, 0);
    await parts.add(staged, weight);
    warnings.push(...res.warnings);
    next = res.nextCursor;
    wm = res.watermark;
    onPage?.(next, count);
  } while (next && count < limits.maxRecords && bytes < maxBytes && Date.now() - started < limits.maxMillis);
  return { parts: await parts.end(), count, kept: count, nextCursor: next, warnings, watermark: wm };
}

/** The batch's current part: source pages appended until it weighs partBytes, then staged. */
class Parts {
  private page = emptyPage();
  private bytes = 0;
  private staged = 0;

  constructor(
    private readonly stage: StagePart,
    private readonly partBytes: number,
  ) {}

  async add(from: StagedPage, bytes: number): Promise<void> {
    append(this.page, from);
    this.bytes += bytes;
    if (this.bytes >= this.partBytes) await this.flush();
  }

  /** Stages what is left; returns the number of parts. */
  async end(): Promise<number> {
    const p = this.page;
    if (this.staged === 0 || p.objects.length + p.links.length + p.deletions.length + p.linkSets.length > 0) await this.flush();
    return this.staged;
  }

  private async flush(): Promise<void> {
    const page = this.page;
    this.page = emptyPage();
    this.bytes = 0;
    await this.stage(page, this.staged++);
  }
}

const emptyPage = (): StagedPage => ({ objects: [], links: [], deletions: [], linkSets: [] });

/** The staged JSON size of one source page (in characters: bytes, for ASCII), weighed by one record
 *  of each kind: the records of a page are alike, and serialising every one only to weigh it would
 *  double the cost of staging. */
function estimateBytes(staged: StagedPage): number {
  const sample = (xs: unknown[], n = xs.length) => (xs.length === 0 ? 0 : (JSON.stringify(xs[0]).length + 1) * n);
  const setLinks = staged.linkSets.flatMap((s) => s.links.slice(0, 1));
  const setLinkCount = staged.linkSets.reduce((n, s) => n + s.links.length, 0);
  return sample(staged.objects) + sample(staged.links) + sample(setLinks, setLinkCount) + sample(staged.deletions);
}

function append(into: StagedPage, from: StagedPage): void {
  for (const o of from.objects) into.objects.push(o);
  for (const l of from.links) into.links.push(l);
  for (const d of from.deletions) into.deletions.push(d);
  for (const s of from.linkSets) into.linkSets.push(s);
}
