// Which attribute paths a SCIM filter or a mapping reads, and whether the source's objects have
// them. A filter on a path that never occurs (seed 000's `type.name` on Okta groups, whose `type`
// is a string) is valid SCIM yet silently keeps nothing, and a mapping from such a path (seed 004's
// `emails[0].value` on Okta's raw users) stores null on every row: both earn a warning when the
// connector is created.

import type { Filter } from 'scim2-parse-filter';
import { parseFilter } from './filter';
import { compileMappingEntry } from './mapping';
import { parsePath } from './paths';

export function filterAttributePaths(expr: string): string[] {
  const paths = new Set<string>();
  collect(parseFilter(expr), '', paths);
  return [...paths];
}

function collect(f: Filter, base: string, into: Set<string>): void {
  const at = (p: string) => (base ? `${base}.${p}` : p);
  switch (f.op) {
    case 'and':
    case 'or':
      f.filters.forEach((sub) => collect(sub, base, into));
      return;
    case 'not':
      collect(f.filter, base, into);
      return;
    case '[]':
      into.add(at(f.attrPath));
      collect(f.valFilter, at(f.attrPath), into);
      return;
    default:
      into.add(at(f.attrPath));
  }
}

/**
 * Whether `path` can occur given the known paths of a resource: equal (case-insensitively, as
 * SCIM names are), under a `prefix.*` entry, or a parent of a known path (`type` of `type.id`).
 */
export function pathIsKnown(path: string, known: readonly string[]): boolean {
  const p = path.toLowerCase();
  return known.some((entry) => {
    const k = entry.toLowerCase();
    if (k.endsWith('.*')) {
      const prefix = k.slice(0, -2);
      return p === prefix || p.startsWith(`${prefix}.`);
    }
    return p === k || k.startsWith(`${p}.`);
  });
}

/** The longest known leaf that `path` reaches into (`type` for `type.name`), for a hint. */
export function knownLeafAbove(path: string, known: readonly string[]): string | undefined {
  const parts = path.split('.');
  for (let n = parts.length - 1; n > 0; n--) {
    const prefix = parts.slice(0, n).join('.');
    if (known.some((k) => k.toLowerCase() === prefix.toLowerCase())) return prefix;
  }
  return undefined;
}

/** `emails[type eq "work"].value` → `emails.value`: the attribute names a path walks through. */
export function attributePathOf(path: string): string {
  return parsePath(path)
    .filter((s): s is string => typeof s === 'string')
    .join('.');
}

export interface MappingPathWarning {
  /** The mapping key (target attribute). */
  key: string;
  /** The source path, after aliases, that the objects cannot have. */
  path: string;
  message: string;
}

/**
 * Mapping entries that read a path the resource's objects never carry, after the connector's path
 * aliases (so `name.givenName` on Okta is checked as `profile.firstName`). `what` names the objects
 * in the message ("okta users"). Values that do not compile are reported elsewhere, not here.
 */
export function unknownMappingPaths(
  map: Readonly<Record<string, string>>,
  known: readonly string[],
  what: string,
  aliases?: Readonly<Record<string, string>>,
): MappingPathWarning[] {
  const out: MappingPathWarning[] = [];
  for (const [key, source] of Object.entries(map)) {
    let paths: string[];
    try {
      paths = compileMappingEntry(key, source, { aliases }).paths();
    } catch {
      continue;
    }
    for (const path of paths) {
      const attr = attributePathOf(path);
      if (pathIsKnown(attr, known)) continue;
      const shown = path === source ? path : `${path} (from ${source})`;
      out.push({ key, path, message: `source path ${shown} does not occur on ${what}, so ${key} would be null on every row` });
    }
  }
  return out;
}
