// The config resolved against the database, once per connector: the source is probed for its
// columns (zero rows), each configured column is found (exactly, else case-insensitively when that
// is unambiguous: PostgreSQL folds unquoted names to lower case, seed 004 writes EmployeeId), and
// the delta column's type is checked. Mistakes are config errors naming the field.
//
// Why here and not at `create`: create runs in the CLI, which never resolves the references in a
// connection string, so it cannot reach the database. The first run (and `tiger connector test`)
// refuses instead, before anything is read or written.

import { ConnectorError } from '../errors';
import type { SqlConfig } from './config';
import type { ColumnClass, ColumnInfo, Dialect } from './dialects/types';
import { probe, type Shape } from './queries';
import type { SoftDelete } from './rows';
import { fromClause, parseImportQuery } from './source';

export interface Plan {
  shape: Shape;
  softDelete?: SoftDelete;
  /** The delta column's name as the database has it (kept in the watermark). */
  deltaName?: string;
}

const DATE_REFUSAL =
  'a date column stores only the day, with no time, so several changes on one day would be missed by delta imports; use a datetime2 column (timestamp on PostgreSQL, DATETIME(6) on MariaDB) for time-of-day precision';

/** Delta column classes each deltaColumnType accepts ('other' = the type could not be read). */
const ACCEPTS: Record<string, readonly ColumnClass[]> = {
  datetime: ['time', 'time-tz', 'other'],
  datetime2: ['time', 'time-tz', 'other'],
  long: ['integer', 'other'],
  bigint: ['integer', 'other'],
  rowversion: ['binary', 'rowversion', 'other'],
  binary: ['binary', 'other'],
};

export type Runner = (stmt: { sql: string; params: unknown[] }, field: string, probing?: boolean) => Promise<{ rows: Record<string, unknown>[]; columns: ColumnInfo[] }>;

export async function makePlan(label: string, config: SqlConfig, d: Dialect, run: Runner): Promise<Plan> {
  const from = fromClause(parseImportQuery(config.importQuery), d.quoteIdent);
  const { columns } = await run(probe(from), 'importQuery', true);
  const bad = (field: string, message: string) => new ConnectorError('config', `${label}: config.${field}: ${message}`);
  const names = columns.map((c) => c.name);
  const shown = names.length > 30 ? `${names.slice(0, 30).join(', ')}, …` : names.join(', ');
  const find = (field: string, name: string): ColumnInfo => {
    const exact = columns.find((c) => c.name === name);
    if (exact) return exact;
    const folded = columns.filter((c) => c.name.toLowerCase() === name.toLowerCase());
    if (folded.length === 1) return folded[0]!;
    if (folded.length > 1) throw bad(field, `column ${JSON.stringify(name)} matches ${folded.map((c) => c.name).join(' and ')} when case is ignored; write it exactly`);
    throw bad(field, `importQuery has no column ${JSON.stringify(name)} (it has ${shown || 'no columns'})`);
  };
  const col = (c: ColumnInfo) => `t.${d.quoteIdent(c.name)}`;

  const id = find('externalIdColumn', config.externalIdColumn);
  let delta: Shape['delta'];
  let deltaName: string | undefined;
  if (config.deltaColumn) {
    const field = config.deltaField;
    const dc = find(field, config.deltaColumn);
    if (dc.cls === 'date') throw bad(field, `${dc.name} is of type ${dc.type}, which cannot be a delta column: ${DATE_REFUSAL}`);
    const type = config.deltaColumnType;
    if (type === 'rowversion' && !d.hasRowversion) {
      throw bad('deltaColumnType', `rowversion exists only on SQL Server; on this database use bigint (a change counter) or datetime2 (a modification time)`);
    }
    if (!ACCEPTS[type]!.includes(dc.cls)) {
      const fits = Object.entries(ACCEPTS).filter(([t, cls]) => cls.includes(dc.cls) && (t !== 'rowversion' || d.hasRowversion)).map(([t]) => t);
      throw bad('deltaColumnType', `is ${type}, but ${dc.name} is of type ${dc.type}${fits.length ? ` (use ${fits.join(' or ')})` : ''}`);
    }
    const cls: ColumnClass = type === 'rowversion' ? 'rowversion' : dc.cls === 'other' ? OTHER_AS[type]! : dc.cls;
    delta = { expr: col(dc), cls, deltaType: type };
    deltaName = dc.name;
  }
  let softDelete: SoftDelete | undefined;
  let flag: ColumnInfo | undefined;
  if (config.softDelete) {
    flag = find(config.softDelete.field, config.softDelete.column);
    softDelete = { column: flag.name, deletedValue: config.softDelete.deletedValue };
  }

  let select = 't.*';
  if (config.columnsToLoad.length) {
    const chosen: ColumnInfo[] = [];
    const add = (c: ColumnInfo) => chosen.includes(c) || chosen.push(c);
    config.columnsToLoad.forEach((n, i) => add(find(`columnsToLoad[${i}]`, n)));
    // Always loaded: without them a row has no id, no position and no deleted flag.
    add(id);
    if (delta) add(columns.find((c) => c.name === deltaName)!);
    if (flag) add(flag);
    select = chosen.map(col).join(', ');
  }
  return { shape: { from, select, id: { expr: col(id), cls: id.cls === 'date' ? 'other' : id.cls }, delta }, softDelete, deltaName };
}

/** A delta column whose type the driver did not name is compared as what the config says. */
const OTHER_AS: Record<string, ColumnClass> = { datetime: 'time', datetime2: 'time', long: 'integer', bigint: 'integer', binary: 'binary' };
