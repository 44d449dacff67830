// A batch's bounds (pipeline/read-batch.ts): objects by maxRecords, bare links by LINKS_PER_RECORD
// times as many (a staged link is two ids) and links with attributes by fewer, all by time, and never
// a page past the source's end.
import { describe, expect, it } from 'vitest';
import { parseConnectorText } from '../../config/load';
import { connectorType, typeSchemas } from '../../connectors/registry';
import type { SourceRecord } from '../../connectors/types';
import { createRecordMapper } from '../../pipeline/mapper';
import { LINK_WITH_ATTRIBUTES, LINKS_PER_RECORD, MAX_BATCH_BYTES, readBatch } from '../../pipeline/read-batch';

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

describe('batch bounds', () => {
  it('stops objects at maxRecords', async () => {
    const { connector, reads } = source('users', 100);
    const b = await readBatch(connector, mapper, 'users', null, { maxRecords: 1000, maxMillis: 60_000 });
    expect(b.count).toBe(1000);
    expect(reads).toHaveLength(5);
    expect(b.nextCursor).toBe('5');
    expect(b.page.objects).toHaveLength(1000);
  });

  it('takes LINKS_PER_RECORD times as many links as objects into one batch', async () => {
    const { connector, reads } = source('memberships', 100);
    const b = await readBatch(connector, mapper, 'memberships', null, { maxRecords: 1000, maxMillis: 60_000 });
    expect(b.count).toBe(1000 * LINKS_PER_RECORD);
    expect(b.page.links).toHaveLength(1000 * LINKS_PER_RECORD);
    expect(reads).toHaveLength((1000 * LINKS_PER_RECORD) / 200);
    expect(b.nextCursor).toBe(String(reads.length));
  });

  it('counts a link that carries attributes as LINK_WITH_ATTRIBUTES bare links', async () => {
    const { connector } = source('appUsers', 100);
    const b = await readBatch(connector, mapper, 'appUsers', null, { maxRecords: 1000, maxMillis: 60_000 });
    expect(b.count).toBe((1000 * LINKS_PER_RECORD) / LINK_WITH_ATTRIBUTES);
    expect(b.page.links.every((l) => l.attrs !== undefined)).toBe(true);
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
    const b = await readBatch({ type: 'okta', manifest, readPage } as never, mapper, 'users', null, { maxRecords: 5000, maxMillis: 60_000 });
    const staged = JSON.stringify(b.page.objects).length;
    expect(b.count).toBeLessThan(5000);
    // It stops at the first page that reaches the bound: at most one page past it.
    expect(staged).toBeGreaterThanOrEqual(MAX_BATCH_BYTES);
    expect(staged).toBeLessThan(MAX_BATCH_BYTES + 100 * 2 * 20_100);
  });

  it('an explicit maxLinks wins, and the last page ends the batch whatever is left', async () => {
    const few = source('memberships', 100);
    expect((await readBatch(few.connector, mapper, 'memberships', null, { maxRecords: 1000, maxMillis: 60_000, maxLinks: 400 })).count).toBe(400);
    const short = source('memberships', 3);
    const b = await readBatch(short.connector, mapper, 'memberships', null, { maxRecords: 1000, maxMillis: 60_000 });
    expect(b.count).toBe(600);
    expect(b.nextCursor).toBeNull();
  });
});
