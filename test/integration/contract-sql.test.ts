// The connector contract (read side: full reads, get by id, deltas) for the SQL source against
// the machine's real PostgreSQL (a users table, isActiveColumn, a timestamptz delta column) and
// MariaDB (a groups table, softDeleteColumn, a bigint change counter). One SQL connector reads
// the class its objectType names, so each harness serves one class.
import { createSqlConnector, sqlType } from '../../connectors/sql';
import { describeConnectorContract, type ConnectorHarness } from '../connector-contract';
import { mariadbEngine, postgresEngine, type Engine } from '../support/sql-engines';

const run = `c${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NO_PARTIAL = 'a SQL page is returned whole or the query fails: there is no partial answer to mark incomplete';
const NO_WRITES = (): never => {
  throw new Error('the sql connector is read-only');
};

function usersOnPostgres(): ConnectorHarness {
  let e: Engine;
  const ids = Array.from({ length: 12 }, (_, i) => `u${String(i).padStart(3, '0')}`);
  return {
    name: 'sql (PostgreSQL, objectType User)',
    manifest: sqlType.manifest,
    classes: ['users'],
    async open() {
      e = await postgresEngine(run);
      await e.exec(`CREATE TABLE ${e.table('staff')} (id VARCHAR(10) PRIMARY KEY, email VARCHAR(100), name VARCHAR(100), modified_at timestamptz(6), active boolean NOT NULL)`);
      return createSqlConnector(
        { name: 'contract-sql-pg', type: 'sql' },
        { connectionString: e.url, importQuery: e.table('staff'), externalIdColumn: 'id', objectType: 'User', watermarkColumn: 'modified_at', deltaColumnType: 'datetime2', isActiveColumn: 'active', commitLag: '1s', pageSize: 5 },
      );
    },
    async seed() {
      for (const id of ids) await e.exec(`INSERT INTO ${e.table('staff')} VALUES (?, ?, ?, now() - interval '1 minute', true)`, [id, `${id}@example.com`, `Name ${id}`]);
      return { ids: { users: ids } };
    },
    async mutate(_cls, id) {
      await e.exec(`UPDATE ${e.table('staff')} SET name = 'changed', modified_at = now() WHERE id = ?`, [id]);
      await sleep(1200); // past commitLag
    },
    async remove(_cls, id) {
      await e.exec(`UPDATE ${e.table('staff')} SET active = false, modified_at = now() WHERE id = ?`, [id]);
      await sleep(1200);
    },
    writeSample: NO_WRITES,
    settleMs: 1500,
    unsupported: (kase) => (kase === 'incomplete' ? NO_PARTIAL : undefined),
    cleanup: async () => e?.close(),
  };
}

function groupsOnMariadb(): ConnectorHarness {
  let e: Engine;
  const ids = Array.from({ length: 12 }, (_, i) => `g${String(i).padStart(3, '0')}`);
  const bump = async (id: string, set: string) => {
    const [{ m }] = (await e.exec(`SELECT CAST(MAX(version) AS CHAR) AS m FROM teams`)) as [{ m: string }];
    await e.exec(`UPDATE teams SET ${set}, version = ? WHERE id = ?`, [(BigInt(m) + 1n).toString(), id]);
  };
  return {
    name: 'sql (MariaDB, objectType Group)',
    manifest: sqlType.manifest,
    classes: ['groups'],
    async open() {
      e = await mariadbEngine(run);
      await e.exec('CREATE TABLE teams (id VARCHAR(10) PRIMARY KEY, name VARCHAR(100), version BIGINT NOT NULL, gone TINYINT(1) NOT NULL DEFAULT 0)');
      return createSqlConnector(
        { name: 'contract-sql-mariadb', type: 'sql' },
        { connectionString: e.url, importQuery: 'SELECT id, name, version, gone FROM teams', externalIdColumn: 'id', objectType: 'Group', deltaColumn: 'version', deltaColumnType: 'bigint', softDeleteColumn: 'gone', softDeleteValue: 1, pageSize: 5 },
      );
    },
    async seed() {
      // The last ids have the lowest versions: a watermark (the highest version, read again)
      // never covers the rows the delta cases change.
      for (const [i, id] of ids.entries()) await e.exec('INSERT INTO teams (id, name, version) VALUES (?, ?, ?)', [id, `Team ${id}`, 1000 - i]);
      return { ids: { groups: ids } };
    },
    mutate: (_cls, id) => bump(id, "name = 'renamed'"),
    remove: (_cls, id) => bump(id, 'gone = 1'),
    writeSample: NO_WRITES,
    unsupported: (kase) => (kase === 'incomplete' ? NO_PARTIAL : undefined),
    cleanup: async () => e?.close(),
  };
}

describeConnectorContract(usersOnPostgres());
describeConnectorContract(groupsOnMariadb());
