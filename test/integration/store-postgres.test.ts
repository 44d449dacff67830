import { Client } from 'pg';
import { afterAll } from 'vitest';
import { PostgresStore } from '../../store/postgres';
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
