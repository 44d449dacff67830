// An attribute-level delta (replace / add / remove) as the profile keys to send. `add`/`remove`
// touch single values of a multi-valued (string-array) property, so they are computed from the
// object's current value; `replace` needs nothing current. Keys the delta does not name are not
// in the result, so a partial update leaves them exactly as they are.

import { toMultiValued } from '../../config/multi-valued';
import type { AttributeDelta } from '../framework/spi';
import { badRequest, nameOf, PASSWORD_PATH, resolveValues, type ResolvedValues, type WriteSchema } from './write-paths';

export interface ResolvedDelta {
  replace: ResolvedValues;
  add: ResolvedValues;
  remove: ResolvedValues;
}

/** Checks every name and value of the delta, before any request. */
export function resolveDelta(schema: WriteSchema, delta: AttributeDelta, label: string, what: string): ResolvedDelta {
  const problems: string[] = [];
  const replace = resolveValues(schema, delta.replace ?? {}, problems);
  const add = resolveValues(schema, delta.add ?? {}, problems);
  const remove = resolveValues(schema, delta.remove ?? {}, problems);
  for (const part of [add, remove]) {
    for (const [path, values] of part.values) {
      if (path === PASSWORD_PATH) problems.push(`${nameOf(part, path)}: a password is replaced, not added to or removed from`);
      else if (!Array.isArray(values)) problems.push(`${nameOf(part, path)}: add/remove take a list of values`);
      else if (replace.values.has(path)) problems.push(`${nameOf(part, path)}: both replaced and added to or removed from in one change`);
    }
  }
  if (problems.length) throw badRequest(label, what, problems, schema.cls);
  return { replace, add, remove };
}

export const needsCurrent = (d: ResolvedDelta) => d.add.values.size > 0 || d.remove.values.size > 0;
export const isEmpty = (d: ResolvedDelta) => d.replace.values.size === 0 && !needsCurrent(d);

/** Profile key → new value (null clears) for every profile property the delta names. */
export function profileChanges(d: ResolvedDelta, current: Record<string, unknown> | undefined, label: string, what: string, schema: WriteSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, v] of d.replace.values) if (path !== PASSWORD_PATH) out[path.slice('profile.'.length)] = v;
  const problems: string[] = [];
  const touched = new Set([...d.add.values.keys(), ...d.remove.values.keys()]);
  for (const path of touched) {
    const prop = path.slice('profile.'.length);
    const name = nameOf(d.add.named.has(path) ? d.add : d.remove, path);
    const now = current?.[prop];
    // A list property is one declared multi-valued, or one Okta already holds as an array (a
    // string-array attribute of the org not declared here); anything else is replaced, not added to.
    if (!schema.multi.has(prop) && !Array.isArray(now)) {
      problems.push(`${name}: is not multi-valued (declare it in config.customAttributes.${schema.cls} with multiValued: true); replace it instead`);
      continue;
    }
    let list: unknown[];
    try {
      list = toMultiValued(now) ?? [];
    } catch (err) {
      problems.push(`${name}: its current value is not a list (${(err as Error).message})`);
      continue;
    }
    const adding = (d.add.values.get(path) as unknown[] | undefined) ?? [];
    const removing = new Set(((d.remove.values.get(path) as unknown[] | undefined) ?? []).map(String));
    const seen = new Set(list.map(String));
    const next = [...list];
    for (const v of adding) {
      if (seen.has(String(v))) continue;
      seen.add(String(v));
      next.push(v);
    }
    out[prop] = next.filter((v) => !removing.has(String(v)));
  }
  if (problems.length) throw badRequest(label, what, problems, schema.cls);
  return out;
}

/** The new password of a delta, if it replaces one. */
export function passwordOf(d: ResolvedDelta): string | null | undefined {
  return d.replace.values.get(PASSWORD_PATH) as string | null | undefined;
}

/** `current` with `changes` applied; a null change removes the property. */
export function mergedProfile(current: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  const out = { ...current };
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** True when applying `changes` leaves `current` as it is. */
export function changesNothing(current: Record<string, unknown>, changes: Record<string, unknown>): boolean {
  return Object.entries(changes).every(([k, v]) => JSON.stringify(v ?? null) === JSON.stringify(current[k] ?? null));
}
