import type { DialectName } from '../connection-string';
import { mariadbDialect } from './mariadb';
import { mssqlDialect } from './mssql';
import { postgres } from './postgres';
import type { Dialect } from './types';

const DIALECTS: Record<DialectName, Dialect> = { postgres, mariadb: mariadbDialect, mssql: mssqlDialect };

export const dialectNamed = (name: DialectName): Dialect => DIALECTS[name];
export type { ColumnClass, ColumnInfo, Dialect, FailureKind, QueryResult, SqlSession } from './types';
