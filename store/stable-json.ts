import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so two attribute objects that differ only in key
 * order (sources do not promise one) have the same text and the same content hash.
 * Follows JSON.stringify otherwise: toJSON is honoured, undefined members are dropped,
 * undefined array items become null.
 */
export function stableStringify(value: unknown): string {
  return write(value) ?? 'null';
}

function write(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'bigint':
      throw new TypeError('attributes cannot hold a bigint: convert it to a string or number in the mapping');
    case 'object':
      break;
    default:
      return undefined; // undefined, functions, symbols
  }
  if (Array.isArray(value)) return `[${value.map((v) => write(v) ?? 'null').join(',')}]`;
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(obj).sort()) {
    const v = write(obj[key]);
    if (v !== undefined) parts.push(`${JSON.stringify(key)}:${v}`);
  }
  return `{${parts.join(',')}}`;
}

/** Content hash of an already stable JSON text (sha1: a change detector, not a security check). */
export function contentHash(stableJson: string): string {
  // Most links (a million group memberships) carry no attributes: one hash, computed once.
  if (stableJson === '{}') return EMPTY_OBJECT_HASH;
  return createHash('sha1').update(stableJson).digest('base64url');
}

const EMPTY_OBJECT_HASH = createHash('sha1').update('{}').digest('base64url');
