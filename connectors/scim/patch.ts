// An attribute-level delta in the two forms a SCIM server takes: PATCH operations (RFC 7644
// §3.5.2) that name only what changes, or — for a server without PATCH — the current resource
// with the delta applied, to PUT back whole. Paths are SCIM paths (`name.givenName`,
// `emails[type eq "work"].value`, an extension's URN path).

import { assignPath, compilePath, parsePath } from '../../config/paths';
import { ConnectorError } from '../errors';
import type { AttributeDelta } from '../framework/spi';
import { quote, type ScimDoc } from './api';

export interface PatchOperation {
  op: 'add' | 'remove' | 'replace';
  path: string;
  value?: unknown;
}

export const isEmptyDelta = (d: AttributeDelta): boolean =>
  Object.keys(d.replace ?? {}).length === 0 && Object.keys(d.add ?? {}).length === 0 && Object.keys(d.remove ?? {}).length === 0;

/** The value filter that selects one element of a multi-valued attribute. */
function elementPath(path: string, v: unknown): string | null {
  const value = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as ScimDoc).value : v;
  if (typeof value === 'string') return `${path}[value eq ${quote(value)}]`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${path}[value eq ${String(value)}]`;
  return null;
}

/** replace with null clears the attribute (a `remove` op); add/remove touch single values. */
export function toPatchOps(delta: AttributeDelta): PatchOperation[] {
  const ops: PatchOperation[] = [];
  for (const [path, value] of Object.entries(delta.replace ?? {})) {
    ops.push(value === null || value === undefined ? { op: 'remove', path } : { op: 'replace', path, value });
  }
  for (const [path, values] of Object.entries(delta.add ?? {})) if (values.length) ops.push({ op: 'add', path, value: values });
  for (const [path, values] of Object.entries(delta.remove ?? {})) {
    for (const v of values) {
      const at = elementPath(path, v);
      if (!at) throw new ConnectorError('bad-request', `cannot remove a value of ${path}: SCIM selects values by their "value", and this one has none`);
      ops.push({ op: 'remove', path: at });
    }
  }
  return ops;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const valueOf = (v: unknown): unknown => (v !== null && typeof v === 'object' && !Array.isArray(v) && 'value' in v ? (v as ScimDoc).value : v);

/** Schema URNs a set of attribute paths writes into (`urn:…:enterprise:2.0:User:employeeNumber`). */
export function extensionSchemas(paths: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    const first = parsePath(p)[0];
    if (typeof first === 'string' && /^urn:/i.test(first)) out.add(first);
  }
  return [...out];
}

/** The resource as it should be after the delta, ready to PUT: read-only parts dropped. */
export function mergeDelta(current: ScimDoc, delta: AttributeDelta): ScimDoc {
  const doc = JSON.parse(JSON.stringify(current)) as ScimDoc;
  for (const k of ['meta', 'groups']) delete doc[k];
  for (const [path, value] of Object.entries(delta.replace ?? {})) {
    if (value === null || value === undefined) {
      // Absent and null mean the same in SCIM; an absent key is what every server accepts.
      if (compilePath(path)(doc) !== undefined) assignPath(doc, path, undefined);
    } else assignPath(doc, path, value);
  }
  for (const [path, values] of Object.entries(delta.add ?? {})) {
    const existing = compilePath(path)(doc);
    const list = Array.isArray(existing) ? [...(existing as unknown[])] : [];
    for (const v of values) if (!list.some((e) => same(e, v) || same(valueOf(e), valueOf(v)))) list.push(v);
    assignPath(doc, path, list);
  }
  for (const [path, values] of Object.entries(delta.remove ?? {})) {
    const existing = compilePath(path)(doc);
    if (!Array.isArray(existing)) continue;
    assignPath(doc, path, existing.filter((e) => !values.some((v) => same(e, v) || same(valueOf(e), valueOf(v)))));
  }
  const schemas = new Set<string>(Array.isArray(doc.schemas) ? (doc.schemas as string[]) : []);
  for (const s of extensionSchemas([...Object.keys(delta.replace ?? {}), ...Object.keys(delta.add ?? {})])) schemas.add(s);
  if (schemas.size) doc.schemas = [...schemas];
  return doc;
}
