import { Client } from 'pg';
import { afterAll, expect, it } from 'vitest';
import { PostgresStore } from '../../store/postgres';
import type { StagedPage } from '../../store/types';
import { describeStoreContract } from '../store-contract';

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// A private schema per run of this file, so parallel runs and earlier leftovers cannot interfere.
const schema = `tiger_store_test_${process.pid}_${Date.now()}`;

afterAll(async () => {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
});

describeStoreContract('postgres', async () => {
  const store = new PostgresStore(url, { schema });
  await store.migrate();
  return store;
});

// nextval order is not commit order: a live apply can draw its sequence value before a full run
// begins and commit after the run's own apply wrote the same row. The row must keep the run's
// (higher) value, or the run's deletion step would take an object it saw for unseen.
it('postgres: an apply that drew its sequence before a full run began and commits after it never lowers a row', async () => {
  const store = new PostgresStore(url, { schema });
  const locker = new Client({ connectionString: url, options: `-c search_path=${schema}` });
  await locker.connect();
  try {
    await store.migrate();
    const c = `race-${process.pid}`;
    const page = (ids: string[]): StagedPage => ({ objects: ids.map((id) => ({ kind: 'user', id, attrs: {} })), links: [], deletions: [], linkSets: [] });
    const apply = async (key: string, runId: string, ids: string[]) => {
      await store.stagePage(key, c, page(ids), runId);
      return store.applyStagedPage(key, c, runId);
    };
    await store.beginRun({ runId: `${c}/first`, connector: c, mode: 'full', trigger: 'test' });
    await apply(`${c}/first/0`, `${c}/first`, ['a-block', 'x']);

    // The live apply draws its value, then waits on a row lock held here, before it writes x.
    await locker.query('START TRANSACTION');
    await locker.query("SELECT 1 FROM objects WHERE connector = $1 AND external_id = 'a-block' FOR UPDATE", [c]);
    const seqBefore = Number((await locker.query<{ v: string }>('SELECT last_value AS v FROM change_seq')).rows[0].v);
    await store.beginRun({ runId: `${c}/live`, connector: c, mode: 'live', trigger: 'test' });
    const live = apply(`${c}/live`, `${c}/live`, ['a-block', 'x']);
    for (let i = 0; i < 200; i++) {
      const v = Number((await locker.query<{ v: string }>('SELECT last_value AS v FROM change_seq')).rows[0].v);
      if (v >= seqBefore + 2) break; // the live run's beginRun and its apply
      await new Promise((r) => setTimeout(r, 25));
    }
    // The full run begins after that value was drawn, reads x and applies it at once.
    await store.beginRun({ runId: `${c}/full`, connector: c, mode: 'full', trigger: 'test' });
    await apply(`${c}/full/0`, `${c}/full`, ['x']);
    await locker.query('COMMIT WORK');
    await live;

    // a-block: written only by the live apply, from data read before the full run began, and not
    // found by the full run's read → may go. x: seen by the full run → must stay.
    expect(await store.countUnseen(c, `${c}/full`, ['user'])).toEqual([{ kind: 'user', total: 2, unseen: 1 }]);
    expect(await store.deleteUnseen(c, `${c}/full`, ['user'])).toBe(1);
    expect((await store.exportData(c, { includeDeleted: false })).users.map((u) => u.id)).toEqual(['x']);
  } finally {
    await locker.query('ROLLBACK WORK').catch(() => undefined);
    await locker.end();
    await store.close();
  }
});
