// SQL Server cannot run on these machines (no SQL Server ran in CI): the statements the connector
// would send it are checked here, built from seed 004's configuration against the columns a
// probe of dbo.Employees would report.
import { describe, expect, it } from 'vitest';
import { sqlConfigSchema } from '../../connectors/sql';
import { mssqlDialect as d } from '../../connectors/sql/dialects/mssql';
import type { ColumnInfo } from '../../connectors/sql/dialects/types';
import { makePlan } from '../../connectors/sql/plan';
import { boundStatement, byId, deltaPage, fullPage, probe } from '../../connectors/sql/queries';

const SEED = {
  connectionString: 'Server=hrdb.company.com;Database=HRSystem;User Id=svc;Password=x',
  importQuery: 'dbo.Employees',
  externalIdColumn: 'EmployeeId',
  objectType: 'User',
  watermarkColumn: 'ModifiedDateUtc',
  deltaColumnType: 'datetime',
  isActiveColumn: 'IsActive',
  columnsToLoad: ['EmployeeId', 'Email', 'DisplayName', 'Department', 'Title', 'ManagerEmail'],
};

const col = (name: string, type: string, cls: ColumnInfo['cls'] = 'other'): ColumnInfo => ({ name, type, cls });
const EMPLOYEES: ColumnInfo[] = [
  col('EmployeeId', 'int', 'integer'), col('Email', 'nvarchar'), col('DisplayName', 'nvarchar'), col('Department', 'nvarchar'), col('Title', 'nvarchar'),
  col('ManagerEmail', 'nvarchar'), col('ModifiedDateUtc', 'datetime2', 'time'), col('IsActive', 'bit'), col('HireDate', 'date', 'date'), col('RowVer', 'timestamp', 'binary'),
];

async function planFor(over: Record<string, unknown> = {}, columns = EMPLOYEES) {
  const seen: string[] = [];
  const plan = await makePlan('sql connector "hr"', sqlConfigSchema.parse({ ...SEED, ...over }), d, async (stmt) => {
    seen.push(stmt.sql);
    return { rows: [], columns };
  });
  return { plan, seen };
}

describe('SQL Server statements (mssql dialect)', () => {
  it('quotes names with brackets, doubling a closing bracket, and writes @pN parameters', () => {
    expect(d.quoteIdent('Employees')).toBe('[Employees]');
    expect(d.quoteIdent('a]; DROP TABLE x; --')).toBe('[a]]; DROP TABLE x; --]');
    expect(d.param(3)).toBe('@p3');
  });

  it("probes seed 004's table and loads its columns plus the id, delta and isActive columns", async () => {
    const { plan, seen } = await planFor();
    expect(seen).toEqual([probe('[dbo].[Employees] AS t').sql]);
    expect(seen[0]).toBe('SELECT * FROM [dbo].[Employees] AS t WHERE 1=0');
    expect(plan.shape.select).toBe('t.[EmployeeId], t.[Email], t.[DisplayName], t.[Department], t.[Title], t.[ManagerEmail], t.[ModifiedDateUtc], t.[IsActive]');
    expect(plan.softDelete).toEqual({ column: 'IsActive', deletedValue: 0 });
  });

  it('a full page is keyset on the id, TOP as a parameter, the id compared as bigint', async () => {
    const { plan } = await planFor();
    expect(fullPage(d, plan.shape, null, 1001)).toEqual({
      sql: 'SELECT TOP (@p1) t.[EmployeeId], t.[Email], t.[DisplayName], t.[Department], t.[Title], t.[ManagerEmail], t.[ModifiedDateUtc], t.[IsActive], CONVERT(varchar(20), t.[EmployeeId]) AS __tiger_id FROM [dbo].[Employees] AS t WHERE 1=1 ORDER BY t.[EmployeeId]',
      params: [1001],
    });
    const next = fullPage(d, plan.shape, "42'; DROP TABLE x; --", 1001);
    expect(next.sql).toContain('WHERE t.[EmployeeId] > CAST(@p1 AS bigint) ORDER BY t.[EmployeeId]');
    expect(next.sql).not.toContain('DROP');
    expect(next.params).toEqual(["42'; DROP TABLE x; --", 1001]);
  });

  it('a datetime2 delta page is keyset on (delta, id) up to the bound, values as ISO 8601 text (style 126)', async () => {
    const { plan } = await planFor();
    const s = deltaPage(d, plan.shape, { value: '2026-01-02T03:04:05.1234567', id: '17' }, { value: '2026-01-02T03:09:00.0000000', strict: false }, 11);
    expect(s.sql).toBe(
      'SELECT TOP (@p5) t.[EmployeeId], t.[Email], t.[DisplayName], t.[Department], t.[Title], t.[ManagerEmail], t.[ModifiedDateUtc], t.[IsActive], ' +
        'CONVERT(varchar(20), t.[EmployeeId]) AS __tiger_id, CONVERT(varchar(40), t.[ModifiedDateUtc], 126) AS __tiger_delta FROM [dbo].[Employees] AS t ' +
        'WHERE (t.[ModifiedDateUtc] > CAST(@p1 AS datetime2) OR (t.[ModifiedDateUtc] = CAST(@p2 AS datetime2) AND t.[EmployeeId] > CAST(@p3 AS bigint))) ' +
        'AND t.[ModifiedDateUtc] <= CAST(@p4 AS datetime2) ORDER BY t.[ModifiedDateUtc], t.[EmployeeId]',
    );
    expect(s.params).toEqual(['2026-01-02T03:04:05.1234567', '2026-01-02T03:04:05.1234567', '17', '2026-01-02T03:09:00.0000000', 11]);
    // From a watermark taken before a full read: every row at that value is read (>=).
    expect(deltaPage(d, plan.shape, { value: '2026-01-02T03:04:05', id: null }, { value: 'b', strict: false }, 11).sql).toContain('WHERE t.[ModifiedDateUtc] >= CAST(@p1 AS datetime2) AND');
  });

  it('the time bound is the server clock (UTC) less commitLag; datetimeoffset uses SYSDATETIMEOFFSET', async () => {
    const { plan } = await planFor({ commitLag: '7s' });
    expect(boundStatement(d, plan.shape, 7000)).toEqual({ sql: 'SELECT CONVERT(varchar(40), DATEADD(millisecond, -@p1, SYSUTCDATETIME()), 126) AS b', params: [7000], strict: false });
    const tz = await planFor({}, EMPLOYEES.map((c) => (c.name === 'ModifiedDateUtc' ? col(c.name, 'datetimeoffset', 'time-tz') : c)));
    expect(boundStatement(d, tz.plan.shape, 5000).sql).toContain('SYSDATETIMEOFFSET()');
    expect(deltaPage(d, tz.plan.shape, { value: 'a', id: null }, { value: 'b', strict: false }, 2).sql).toContain('CAST(@p1 AS datetimeoffset)');
  });

  it('rowversion: binary(8) values in 0x text (style 1), read strictly below MIN_ACTIVE_ROWVERSION()', async () => {
    const { plan } = await planFor({ watermarkColumn: 'RowVer', deltaColumnType: 'rowversion' });
    expect(boundStatement(d, plan.shape, 5000)).toEqual({ sql: 'SELECT CONVERT(varchar(max), MIN_ACTIVE_ROWVERSION(), 1) AS b', params: [], strict: true });
    const s = deltaPage(d, plan.shape, { value: '0x00000000000007D1', id: '3' }, { value: '0x00000000000007E0', strict: true }, 5);
    expect(s.sql).toContain('CONVERT(varchar(max), t.[RowVer], 1) AS __tiger_delta');
    expect(s.sql).toContain('(t.[RowVer] > CONVERT(binary(8), @p1, 1) OR (t.[RowVer] = CONVERT(binary(8), @p2, 1) AND t.[EmployeeId] > CAST(@p3 AS bigint)))');
    expect(s.sql).toContain('AND t.[RowVer] < CONVERT(binary(8), @p4, 1) ORDER BY t.[RowVer], t.[EmployeeId]');
  });

  it('bigint and binary bounds are the highest value now (TOP 1 … DESC)', async () => {
    const cols = [...EMPLOYEES, col('Version', 'bigint', 'integer')];
    const { plan } = await planFor({ watermarkColumn: 'Version', deltaColumnType: 'bigint' }, cols);
    expect(boundStatement(d, plan.shape, 5000).sql).toBe('SELECT TOP (1) CONVERT(varchar(20), t.[Version]) AS b FROM [dbo].[Employees] AS t WHERE t.[Version] IS NOT NULL ORDER BY t.[Version] DESC');
  });

  it('get by id is one parameter; a SELECT importQuery is a derived table', async () => {
    const { plan } = await planFor({ importQuery: 'SELECT e.*, d.Name AS Department FROM dbo.Emp e JOIN dbo.Dept d ON d.Id = e.DeptId -- HR view', columnsToLoad: [] });
    expect(plan.shape.from).toBe('(\nSELECT e.*, d.Name AS Department FROM dbo.Emp e JOIN dbo.Dept d ON d.Id = e.DeptId -- HR view\n) AS t');
    expect(plan.shape.select).toBe('t.*');
    expect(byId(d, plan.shape, "1 OR 1=1")).toEqual({
      sql: `SELECT TOP (@p2) t.*, CONVERT(varchar(20), t.[EmployeeId]) AS __tiger_id FROM ${plan.shape.from} WHERE t.[EmployeeId] = CAST(@p1 AS bigint) ORDER BY t.[EmployeeId]`,
      params: ['1 OR 1=1', 2],
    });
  });

  it('refuses a date delta column with seed 004’s reason, and unknown columns by field', async () => {
    await expect(planFor({ watermarkColumn: 'HireDate' })).rejects.toThrow(/config\.watermarkColumn: HireDate is of type date, which cannot be a delta column: .*missed by delta imports; use a datetime2 column/);
    await expect(planFor({ columnsToLoad: ['Email', 'Salary'] })).rejects.toThrow(/config\.columnsToLoad\[1\]: importQuery has no column "Salary"/);
    await expect(planFor({ deltaColumnType: 'rowversion' })).rejects.toThrow(/config\.deltaColumnType: is rowversion, but ModifiedDateUtc is of type datetime2 \(use datetime or datetime2\)/);
  });

  it('classifies SQL Server errors: missing object, bad value, login', () => {
    expect(d.failure({ number: 208 })).toBe('missing-object');
    expect(d.failure({ number: 245 })).toBe('bad-value');
    expect(d.failure({ number: 18456 })).toBe('auth');
    expect(d.failure({ code: 'ESOCKET' })).toBe('unreachable');
  });
});
