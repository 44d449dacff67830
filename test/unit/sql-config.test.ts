// Seed 004's SQL connector file as written, and the SQL config's own rules: field aliases,
// defaults, dialect detection and the importQuery shapes.
import { describe, expect, it } from 'vitest';
import { parseConnectorTextWithWarnings } from '../../config/load';
import { ConfigError } from '../../config/types';
import { typeSchemas } from '../../connectors/registry';
import { dialectOf, mssqlTarget, urlTarget } from '../../connectors/sql/connection-string';
import { sqlConfigSchema } from '../../connectors/sql';
import { parseImportQuery } from '../../connectors/sql/source';
import { sqlType } from '../../connectors/sql';

/** Seed 004's "SQL Database" configuration example, exactly as the page shows it. */
const SEED_SQL_JSON = `{
"type": "sql",
"name": "HR Database",
"config": {
"connectionString": "Server=hrdb.company.com;Database=HRSystem;",
"importQuery": "dbo.Employees",
"externalIdColumn": "EmployeeId",
"objectType": "User",
"watermarkColumn": "ModifiedDateUtc",
"deltaColumnType": "datetime",
"isActiveColumn": "IsActive",
"columnsToLoad": ["EmployeeId", "Email", "DisplayName", "Department", "Title", "ManagerEmail"]
}
}`;
const seedSqlJson = () => SEED_SQL_JSON;

describe("seed 004's SQL connector file", () => {
  it('creates a connector as written', () => {
    const json = seedSqlJson();
    const { definition, warnings } = parseConnectorTextWithWarnings(json, 'hr-database.json', typeSchemas());
    expect(definition.type).toBe('sql');
    expect(definition.name).toBe('hr-database');
    expect(warnings.map((w) => w.path)).toEqual(['name']);
    expect(definition.config).toEqual(JSON.parse(json).config);
    // Every readable class by default: users and groups; this connector reads users (objectType User).
    expect(definition.sync.resources).toEqual(['users', 'groups']);
    const parsed = sqlConfigSchema.parse(definition.config);
    expect(parsed).toMatchObject({
      objectClass: 'users', deltaColumn: 'ModifiedDateUtc', deltaField: 'watermarkColumn', deltaColumnType: 'datetime', deltaKind: 'time',
      softDelete: { column: 'IsActive', deletedValue: 0, field: 'isActiveColumn' }, commitLagMs: 5000, pageSize: 1000,
    });
    expect(dialectOf(parsed.connectionString)).toBe('mssql');
    // It opens (the connection is made at first use) with the manifest its type declares.
    const c = sqlType.open({ name: definition.name, type: 'sql' }, definition.config);
    expect(c.manifest).toBe(sqlType.manifest);
  });

  it('with the password as a reference inside the connection string', () => {
    const seed = JSON.parse(seedSqlJson());
    seed.config.connectionString = 'Server=hrdb.company.com;Database=HRSystem;User Id=svc-tiger;Password={{secret:hr-db-password}};';
    const { definition } = parseConnectorTextWithWarnings(JSON.stringify(seed), 'hr.json', typeSchemas());
    expect(definition.config.connectionString).toContain('{{secret:hr-db-password}}');
  });
});

describe('sql config rules', () => {
  const base = { connectionString: 'postgres://u@h/db', importQuery: 'people', externalIdColumn: 'id' };
  const problems = (over: Record<string, unknown>) => {
    const r = sqlConfigSchema.safeParse({ ...base, ...over });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('deltaColumn and watermarkColumn are one field; isActiveColumn inverts softDeleteColumn', () => {
    expect(sqlConfigSchema.parse({ ...base, deltaColumn: 'm' })).toMatchObject({ deltaColumn: 'm', deltaField: 'deltaColumn' });
    expect(problems({ deltaColumn: 'a', watermarkColumn: 'b' }).join()).toMatch(/deltaColumn: deltaColumn and watermarkColumn name different columns/);
    expect(problems({ softDeleteColumn: 'a', isActiveColumn: 'b' }).join()).toMatch(/isActiveColumn: /);
    expect(sqlConfigSchema.parse({ ...base, softDeleteColumn: 'gone' }).softDelete).toEqual({ column: 'gone', deletedValue: true, field: 'softDeleteColumn' });
    expect(sqlConfigSchema.parse({ ...base, softDeleteColumn: 'gone', softDeleteValue: 1 }).softDelete?.deletedValue).toBe(1);
    expect(problems({ softDeleteValue: 1 }).join()).toMatch(/softDeleteValue needs softDeleteColumn/);
    expect(sqlConfigSchema.parse({ ...base, objectType: 'Group' }).objectClass).toBe('groups');
    expect(problems({ objectType: 'Device' }).join()).toMatch(/objectType must be User or Group/);
    expect(problems({ deltaColumnType: 'date' }).join()).toMatch(/deltaColumnType must be one of datetime, datetime2, long, bigint, rowversion, binary/);
    expect(problems({ watermarkColumns: 'x' }).join()).toMatch(/unknown field config\.watermarkColumns/);
    expect(problems({ commitLag: '5 seconds' }).join()).toMatch(/commitLag/);
  });

  it('tells the dialect from the connection string and never quotes it', () => {
    expect(dialectOf('postgresql://u:p@h:5432/db')).toBe('postgres');
    expect(dialectOf('mysql://u:p@h/db')).toBe('mariadb');
    expect(dialectOf('mariadb://u:p@h/db')).toBe('mariadb');
    expect(dialectOf('Data Source=tcp:db,1433;Initial Catalog=HR;UID=u;PWD={a;b}')).toBe('mssql');
    const bad = problems({ connectionString: 'oracle://u:hunter2@h/db' }).join();
    expect(bad).toMatch(/connectionString has the scheme oracle:\/\//);
    expect(bad).not.toContain('hunter2');
    expect(problems({ connectionString: 'Database=HR;Password=hunter2' }).join()).not.toContain('hunter2');
    expect(urlTarget('mariadb://r%40x:p%3Bw@127.0.0.1:3307/hr')).toEqual({ host: '127.0.0.1', port: 3307, user: 'r@x', password: 'p;w', database: 'hr' });
  });

  it('at create a connection string from a reference is kept as written; a bad importQuery is refused', () => {
    const { definition } = parseConnectorTextWithWarnings(
      JSON.stringify({ name: 'hr', type: 'sql', config: { ...base, connectionString: '${HR_DB_URL}' } }),
      'hr.json',
      typeSchemas(),
    );
    expect(definition.config.connectionString).toBe('${HR_DB_URL}');
    expect(() => parseConnectorTextWithWarnings(JSON.stringify({ name: 'hr', type: 'sql', config: { ...base, importQuery: 'SELECT 1; SELECT 2' } }), 'hr.json', typeSchemas())).toThrow(ConfigError);
  });

  it('reads importQuery as a table name (quoted parts kept whole) or one SELECT', () => {
    expect(parseImportQuery('dbo.Employees')).toEqual({ kind: 'table', parts: ['dbo', 'Employees'] });
    expect(parseImportQuery('[hr].[Staff.Current]')).toEqual({ kind: 'table', parts: ['hr', 'Staff.Current'] });
    expect(parseImportQuery('"a""b"."c"')).toEqual({ kind: 'table', parts: ['a"b', 'c'] });
    expect(parseImportQuery("SELECT * FROM x WHERE note = 'a;b' -- c;\n;;")).toEqual({ kind: 'query', sql: "SELECT * FROM x WHERE note = 'a;b' -- c;" });
    expect(() => parseImportQuery('SELECT 1) AS t; DROP TABLE x; SELECT (1')).toThrow(/without its/);
    expect(() => parseImportQuery('SELECT 1 FROM t; DROP TABLE x')).toThrow(/one SELECT statement/);
    expect(() => parseImportQuery('SELECT (1')).toThrow(/without its/);
    expect(() => parseImportQuery('a.b.c.d')).toThrow(/more than three/);
    expect(() => parseImportQuery('dbo.')).toThrow(/ends with/);
  });

  it('parses ADO.NET strings for SQL Server', () => {
    expect(mssqlTarget('Server=tcp:hr.example.com,1444;Database=HR;User Id=svc;Password={p;w}};x};Encrypt=false;TrustServerCertificate=yes')).toMatchObject({
      server: 'hr.example.com', port: 1444, database: 'HR', user: 'svc', password: 'p;w};x', encrypt: false, trustServerCertificate: true,
    });
    expect(mssqlTarget('Server=db\\SQLEXPRESS;Database=HR;User Id=u;Password=p')).toMatchObject({ server: 'db', instanceName: 'SQLEXPRESS', encrypt: true });
    expect(() => mssqlTarget('Server=db;Integrated Security=SSPI')).toThrow(/Integrated Security/);
    expect(() => mssqlTarget('Server=db;Colour=blue')).toThrow(/"colour"/);
  });
});
