// The SQL source's config, seed 004's fields exactly: connectionString, importQuery,
// externalIdColumn, objectType, watermarkColumn / deltaColumn, deltaColumnType, softDeleteColumn
// with softDeleteValue, the isActiveColumn alias (inverted: 0 means deleted), columnsToLoad; plus
// commitLag and pageSize. Messages never quote the connection string: it holds a password once
// references are resolved.

import { z } from 'zod';
import { parseDuration } from '../../config/duration';
import { dialectOf } from './connection-string';
import { parseImportQuery } from './source';

const KNOWN = [
  'connectionString', 'importQuery', 'externalIdColumn', 'objectType', 'watermarkColumn', 'deltaColumn', 'deltaColumnType',
  'softDeleteColumn', 'softDeleteValue', 'isActiveColumn', 'columnsToLoad', 'commitLag', 'pageSize',
];
export const DELTA_TYPES = ['datetime', 'datetime2', 'long', 'bigint', 'rowversion', 'binary'] as const;
export type DeltaColumnType = (typeof DELTA_TYPES)[number];
/** How a delta type is compared and bounded: a clock, a counter, or bytes. */
export type DeltaKind = 'time' | 'counter' | 'rowversion' | 'binary';
export const KIND_OF: Record<DeltaColumnType, DeltaKind> = {
  datetime: 'time', datetime2: 'time', long: 'counter', bigint: 'counter', rowversion: 'rowversion', binary: 'binary',
};
/** objectType → the manifest class its rows are. */
export const CLASS_OF = { user: 'users', group: 'groups' } as const;

const columnName = (field: string) =>
  z
    .string({ error: `${field} must be a column name such as EmployeeId` })
    .trim()
    .min(1, `${field} must be a column name such as EmployeeId`)
    .max(128, `${field} is longer than 128 characters, which no supported database allows for a column name`);

const flagValue = z.union([z.boolean(), z.number(), z.string()], { error: 'softDeleteValue must be true, false, 0, 1 or a text value' });

export const sqlConfigSchema = z
  .strictObject(
    {
      connectionString: z
        .string({ error: 'connectionString is required (Server=…;Database=…;User Id=…;Password={{secret:…}}, postgres://… or mariadb://…)' })
        .min(1, 'connectionString is required')
        .superRefine((s, ctx) => {
          try {
            dialectOf(s);
          } catch (e) {
            ctx.addIssue({ code: 'custom', message: `connectionString ${(e as Error).message}` });
          }
        }),
      importQuery: z
        .string({ error: 'importQuery must be a table or view name (dbo.Employees) or a SELECT' })
        .superRefine((q, ctx) => {
          try {
            parseImportQuery(q);
          } catch (e) {
            ctx.addIssue({ code: 'custom', message: `importQuery ${(e as Error).message}` });
          }
        }),
      externalIdColumn: columnName('externalIdColumn'),
      objectType: z
        .string()
        .transform((s) => s.trim().toLowerCase())
        .pipe(z.enum(['user', 'group'], { error: 'objectType must be User or Group' }))
        .default('user'),
      watermarkColumn: columnName('watermarkColumn').optional(),
      deltaColumn: columnName('deltaColumn').optional(),
      deltaColumnType: z
        .string()
        .transform((s) => s.trim().toLowerCase())
        .pipe(z.enum(DELTA_TYPES, { error: `deltaColumnType must be one of ${DELTA_TYPES.join(', ')}` }))
        .default('datetime'),
      softDeleteColumn: columnName('softDeleteColumn').optional(),
      softDeleteValue: flagValue.optional(),
      isActiveColumn: columnName('isActiveColumn').optional(),
      columnsToLoad: z.array(columnName('columnsToLoad[]'), { error: 'columnsToLoad must be a list of column names' }).max(1000).optional(),
      /** How long a transaction may stay open after stamping a row: time-column deltas never read
       *  rows stamped later than the database's clock minus this. */
      commitLag: z
        .string({ error: 'commitLag must be a duration such as 5s' })
        .superRefine((s, ctx) => {
          try {
            const ms = parseDuration(s);
            if (ms > 3_600_000) ctx.addIssue({ code: 'custom', message: 'commitLag must be at most 1h' });
          } catch (e) {
            ctx.addIssue({ code: 'custom', message: `commitLag: ${(e as Error).message}` });
          }
        })
        .default('5s'),
      pageSize: z.number({ error: 'pageSize must be a whole number from 1 to 10000' }).int().min(1).max(10_000).default(1000),
    },
    {
      error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field ${iss.keys.map((k) => `config.${k}`).join(', ')} (a sql connector takes ${KNOWN.join(', ')})` : undefined),
    },
  )
  .superRefine((c, ctx) => {
    if (c.watermarkColumn && c.deltaColumn && c.watermarkColumn !== c.deltaColumn) {
      ctx.addIssue({ code: 'custom', path: ['deltaColumn'], message: 'deltaColumn and watermarkColumn name different columns; they are two names of one field, keep one' });
    }
    if (c.softDeleteColumn && c.isActiveColumn) {
      ctx.addIssue({ code: 'custom', path: ['isActiveColumn'], message: 'isActiveColumn is softDeleteColumn with inverted meaning; give one of them, not both' });
    }
    if (c.softDeleteValue !== undefined && !c.softDeleteColumn && !c.isActiveColumn) {
      ctx.addIssue({ code: 'custom', path: ['softDeleteValue'], message: 'softDeleteValue needs softDeleteColumn (or isActiveColumn)' });
    }
  })
  .transform(({ watermarkColumn, deltaColumn, softDeleteColumn, softDeleteValue, isActiveColumn, columnsToLoad, commitLag, ...rest }) => {
    const flagColumn = softDeleteColumn ?? isActiveColumn;
    return {
      ...rest,
      objectClass: CLASS_OF[rest.objectType],
      deltaColumn: watermarkColumn ?? deltaColumn,
      /** The name the file used for the delta column, for messages. */
      deltaField: watermarkColumn ? ('watermarkColumn' as const) : ('deltaColumn' as const),
      deltaKind: KIND_OF[rest.deltaColumnType],
      /** A row is deleted when this column holds this value (isActiveColumn: when it holds 0). */
      softDelete: flagColumn ? { column: flagColumn, deletedValue: softDeleteValue ?? (isActiveColumn ? 0 : true), field: softDeleteColumn ? 'softDeleteColumn' : 'isActiveColumn' } : undefined,
      columnsToLoad: columnsToLoad ?? [],
      commitLagMs: parseDuration(commitLag),
    };
  });

export type SqlConfig = z.output<typeof sqlConfigSchema>;
export type SqlConfigInput = z.input<typeof sqlConfigSchema>;
