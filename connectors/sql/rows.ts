// Rows as records: values made JSON-safe and stable (the same row read by a page or by id is the
// same raw object), and the soft-delete test. Flag values are compared in one canonical form, so
// `true`, 1, '1' and a BIT(1) byte of 1 all match softDeleteValue true (bit columns, seed 004).

import type { SourceObject } from '../types';
import { DELTA_ALIAS, ID_ALIAS } from './queries';

function jsonSafe(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('hex');
  return v;
}

function canonical(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (Buffer.isBuffer(v)) return v.length > 0 && v.length <= 6 ? String(v.readUIntBE(0, v.length)) : v.toString('hex');
  const s = String(v).trim();
  const lower = s.toLowerCase();
  if (lower === 'true') return '1';
  if (lower === 'false') return '0';
  return s;
}

export interface SoftDelete {
  /** The row key holding the flag (the column's name as the database returns it). */
  column: string;
  deletedValue: boolean | number | string;
}

export function isDeleted(row: Record<string, unknown>, sd: SoftDelete | undefined): boolean {
  if (!sd) return false;
  const v = canonical(row[sd.column]);
  return v !== null && v === canonical(sd.deletedValue);
}

/** The row as the source said it, without the connector's own helper columns. The store's
 *  "never back in time" rule is not asked for (updatedAt null): a row whose delta value moved
 *  backwards is still the row as it is now. */
export function toObject(resource: string, row: Record<string, unknown>): SourceObject {
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (k !== ID_ALIAS && k !== DELTA_ALIAS) raw[k] = jsonSafe(v);
  return { type: 'object', resource, id: String(row[ID_ALIAS]), raw, updatedAt: null };
}
