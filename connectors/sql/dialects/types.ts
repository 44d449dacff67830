// One interface over the three engines: how a name is quoted, how a parameter is written, how a
// page is limited, how a delta or id value travels as text and back, what "safe to read up to"
// means, and how a driver error is told apart (missing table, bad value, refused login). The
// SQL the connector runs is built from these pieces alone (connectors/sql/queries.ts).

import type { DialectName } from '../connection-string';

/** What a column is, for comparisons and for the delta type checks. */
export type ColumnClass = 'date' | 'time' | 'time-tz' | 'integer' | 'binary' | 'rowversion' | 'other';

export interface ColumnInfo {
  name: string;
  /** The engine's type name, lower-case (for messages). */
  type: string;
  cls: ColumnClass;
}

export interface QueryResult {
  rows: Record<string, unknown>[];
  columns: ColumnInfo[];
}

/** A pool of connections to one database. Every value goes in `params`, never into `sql`. */
export interface SqlSession {
  query(sql: string, params: readonly unknown[]): Promise<QueryResult>;
  close(): Promise<void>;
}

/** How the engine answered a failed statement, as far as the connector cares. */
export type FailureKind = 'missing-object' | 'syntax' | 'bad-value' | 'auth' | 'unreachable' | 'other';

export interface Dialect {
  readonly name: DialectName;
  /** One name part, quoted so that any character in it is part of the name. */
  quoteIdent(part: string): string;
  /** The n-th parameter (1-based). */
  param(n: number): string;
  /** A SELECT of at most `limit` rows (limitParam is a parameter placeholder). */
  page(q: { select: string; from: string; where: string; orderBy: string; limitParam: string }): string;
  /** A value of a column of this class as text that fromText reads back exactly. */
  asText(expr: string, cls: ColumnClass): string;
  fromText(param: string, cls: ColumnClass): string;
  /** The highest delta value a window may read now, as text (`bound`, null when none), and
   *  whether rows must be strictly below it. Time columns: the database's clock less the lag. */
  bound(q: { cls: ColumnClass; deltaType: string; column: string; from: string; lagMs: number }): { sql: string; params: unknown[]; strict: boolean };
  /** Rowversion exists only on SQL Server. */
  readonly hasRowversion: boolean;
  failure(err: unknown): FailureKind;
  open(connectionString: string): SqlSession;
}
