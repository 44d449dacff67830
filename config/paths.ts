// Source and target paths (`profile.email`, `emails[0].value`, `emails[type eq "work"].value`,
// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`) compiled once into
// steps: mapping and filters run them for every record of every sync, so nothing is parsed per call.
// SCIM attribute names are case-insensitive (RFC 7643 §2.1): the exact key is tried first (sources
// almost always spell it as the path does), and only a miss scans the object's keys.

import type { Filter } from 'scim2-parse-filter';
import { compileFilter, parseFilter, type RecordFilter } from './filter';

/** A value filter in brackets (RFC 7644 §3.10 `emails[type eq "work"]`): selects the first match. */
export interface FilterStep {
  filter: string;
  test: RecordFilter;
  /** Attributes a new element must carry to match (from `eq` terms joined by `and`), for setters. */
  seed: Record<string, unknown> | null;
}
export type Step = string | number | FilterStep;
export type PathGetter = (obj: unknown) => unknown;
export type PathSetter = (obj: Record<string, unknown>, value: unknown) => void;

const NAME = /[^.[\]\s"']+/y;
const INDEX = /\[(\d+)\]/y;
const QUOTED = /\[(?:"([^"]*)"|'([^']*)')\]/y;
// The schema URN of an extension attribute is everything before its last ":" (RFC 7644 §3.10).
const URN = /^urn:[^[]*:/i;

export function parsePath(path: string): Step[] {
  if (typeof path !== 'string' || path.trim() === '') throw new Error('expected a path like profile.email, got an empty path');
  const urn = URN.exec(path);
  if (!urn) return parseSteps(path, 0, []);
  const schema = urn[0].slice(0, -1);
  if (urn[0].length === path.length) throw syntaxError(path, path.length, 'an attribute name after the schema URN');
  return parseSteps(path, urn[0].length, [schema]);
}

function parseSteps(path: string, from: number, steps: Step[]): Step[] {
  let at = from;
  let needName = true;
  while (at < path.length) {
    const ch = path[at];
    if (ch === '[') {
      at = parseBracket(path, at, steps);
      needName = false;
      continue;
    }
    if (ch === '.') {
      if (needName) throw syntaxError(path, at, 'a name');
      at++;
      needName = true;
      continue;
    }
    if (!needName && steps.length > 0) throw syntaxError(path, at, '"." or "["');
    NAME.lastIndex = at;
    const name = NAME.exec(path);
    if (!name) throw syntaxError(path, at, 'a name');
    steps.push(name[0]);
    at = NAME.lastIndex;
    needName = false;
  }
  if (needName) throw syntaxError(path, path.length, 'a name after "."');
  return steps;
}

/** Reads `[0]`, `["key"]` or `[filter]` at `at`; returns the position after the `]`. */
function parseBracket(path: string, at: number, steps: Step[]): number {
  INDEX.lastIndex = at;
  const index = INDEX.exec(path);
  if (index) {
    steps.push(Number(index[1]));
    return INDEX.lastIndex;
  }
  QUOTED.lastIndex = at;
  const quoted = QUOTED.exec(path);
  if (quoted) {
    steps.push(quoted[1] ?? quoted[2]);
    return QUOTED.lastIndex;
  }
  const end = closingBracket(path, at + 1);
  const expected = 'an index like [0] or a quoted key like ["name"], or a value filter like [type eq "work"]';
  if (end < 0) throw syntaxError(path, at, `${expected} closed by "]"`);
  const filter = path.slice(at + 1, end);
  let ast: Filter;
  try {
    ast = parseFilter(filter);
  } catch {
    throw syntaxError(path, at, expected);
  }
  steps.push({ filter, test: compileFilter([filter]), seed: seedOf(ast) });
  return end + 1;
}

/** The `]` closing a value filter, skipping quoted strings (which may hold `]`). */
function closingBracket(path: string, from: number): number {
  let quoted = false;
  for (let i = from; i < path.length; i++) {
    const c = path[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ']') return i;
    else if (c === '[') return -1;
  }
  return -1;
}

function seedOf(f: Filter): Record<string, unknown> | null {
  if (f.op === 'eq' && !f.attrPath.includes('.')) return { [f.attrPath]: f.compValue };
  if (f.op === 'and') {
    const out: Record<string, unknown> = {};
    for (const sub of f.filters) {
      const s = seedOf(sub);
      if (!s) return null;
      Object.assign(out, s);
    }
    return out;
  }
  return null;
}

function syntaxError(path: string, at: number, expected: string): Error {
  return new Error(`invalid path ${JSON.stringify(path)}: expected ${expected} at position ${at + 1}`);
}

// Keys that would otherwise resolve to Object.prototype members (`constructor`, `toString`)
// must only match own properties; every other key skips that check because it is on the hot path.
const hasOwn = Object.prototype.hasOwnProperty;
const inherited = (key: Step) => typeof key === 'string' && key in Object.prototype;

/** The object's own key equal to `key` ignoring case, if any (SCIM names are case-insensitive). */
function keyIgnoringCase(obj: object, key: string, lower: string): string | undefined {
  for (const k in obj) {
    if (k.length === key.length && k !== key && hasOwn.call(obj, k) && k.toLowerCase() === lower) return k;
  }
  return undefined;
}

type StepFn = (obj: unknown) => unknown;

// One specialised function per step, chosen when the path is compiled, so a record pays only for
// the kind of step it meets.
function stepFn(key: Step): StepFn {
  if (typeof key === 'number') {
    return (obj) => (obj !== null && typeof obj === 'object' ? (obj as unknown[])[key] : undefined);
  }
  if (typeof key === 'object') {
    const test = key.test;
    return (obj) => {
      if (obj === null || typeof obj !== 'object') return undefined;
      if (!Array.isArray(obj)) return test(obj as Record<string, unknown>) ? obj : undefined;
      for (const el of obj) if (el !== null && typeof el === 'object' && !Array.isArray(el) && test(el)) return el;
      return undefined;
    };
  }
  const lower = key.toLowerCase();
  if (inherited(key)) {
    return (obj) => {
      if (obj === null || typeof obj !== 'object') return undefined;
      if (hasOwn.call(obj, key)) return (obj as Record<string, unknown>)[key];
      const other = Array.isArray(obj) ? undefined : keyIgnoringCase(obj, key, lower);
      return other === undefined ? undefined : (obj as Record<string, unknown>)[other];
    };
  }
  return (obj) => {
    if (obj === null || typeof obj !== 'object') return undefined;
    const value = (obj as Record<string, unknown>)[key];
    if (value !== undefined || Array.isArray(obj)) return value;
    const other = keyIgnoringCase(obj, key, lower);
    return other === undefined ? undefined : (obj as Record<string, unknown>)[other];
  };
}

export function compilePath(path: string): PathGetter {
  const steps = parsePath(path).map(stepFn);
  if (steps.length === 1) return steps[0];
  if (steps.length === 2) {
    const [s1, s2] = steps;
    return (obj) => s2(s1(obj));
  }
  const n = steps.length;
  return (obj) => {
    let value = obj;
    for (let i = 0; i < n; i++) {
      value = steps[i](value);
      if (value === undefined) return undefined;
    }
    return value;
  };
}

/**
 * Builds what a path names, for writing a target object: missing objects and arrays are created,
 * an existing key spelled in another case is reused, and a value filter picks the first matching
 * element or appends one carrying the filter's `eq` attributes (`emails[type eq "work"].value`
 * creates `{ type: "work", value }`). A filter that says nothing a new element could carry
 * (`emails[value pr]`) is refused when compiled, since it could only ever update.
 */
export function compileSetter(path: string): PathSetter {
  const steps = parsePath(path);
  steps.forEach((s, i) => {
    if (typeof s === 'string' && s in Object.prototype) throw new Error(`invalid path ${JSON.stringify(path)}: cannot write "${s}"`);
    if (typeof s === 'object' && !s.seed) {
      throw new Error(`invalid path ${JSON.stringify(path)}: the filter [${s.filter}] cannot create an element; write it with eq terms joined by and`);
    }
    if (i === steps.length - 1 && typeof s === 'object') throw new Error(`invalid path ${JSON.stringify(path)}: a path to write must end in an attribute, not a filter`);
  });
  return (obj, value) => {
    let at: Record<string | number, unknown> = obj;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      const last = i === steps.length - 1;
      if (typeof s === 'object') {
        at = selectOrAppend(at, s, path);
        continue;
      }
      const key = typeof s === 'string' && !Array.isArray(at) && !hasOwn.call(at, s) ? (keyIgnoringCase(at, s, s.toLowerCase()) ?? s) : s;
      if (last) {
        at[key] = value;
        return;
      }
      let next = at[key];
      if (next === null || next === undefined) {
        next = typeof steps[i + 1] === 'string' ? {} : [];
        at[key] = next;
      } else if (typeof next !== 'object') {
        throw new Error(`cannot write ${path}: ${String(key)} holds a ${typeof next}, not an object`);
      }
      at = next as Record<string | number, unknown>;
    }
  };
}

function selectOrAppend(at: Record<string | number, unknown>, s: FilterStep, path: string): Record<string, unknown> {
  if (!Array.isArray(at)) throw new Error(`cannot write ${path}: [${s.filter}] needs a list of objects`);
  for (const el of at) if (el !== null && typeof el === 'object' && s.test(el as Record<string, unknown>)) return el as Record<string, unknown>;
  const el = { ...s.seed };
  at.push(el);
  return el;
}

/** One-off form of compileSetter (push code compiles its target paths once and reuses them). */
export function assignPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  compileSetter(path)(obj, value);
}
