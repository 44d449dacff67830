// The page upserts must find each key's stored row by its primary key whatever the planner
// believes about the table: a sync fills it far faster than statistics follow, and a plan that
// scans or hashes the connector's rows costs every page the whole table so far.
import { Client } from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PostgresStore, UPSERT_LINKS, UPSERT_OBJECTS } from '../../store/postgres';
import type { StagedPage } from '../../store/types';

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const schema = `tiger_plan_test_${process.pid}_${Date.now()}`;
const connector = 'plan';
const PAGES = 4;
const PER_PAGE = 5000;
let store: PostgresStore;
let sql: Client;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

beforeAll(async () => {
  store = new PostgresStore(url, { schema });
  await store.migrate();
  sql = new Client({ connectionString: url, options: `-c search_path=${schema}` });
  await sql.connect();
  // Statistics of the empty tables, as a new store has them when its first full sync starts.
  await sql.query('ANALYZE objects; ANALYZE links');
  await store.beginRun({ runId: 'r1', connector, mode: 'full', trigger: 'test' });
  for (let p = 0; p < PAGES; p++) {
    const page: StagedPage = {
      objects: Array.from({ length: PER_PAGE }, (_, i) => ({ kind: 'user' as const, id: `u${p}-${i}`, attrs: { n: i } })),
      links: Array.from({ length: PER_PAGE }, (_, i) => ({ kind: 'membership' as const, parent: `g${p}`, child: `u${p}-${i}`, childKind: 'user' as const, attrs: {} })),
      deletions: [],
      linkSets: [],
    };
    await store.stagePage(`r1/${p}`, connector, page, 'r1');
    await store.applyStagedPage(`r1/${p}`, connector, 'r1');
  }
}, 60_000);

afterAll(async () => {
  await sql?.end();
  await store?.close();
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

/** Every plan node that reads `table` other than the insert itself. */
async function reads(text: string, params: unknown[], table: string): Promise<PlanNode[]> {
  const { rows } = await sql.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
  return nodes(rows[0]['QUERY PLAN'][0].Plan).filter((n) => n['Relation Name'] === table && n['Node Type'] !== 'ModifyTable');
}

it('postgres: a page of links already stored is matched by primary-key probes, not a scan of the connector', async () => {
  const p = 1;
  const kids = Array.from({ length: PER_PAGE }, (_, i) => `u${p}-${i}`);
  const found = await reads(UPSERT_LINKS, [connector, kids.map(() => 'membership'), kids.map(() => `g${p}`), kids, kids.map(() => 'user'), kids.map(() => '{}'), kids.map(() => 'h'), 'r2', 99], 'links');
  expect(found.length).toBeGreaterThan(0);
  expect(found.map((n) => `${n['Node Type']} ${n['Index Name'] ?? ''}`.trim())).toEqual(found.map(() => 'Index Scan links_pkey'));
});

it('postgres: a page of objects already stored is matched by primary-key probes, not a scan of the connector', async () => {
  const ids = Array.from({ length: PER_PAGE }, (_, i) => `u2-${i}`);
  const found = await reads(UPSERT_OBJECTS, [connector, ids.map(() => 'user'), ids, ids.map(() => '{"n":1}'), ids.map(() => 'h'), ids.map(() => null), 'r2', 99], 'objects');
  expect(found.length).toBeGreaterThan(0);
  expect(found.every((n) => n['Node Type'] === 'Index Scan' && n['Index Name'] === 'objects_pkey')).toBe(true);
});
