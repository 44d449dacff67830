// The SQL source against the machine's real PostgreSQL and MariaDB: full reads, deltas (inserts,
// updates sharing one timestamp, a transaction that commits late with an earlier timestamp, soft
// deletes, isActive flips), each deltaColumnType the engine has, the `date` refusal, bad names,
// and injection attempts through the table name, the column list, ids and cursors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../connectors/framework/define';
import { createSqlConnector, type SqlConfigInput } from '../../connectors/sql';
import type { SourceObject } from '../../connectors/types';
import { readAllPages, readWholeWindow } from '../support/connector-reads';
import { ENGINES, type Engine } from '../support/sql-engines';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const ids = (records: { type: string }[]) => (records as SourceObject[]).map((r) => r.id);
const sorted = (xs: string[]) => [...xs].sort();
const dupes = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i);

describe.each(ENGINES)('sql source on %s', (engineName, start) => {
  let e: Engine;
  const opened: Connector[] = [];
  const open = (over: Partial<SqlConfigInput> = {}): Connector => {
    const c = createSqlConnector(
      { name: `sql-${engineName}-${run}`, type: 'sql' },
      {
        connectionString: e.url,
        importQuery: e.table('people'),
        externalIdColumn: 'emp_id',
        objectType: 'User',
        watermarkColumn: 'modified_at',
        deltaColumnType: 'datetime',
        isActiveColumn: 'is_active',
        commitLag: '1s',
        pageSize: 4,
        ...over,
      },
    );
    opened.push(c);
    return c;
  };
  const people = () => e.table('people');
  const victimCount = async () => Number((await e.exec(`SELECT COUNT(*) AS n FROM ${e.table('victim')}`))[0]!.n);

  beforeAll(async () => {
    e = await start(run);
    const t = e.types;
    await e.exec(`CREATE TABLE ${people()} (emp_id VARCHAR(20) PRIMARY KEY, email VARCHAR(200), display_name VARCHAR(200),
      modified_at ${t.time} NULL, changed_at ${t.time2}, hired_on ${t.date} NULL, is_active ${t.flag} NOT NULL, removed ${t.flag} NOT NULL)`);
    for (let i = 1; i <= 11; i++) {
      const k = `e${String(i).padStart(3, '0')}`;
      await e.exec(
        `INSERT INTO ${people()} (emp_id, email, display_name, modified_at, changed_at, hired_on, is_active, removed)
         VALUES (?, ?, ?, ${e.ago(120)}, ${e.ago(120, 'time2')}, '2024-01-0${1 + (i % 9)}', ${e.flag(i !== 11)}, ${e.flag(false)})`,
        [k, `${k}@example.com`, `Person ${i}`],
      );
    }
    await e.exec(`CREATE TABLE ${e.table('victim')} (id INT PRIMARY KEY)`);
    await e.exec(`INSERT INTO ${e.table('victim')} (id) VALUES (1), (2), (3)`);
    await e.exec(`CREATE TABLE ${e.table('counters')} (id INT PRIMARY KEY, name VARCHAR(50), ver ${t.bigint} NOT NULL, bin ${t.binary} NOT NULL)`);
    for (let i = 1; i <= 8; i++) await e.exec(`INSERT INTO ${e.table('counters')} (id, name, ver, bin) VALUES (?, ?, ?, ${e.bin(BASE + BigInt(i))})`, [i, `c${i}`, (BASE + BigInt(i)).toString()]);
  }, 60_000);

  afterAll(async () => {
    for (const c of opened) await c.close().catch(() => undefined);
    await e?.close();
  });

  it('a full read returns every active row exactly once across pages; an inactive one is left out', async () => {
    const c = open();
    let pages = 0;
    const all: SourceObject[] = [];
    let cursor: string | null = null;
    do {
      const p = await c.readPage!('users', cursor);
      pages++;
      all.push(...(p.records as SourceObject[]));
      cursor = p.nextCursor;
      if (cursor) expect(() => JSON.parse(cursor!)).not.toThrow();
    } while (cursor);
    expect(pages).toBeGreaterThan(2);
    expect(dupes(ids(all))).toEqual([]);
    expect(sorted(ids(all))).toEqual(Array.from({ length: 10 }, (_, i) => `e${String(i + 1).padStart(3, '0')}`));
    const e1 = all.find((r) => r.id === 'e001')!;
    expect(e1.resource).toBe('users');
    expect(e1.raw).toMatchObject({ emp_id: 'e001', email: 'e001@example.com', display_name: 'Person 1' });
    expect(await c.getById!('users', 'e001')).toEqual(e1);
    expect(await c.getById!('users', 'e011')).toBeNull(); // inactive
    // The class objectType does not name is empty, not an error.
    expect(await c.readPage!('groups', null)).toEqual({ records: [], nextCursor: null, warnings: [] });
  });

  it('columnsToLoad narrows the row but always keeps the id, delta and flag columns', async () => {
    const c = open({ columnsToLoad: ['Email'] });
    const got = await c.getById!('users', 'e002');
    expect(Object.keys(got!.raw).sort()).toEqual(['email', 'emp_id', 'is_active', 'modified_at']);
    const all = open({ columnsToLoad: [] });
    expect(Object.keys((await all.getById!('users', 'e002'))!.raw)).toContain('display_name');
  });

  it('a delta sees inserts and updates that share one timestamp, each once, across pages', async () => {
    const c = open();
    const wm = await c.currentWatermark!(['users', 'groups']);
    await sleep(300);
    await e.exec(`INSERT INTO ${people()} (emp_id, email, display_name, modified_at, changed_at, is_active, removed) VALUES ('e020', 'e020@example.com', 'New', ${e.stamp()}, ${e.stamp('time2')}, ${e.flag(true)}, ${e.flag(false)})`);
    // One statement, one stamp: six rows share a value and span two pages of four.
    await e.exec(`UPDATE ${people()} SET modified_at = ${e.stamp()}, display_name = 'Shared' WHERE emp_id IN ('e001','e002','e003','e004','e005','e006')`);
    const shared = await e.exec(`SELECT COUNT(DISTINCT modified_at) AS n FROM ${people()} WHERE emp_id IN ('e001','e002','e003','e004','e005','e006')`);
    expect(Number(shared[0]!.n)).toBe(1);
    await sleep(1300); // past commitLag
    const w = await readWholeWindow(c, ['users', 'groups'], wm);
    expect(w.fullSyncRequired).toBeUndefined();
    expect(w.calls).toBeGreaterThan(1);
    expect(dupes(ids(w.records))).toEqual([]);
    expect(sorted(ids(w.records))).toEqual(['e001', 'e002', 'e003', 'e004', 'e005', 'e006', 'e020']);
    expect((w.records as SourceObject[]).find((r) => r.id === 'e003')!.raw.display_name).toBe('Shared');
    expect(w.deletions).toEqual([]);
    // The next window starts after the last row read: nothing again.
    const again = await readWholeWindow(c, ['users', 'groups'], w.watermark);
    expect(again.records).toEqual([]);
    expect(again.watermark).toBe(w.watermark);
  });

  it('a transaction that commits late with an earlier timestamp is found by the next delta (and would be lost without commitLag)', async () => {
    const lagged = open({ commitLag: '3s' });
    const unguarded = open({ commitLag: '0s' });
    const wmL = await lagged.currentWatermark!(['users']);
    const wmU = await unguarded.currentWatermark!(['users']);
    await sleep(3200);
    const key = (k: string) => `${k}-${engineName.slice(0, 2)}`;
    const insert = (k: string, at: string) =>
      `INSERT INTO ${people()} (emp_id, email, display_name, modified_at, changed_at, is_active, removed) VALUES ('${key(k)}', 'x@example.com', '${k}', ${at}, ${e.stamp('time2')}, ${e.flag(true)}, ${e.flag(false)})`;
    await e.exec(insert('A', e.ago(4)));
    const tx = await e.tx();
    try {
      // Stamped now, committed after the next delta has read past this moment.
      await tx.exec(insert('L', e.ago(1)));
      await e.exec(insert('B', e.ago(0)));
      const firstL = await readWholeWindow(lagged, ['users'], wmL);
      const firstU = await readWholeWindow(unguarded, ['users'], wmU);
      expect(ids(firstL.records)).toContain(key('A'));
      expect(ids(firstL.records)).not.toContain(key('B')); // inside commitLag: not yet
      expect(ids(firstU.records)).toContain(key('B'));
      await tx.commit();
      await sleep(3200);
      const nextL = await readWholeWindow(lagged, ['users'], firstL.watermark);
      const nextU = await readWholeWindow(unguarded, ['users'], firstU.watermark);
      expect(sorted(ids(nextL.records))).toEqual([key('B'), key('L')]);
      // Without the bound the window read B and moved past L's timestamp before L committed.
      expect(ids(nextU.records)).not.toContain(key('L'));
    } finally {
      await tx.rollback().catch(() => undefined);
    }
  });

  it('soft deletes (softDeleteColumn, default value true) are deletions in a delta and absent from full reads', async () => {
    const c = open({ isActiveColumn: undefined, softDeleteColumn: 'removed' });
    const wm = await c.currentWatermark!(['users']);
    await sleep(200);
    await e.exec(`UPDATE ${people()} SET removed = ${e.flag(true)}, modified_at = ${e.stamp()} WHERE emp_id = 'e007'`);
    await sleep(1300);
    const w = await readWholeWindow(c, ['users'], wm);
    expect(w.deletions).toEqual([{ resource: 'users', id: 'e007' }]);
    expect(ids(w.records)).not.toContain('e007');
    expect(ids((await readAllPages(c, 'users')).records)).not.toContain('e007');
    expect(await c.getById!('users', 'e007')).toBeNull();
    // The inactive row is not soft-deleted for this connector: isActive means nothing to it.
    expect(await c.getById!('users', 'e011')).not.toBeNull();
  });

  it('isActiveColumn flips: 1 → 0 is a deletion, 0 → 1 brings the row back', async () => {
    const c = open();
    const wm = await c.currentWatermark!(['users']);
    await sleep(200);
    await e.exec(`UPDATE ${people()} SET is_active = ${e.flag(false)}, modified_at = ${e.stamp()} WHERE emp_id = 'e008'`);
    await e.exec(`UPDATE ${people()} SET is_active = ${e.flag(true)}, modified_at = ${e.stamp()} WHERE emp_id = 'e011'`);
    await sleep(1300);
    const w = await readWholeWindow(c, ['users'], wm);
    expect(w.deletions).toEqual([{ resource: 'users', id: 'e008' }]);
    expect(ids(w.records)).toEqual(['e011']);
  });

  it('datetime2 (a column without time zone) works as the delta column', async () => {
    const c = open({ watermarkColumn: undefined, deltaColumn: 'changed_at', deltaColumnType: 'datetime2' });
    const wm = await c.currentWatermark!(['users']);
    await sleep(200);
    await e.exec(`UPDATE ${people()} SET changed_at = ${e.stamp('time2')} WHERE emp_id IN ('e009', 'e010')`);
    await sleep(1300);
    const w = await readWholeWindow(c, ['users'], wm);
    expect(sorted(ids(w.records))).toEqual(['e009', 'e010']);
  });

  for (const [type, column] of [['bigint', 'ver'], ['long', 'ver'], ['binary', 'bin']] as const) {
    it(`${type} counters: values beyond 2^53 exactly, rows sharing a value each once, the next window empty`, async () => {
      const c = open({ importQuery: e.table('counters'), externalIdColumn: 'id', watermarkColumn: column, deltaColumnType: type, isActiveColumn: undefined, pageSize: 2 });
      const wm = await c.currentWatermark!(['users']);
      const max = (await e.exec(`SELECT ${engineName === 'postgres' ? 'CAST(MAX(ver) AS text)' : 'CAST(MAX(ver) AS CHAR)'} AS m FROM ${e.table('counters')}`))[0]!.m as string;
      const next = BigInt(max) + 1n;
      await e.exec(`UPDATE ${e.table('counters')} SET ver = ?, bin = ${e.bin(next)} WHERE id IN (2, 3, 4)`, [next.toString()]);
      await e.exec(`UPDATE ${e.table('counters')} SET ver = ?, bin = ${e.bin(next + 1n)} WHERE id = 5`, [(next + 1n).toString()]);
      const w = await readWholeWindow(c, ['users'], wm);
      const got = ids(w.records);
      expect(dupes(got)).toEqual([]);
      // The highest row at watermark time is read again (>=): a repeat, never a gap.
      expect(sorted(got.filter((id) => id !== '8'))).toEqual(['2', '3', '4', '5']);
      const state = JSON.parse(JSON.parse(w.watermark).classes.users);
      expect(state.id).toBe('5');
      if (type !== 'binary') expect(state.value).toBe((next + 1n).toString());
      expect((await readWholeWindow(c, ['users'], w.watermark)).records).toEqual([]);
    });
  }

  it('rowversion is refused on an engine that has none, naming deltaColumnType', async () => {
    const c = open({ importQuery: e.table('counters'), externalIdColumn: 'id', watermarkColumn: 'bin', deltaColumnType: 'rowversion', isActiveColumn: undefined });
    await expect(c.readPage!('users', null)).rejects.toThrow(/config\.deltaColumnType: rowversion exists only on SQL Server/);
  });

  it('a date-typed delta column is refused with the reason, and test() says so too', async () => {
    const c = open({ watermarkColumn: 'hired_on', deltaColumnType: 'datetime2' });
    await expect(c.readPage!('users', null)).rejects.toThrow(/config\.watermarkColumn: hired_on is of type date.*several changes on one day would be missed/);
    await expect(c.currentWatermark!(['users'])).rejects.toThrow(/config\.watermarkColumn/);
    const t = await c.test!();
    expect(t.status).toBe('failure');
    expect(t.message).toMatch(/datetime2/);
  });

  it('a delta type that does not fit the column is refused, naming deltaColumnType', async () => {
    const c = open({ deltaColumnType: 'bigint' });
    await expect(c.readPage!('users', null)).rejects.toThrow(/config\.deltaColumnType: is bigint, but modified_at is of type/);
  });

  it('bad table and column names are errors naming the field', async () => {
    await expect(open({ importQuery: e.table('no_such_table') }).readPage!('users', null)).rejects.toThrow(/config\.importQuery: /);
    await expect(open({ externalIdColumn: 'nope' }).readPage!('users', null)).rejects.toThrow(/config\.externalIdColumn: importQuery has no column "nope"/);
    await expect(open({ watermarkColumn: 'nope' }).readPage!('users', null)).rejects.toThrow(/config\.watermarkColumn: /);
    await expect(open({ isActiveColumn: 'nope' }).readPage!('users', null)).rejects.toThrow(/config\.isActiveColumn: /);
    await expect(open({ columnsToLoad: ['email', 'nope'] }).readPage!('users', null)).rejects.toThrow(/config\.columnsToLoad\[1\]: /);
  });

  it('a SELECT importQuery is read as a subquery (a trailing comment cannot swallow the wrapper)', async () => {
    const c = open({ importQuery: `SELECT emp_id, email, modified_at, is_active FROM ${people()} WHERE email LIKE 'e00%' -- only the first ones` });
    const got = ids((await readAllPages(c, 'users')).records);
    expect(got.length).toBeGreaterThan(3);
    expect(got.every((id) => id.startsWith('e00'))).toBe(true);
  });

  it('injection through the table name, the column list, an id or a cursor is refused and changes nothing', async () => {
    expect(await victimCount()).toBe(3);
    const victim = e.table('victim');
    // A "table name" carrying a statement is quoted whole: no such table.
    await expect(open({ importQuery: `people; DROP TABLE ${victim}; --` }).readPage!('users', null)).rejects.toThrow(/config\.importQuery/);
    await expect(open({ importQuery: `${people()} AS t; DELETE FROM ${victim}` }).readPage!('users', null)).rejects.toThrow(/config\.importQuery/);
    // A SELECT is one statement or nothing.
    expect(() => open({ importQuery: `SELECT * FROM ${people()}; DELETE FROM ${victim}` })).toThrow(/config\.importQuery: importQuery must be one SELECT statement/);
    expect(() => open({ importQuery: `SELECT * FROM ${people()}) AS t; DELETE FROM ${victim}; SELECT * FROM (SELECT 1` })).toThrow(/config\.importQuery/);
    // Column names are names, whatever they hold.
    const hostile = ['email FROM people; DELETE FROM victim; --', `email" FROM victim; --`, 'email`, (SELECT 1)'];
    for (const col of hostile) {
      await expect(open({ columnsToLoad: [col] }).readPage!('users', null)).rejects.toThrow(/config\.columnsToLoad\[0\]: importQuery has no column/);
      await expect(open({ externalIdColumn: col }).readPage!('users', null)).rejects.toThrow(/config\.externalIdColumn/);
    }
    // Ids and cursors are values.
    const c = open();
    for (const id of ["e001' OR '1'='1", `e001'; DELETE FROM ${victim}; --`, 'e001" OR 1=1 --', '\\', "'"]) {
      expect(await c.getById!('users', id)).toBeNull();
    }
    const page = await c.readPage!('users', JSON.stringify({ after: `x' OR 1=1; DELETE FROM ${victim}; --` }));
    expect(page.records).toEqual([]);
    await expect(c.readPage!('users', '{"after": 1}')).rejects.toThrow(/cursor is not one this connector wrote/);
    expect(await victimCount()).toBe(3);
  });

  it('names that need quoting work: a table and columns with quotes, spaces and semicolons in them', async () => {
    const table = `odd"; name\`x`;
    const idCol = `id "quoted"; x`;
    await e.exec(`CREATE TABLE ${engineName === 'postgres' ? `${e.table('x').split('.')[0]}.${e.q(table)}` : e.q(table)} (${e.q(idCol)} VARCHAR(10) PRIMARY KEY, ${e.q('full name')} VARCHAR(50))`);
    const qualified = engineName === 'postgres' ? `${e.table('x').split('.')[0]}."${table.replace(/"/g, '""')}"` : `\`${table.replace(/`/g, '``')}\``;
    await e.exec(`INSERT INTO ${qualified} VALUES ('a', 'Ann'), ('b', 'Bob')`);
    const c = open({ importQuery: qualified, externalIdColumn: idCol, watermarkColumn: undefined, isActiveColumn: undefined, columnsToLoad: ['full name'] });
    const got = (await readAllPages(c, 'users')).records as SourceObject[];
    expect(got.map((r) => [r.id, r.raw['full name']])).toEqual([['a', 'Ann'], ['b', 'Bob']]);
    expect(await victimCount()).toBe(3);
  });

  it('without a delta column every run is full, and says why', async () => {
    const c = open({ watermarkColumn: undefined });
    const wm = await c.currentWatermark!(['users']);
    const w = await readWholeWindow(c, ['users'], wm);
    expect(w.fullSyncRequired).toMatch(/deltaColumn \(or watermarkColumn\) is not set/);
  });

  it('a sync.resources without the objectType class is refused; a refused login names the connection string, never the password', async () => {
    const c = open({ objectType: 'Group' });
    await expect(c.currentWatermark!(['users'])).rejects.toThrow(/config\.objectType is Group, so this connector reads groups, but sync\.resources does not include groups/);
    const secret = `pw-${run}-Secret`;
    const url = engineName === 'postgres' ? `postgres://postgres:${secret}@127.0.0.1:5432/no_such_db_${run}` : `mariadb://root:${secret}@127.0.0.1:3306/test`;
    const bad = open({ connectionString: url });
    const err = await bad.readPage!('users', null).then(() => null, (x: Error) => x);
    expect(err).not.toBeNull();
    expect(err!.message).toMatch(/config\.connectionString/);
    expect(err!.message).not.toContain(secret);
    expect((err as { kind?: string }).kind).toBe('auth');
  });
});

const BASE = 9_007_199_254_740_993n; // 2^53 + 1: a double cannot hold it
