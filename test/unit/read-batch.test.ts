// A batch's bounds (pipeline/read-batch.ts): objects by maxRecords, bare links by LINKS_PER_RECORD
// times as many (a staged link is two ids) and links with attributes by fewer, all by time, and never
// a page past the source's end; and its parts: staged as it is read, whole source pages each, in order.
import { describe, expect, it } from 'vitest';
import { parseConnectorText } from '../../config/load';
import { connectorType, typeSchemas } from '../../connectors/registry';
import type { SourceRecord } from '../../connectors/types';
import type { StagedPage } from '../../store/types';
import { createRecordMapper } from '../../pipeline/mapper';
import { LINK_WITH_ATTRIBUTES, LINKS_PER_RECORD, MAX_BATCH_BYTES, PART_BYTES, readBatch, readChangesBatch } from '../../pipeline/read-batch';

const def = parseConnectorText('name: bounds\ntype: okta\nconfig:\n  domain: example.okta.com\n  apiToken: ${T}\n', 'bounds.yaml', typeSchemas());
const manifest = connectorType('okta').manifest;
const mapper = createRecordMapper(def, manifest);

/** A source of `pages` pages of `size` records of `resource`, cursors "1", "2", … */
function source(resource: 'users' | 'memberships' | 'appUsers', pages: number, size = 200) {
  const reads: (string | null)[] = [];
  const readPage = async (_cls: string, cursor: string | null) => {
    reads.push(cursor);
    const n = cursor ? Number(cursor) : 0;
    const records: SourceRecord[] = Array.from({ length: size }, (_, i): SourceRecord =>
      resource === 'users'
        ? { type: 'object', resource, id: `u${n}-${i}`, raw: { id: `u${n}-${i}`, status: 'ACTIVE', profile: { login: `u${n}-${i}@example.com` } } }
        : resource === 'appUsers'
          ? { type: 'link', resource, parentId: `a${n}`, childId: `u${i}`, childKind: 'user', raw: { id: `u${i}`, scope: 'USER', profile: { role: 'Ünïcode' } } }
          : { type: 'link', resource, parentId: `g${n}`, childId: `u${i}`, childKind: 'user' },
    );
    return { records, nextCursor: n + 1 < pages ? String(n + 1) : null, warnings: [] };
  };
  return { connector: { type: 'okta', manifest, readPage } as never, reads };
}

/** A stager that keeps every part, and the batch's whole page (parts concatenated in order). */
function collect() {
  const parts: StagedPage[] = [];
  const indexes: number[] = [];
  const stage = async (part: StagedPage, index: number) => {
    parts.push(part);
    indexes.push(index);
  };
  const page = () => ({
    objects: parts.flatMap((p) => p.objects),
    links: parts.flatMap((p) => p.links),
    deletions: parts.flatMap((p) => p.deletions),
    linkSets: parts.flatMap((p) => p.linkSets),
  });
  return { parts, indexes, stage, page };
}

describe('batch bounds', () => {
  it('stops objects at maxRecords', async () => {
    const { connector, reads } = source('users', 100);
    const out = collect();
    const b = await readBatch(connector, mapper, 'users', null, { maxRecords: 1000, maxMillis: 60_000 }, out.stage);
    expect(b.count).toBe(1000);
    expect(reads).toHaveLength(5);
    expect(b.nextCursor).toBe('5');
    expect(out.page().objects).toHaveLength(1000);
  });

  it('takes LINKS_PER_RECORD times as many links as objects into one batch', async () => {
    const { connector, reads } = source('memberships', 100);
    const out = collect();
    const b = await readBatch(connector, mapper, 'memberships', null, { maxRecords: 1000, maxMillis: 60_000 }, out.stage);
    expect(b.count).toBe(1000 * LINKS_PER_RECORD);
    expect(out.page().links).toHaveLength(1000 * LINKS_PER_RECORD);
    expect(reads).toHaveLength((1000 * LINKS_PER_RECORD) / 200);
    expect(b.nextCursor).toBe(String(reads.length));
  });

  it('counts a link that carries attributes as LINK_WITH_ATTRIBUTES bare links', async () => {
    const { connector } = source('appUsers', 100);
    const out = collect();
    const b = await readBatch(connector, mapper, 'appUsers', null, { maxRecords: 1000, maxMillis: 60_000 }, out.stage);
    expect(b.count).toBe((1000 * LINKS_PER_RECORD) / LINK_WITH_ATTRIBUTES);
    expect(out.page().links.every((l) => l.attrs !== undefined)).toBe(true);
  });

  it('ends a batch of large objects at about MAX_BATCH_BYTES staged, whatever their count', async () => {
    const bio = 'ß'.repeat(10_000);
    const readPage = async (_cls: string, cursor: string | null) => {
      const n = cursor ? Number(cursor) : 0;
      const records: SourceRecord[] = Array.from({ length: 100 }, (_, i): SourceRecord => ({
        type: 'object', resource: 'users', id: `u${n}-${i}`, raw: { id: `u${n}-${i}`, profile: { login: `u${n}-${i}@example.com`, firstName: bio, lastName: bio } },
      }));
      return { records, nextCursor: String(n + 1), warnings: [] };
    };
    const out = collect();
    const b = await readBatch({ type: 'okta', manifest, readPage } as never, mapper, 'users', null, { maxRecords: 50_000, maxMillis: 60_000 }, out.stage);
    const staged = JSON.stringify(out.page().objects).length;
    expect(b.count).toBeLessThan(50_000);
    // It stops at the first page that reaches the bound: at most one page past it.
    expect(staged).toBeGreaterThanOrEqual(MAX_BATCH_BYTES);
    expect(staged).toBeLessThan(MAX_BATCH_BYTES + 100 * 2 * 20_100);
    // Staged as it was read, in parts of about PART_BYTES (at most one page over).
    expect(b.parts).toBe(out.parts.length);
    expect(out.indexes).toEqual(out.parts.map((_, i) => i));
    for (const p of out.parts.slice(0, -1)) {
      const size = JSON.stringify(p.objects).length;
      expect(size).toBeGreaterThanOrEqual(PART_BYTES);
      expect(size).toBeLessThan(PART_BYTES + 100 * 2 * 20_100);
    }
  });

  it('an explicit maxLinks wins, and the last page ends the batch whatever is left', async () => {
    const few = source('memberships', 100);
    expect((await readBatch(few.connector, mapper, 'memberships', null, { maxRecords: 1000, maxMillis: 60_000, maxLinks: 400 }, collect().stage)).count).toBe(400);
    const short = source('memberships', 3);
    const b = await readBatch(short.connector, mapper, 'memberships', null, { maxRecords: 1000, maxMillis: 60_000 }, collect().stage);
    expect(b.count).toBe(600);
    expect(b.nextCursor).toBeNull();
  });
});

describe('batch parts', () => {
  it('splits a batch into parts of whole source pages, in source order, and stages each before reading far on', async () => {
    const { connector, reads } = source('users', 10);
    const out = collect();
    const staged: number[] = [];
    const stage = async (part: StagedPage, index: number) => {
      staged.push(reads.length);
      await out.stage(part, index);
    };
    // A part of about three pages of these users (each page ~13 kB estimated).
    const b = await readBatch(connector, mapper, 'users', null, { maxRecords: 1000, maxMillis: 60_000, partBytes: 30_000 }, stage);
    expect(b.count).toBe(1000);
    expect(out.parts.length).toBeGreaterThan(1);
    expect(b.parts).toBe(out.parts.length);
    for (const p of out.parts) expect(p.objects.length % 200).toBe(0);
    expect(out.page().objects.map((o) => o.id)).toEqual(Array.from({ length: 5 }, (_, n) => Array.from({ length: 200 }, (_, i) => `u${n}-${i}`)).flat());
    // Each part was handed over right after the page that filled it, not at the batch's end.
    expect(staged[0]).toBeLessThan(reads.length);
  });

  it('a batch that read nothing still stages one empty part', async () => {
    const readPage = async () => ({ records: [], nextCursor: null, warnings: [] });
    const out = collect();
    const b = await readBatch({ type: 'okta', manifest, readPage } as never, mapper, 'users', null, { maxRecords: 1000, maxMillis: 60_000 }, out.stage);
    expect(b).toMatchObject({ parts: 1, count: 0, kept: 0, nextCursor: null });
    expect(out.parts).toEqual([{ objects: [], links: [], deletions: [], linkSets: [] }]);
  });

  it('a delta batch keeps each page whole in one part (its deletions after its records) and ends at MAX_BATCH_BYTES', async () => {
    const bio = 'é'.repeat(5_000);
    const readChanges = async (_resources: string[], _wm: string, cursor: string | null) => {
      const n = cursor ? Number(cursor) : 0;
      const records: SourceRecord[] = Array.from({ length: 100 }, (_, i): SourceRecord => ({
        type: 'object', resource: 'users', id: `u${n}-${i}`, raw: { id: `u${n}-${i}`, profile: { login: `u${n}-${i}@example.com`, firstName: bio, lastName: bio } },
      }));
      return { records, deletions: [{ resource: 'users', id: `gone${n}` }], linkSets: [], nextCursor: String(n + 1), watermark: `wm${n}`, warnings: [] };
    };
    const out = collect();
    const b = await readChangesBatch({ type: 'okta', manifest, readChanges } as never, mapper, ['users'], 'wm', null, { maxRecords: 1_000_000, maxMillis: 60_000 }, out.stage);
    // Bounded by bytes, not by the (huge) record bound.
    const staged = JSON.stringify(out.page().objects).length;
    expect(staged).toBeGreaterThanOrEqual(MAX_BATCH_BYTES);
    expect(staged).toBeLessThan(MAX_BATCH_BYTES + 100 * 2 * 10_100);
    expect(b.parts).toBe(out.parts.length);
    expect(out.parts.length).toBeGreaterThan(1);
    // Every part holds whole pages: as many deletions as pages of 100 users.
    for (const p of out.parts) expect(p.deletions).toHaveLength(p.objects.length / 100);
    expect(b.watermark).toBe(`wm${Number(b.nextCursor) - 1}`);
  });
});
