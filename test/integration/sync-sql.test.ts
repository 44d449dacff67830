// SQL (PostgreSQL) → store end to end through the real `sync/<name>` Temporal workflow: seed 004's
// field names and column spellings (quoted mixed case), the password-free connection string as a
// ${ENV} reference resolved only in activities, deltas (insert, update, isActive flip) and a hard
// delete that only the full run finds. Expectations come from the table itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportData } from '../../store/types';
import { startHarness, type Harness } from '../support/harness';
import { postgresEngine, type Engine } from '../support/sql-engines';

const run = `s${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ROWS = 260;

let e: Engine;
let h: Harness;
let name: string;
const table = () => e.table('"Employees"');

/** Active rows as the store should hold them (default mapping of the SQL type). */
async function expected(): Promise<Map<string, unknown>> {
  const rows = await e.exec(`SELECT "EmployeeId", "Email", "DisplayName", "Department" FROM ${table()} WHERE "IsActive"`);
  return new Map(rows.map((r) => [String(r.EmployeeId), { email: r.Email, displayName: r.DisplayName, department: r.Department }]));
}
const stored = (x: ExportData) => new Map(x.users.map((u) => [u.id, { email: u.attributes.email, displayName: u.attributes.displayName, department: u.attributes.department }]));

beforeAll(async () => {
  e = await postgresEngine(run);
  await e.exec(`CREATE TABLE ${table()} ("EmployeeId" integer PRIMARY KEY, "Email" text, "DisplayName" text, "Department" text, "Salary" integer,
    "ModifiedDateUtc" timestamp(6) NOT NULL, "HireDate" date, "IsActive" boolean NOT NULL)`);
  await e.exec(`INSERT INTO ${table()} SELECT g, 'p' || g || '@example.com', 'Person ' || g, 'Dept ' || (g % 7), 1000 + g,
    (now() AT TIME ZONE 'UTC') - interval '1 hour', DATE '2020-01-01' + g, g % 50 <> 0 FROM generate_series(1, ${ROWS}) g`);
  process.env.TEST_SQL_HR_URL = e.url;
  h = await startHarness();
  await h.startWorker();
  const def = await h.addConnector(`
name: sql-hr-${run}
type: sql
config:
  connectionString: \${TEST_SQL_HR_URL}
  importQuery: ${table()}
  externalIdColumn: EmployeeId
  objectType: User
  watermarkColumn: ModifiedDateUtc
  deltaColumnType: datetime2
  isActiveColumn: IsActive
  columnsToLoad: [EmployeeId, Email, DisplayName, Department]
  commitLag: 1s
  pageSize: 40
`);
  name = def.name;
}, 300_000);

afterAll(async () => {
  await h?.close();
  await e?.close();
});

describe('sql (PostgreSQL) sync through the Temporal workflow', () => {
  it('a full sync stores exactly the active rows, through the default mapping', async () => {
    const summary = await h.sync(name, 'full');
    expect(summary.status).toBe('succeeded');
    const want = await expected();
    expect(want.size).toBe(ROWS - Math.floor(ROWS / 50));
    const got = await h.store.exportData(name, { includeDeleted: false });
    expect(stored(got)).toEqual(want);
    expect(got.groups).toEqual([]);
    // columnsToLoad kept Salary out of what was read.
    expect(JSON.stringify(got.users[0]!.attributes)).not.toContain('Salary');
  });

  it('a delta run applies an insert, an update and an isActive flip', async () => {
    await sleep(1200);
    await e.exec(`INSERT INTO ${table()} VALUES (9001, 'new@example.com', 'New Hire', 'Dept 1', 1, now() AT TIME ZONE 'UTC', DATE '2026-01-01', true)`);
    await e.exec(`UPDATE ${table()} SET "Department" = 'Moved', "ModifiedDateUtc" = now() AT TIME ZONE 'UTC' WHERE "EmployeeId" IN (3, 4)`);
    await e.exec(`UPDATE ${table()} SET "IsActive" = false, "ModifiedDateUtc" = now() AT TIME ZONE 'UTC' WHERE "EmployeeId" = 5`);
    await e.exec(`UPDATE ${table()} SET "IsActive" = true, "ModifiedDateUtc" = now() AT TIME ZONE 'UTC' WHERE "EmployeeId" = 50`);
    await sleep(1500); // past commitLag
    const summary = await h.sync(name, 'delta');
    expect(summary.status).toBe('succeeded');
    expect(summary.mode).toBe('delta');
    expect(summary.counts.fetched).toBeLessThan(20);
    const got = await h.store.exportData(name, { includeDeleted: false });
    expect(stored(got)).toEqual(await expected());
    const withDeleted = await h.store.exportData(name, { includeDeleted: true });
    expect(withDeleted.users.find((u) => u.id === '5')?.deletedAt).toEqual(expect.any(String));
    expect(got.users.find((u) => u.id === '50')).toBeDefined();
  });

  it('a row deleted outright is not seen by a delta and is deleted by the next full run', async () => {
    await e.exec(`DELETE FROM ${table()} WHERE "EmployeeId" IN (7, 8)`);
    await sleep(1200);
    const delta = await h.sync(name, 'delta');
    expect(delta.status).toBe('succeeded');
    expect((await h.store.exportData(name, { includeDeleted: false })).users.some((u) => u.id === '7')).toBe(true);
    const full = await h.sync(name, 'full');
    expect(full.status).toBe('succeeded');
    expect(full.counts.deleted).toBe(2);
    const got = await h.store.exportData(name, { includeDeleted: false });
    expect(got.users.some((u) => u.id === '7' || u.id === '8')).toBe(false);
    expect(stored(got)).toEqual(await expected());
  });

  it('a date delta column fails the first run with the reason, naming the field, and stores nothing', async () => {
    const def = await h.addConnector(`
name: sql-dated-${run}
type: sql
retryPolicy: { maxAttempts: 1 }
config:
  connectionString: \${TEST_SQL_HR_URL}
  importQuery: ${table()}
  externalIdColumn: EmployeeId
  watermarkColumn: HireDate
  deltaColumnType: datetime2
`);
    const summary = await h.sync(def.name, 'full');
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/config\.watermarkColumn: HireDate is of type date, which cannot be a delta column: a date column stores only the day/);
    expect((await h.store.exportData(def.name, { includeDeleted: true })).users).toEqual([]);
  });
});
