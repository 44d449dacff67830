// Okta `filter` and `search` expressions (SCIM-like): `attr op "value"` joined by and/or/not and
// parentheses. `filter` is restricted per endpoint to a few attributes and operators; `search`
// accepts any attribute. Dates are compared as instants, strings case-insensitively.

import { invalidSearch } from './errors';

export type AttrValue = string | number | boolean | null | undefined | AttrValue[];
/** Returns an attribute by dotted path; timestamps come back as epoch ms numbers. */
export type Getter<T> = (item: T, path: string) => AttrValue;
export type Predicate<T> = (item: T) => boolean;

export interface FilterRules {
  /** attribute → allowed operators; undefined = any attribute and operator (search). */
  allowed?: Record<string, string[]>;
}

type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; inner: Node }
  | { kind: 'cmp'; attr: string; op: string; value: string | number | boolean | null };

const OPS = new Set(['eq', 'ne', 'sw', 'co', 'ew', 'gt', 'ge', 'lt', 'le', 'pr']);

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) { i++; continue; }
    if (ch === '(' || ch === ')') { tokens.push(ch); i++; continue; }
    if (ch === '"') {
      let j = i + 1;
      let s = '"';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\') j++;
        s += text[j] ?? '';
        j++;
      }
      if (j >= text.length) throw invalidSearch('unterminated string literal');
      tokens.push(s + '"');
      i = j + 1;
      continue;
    }
    const m = /^[^\s()"]+/.exec(text.slice(i))!;
    tokens.push(m[0]);
    i += m[0].length;
  }
  return tokens;
}

function parse(text: string): Node {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos]?.toLowerCase();
  const orExpr = (): Node => {
    let left = andExpr();
    while (peek() === 'or') { pos++; left = { kind: 'or', left, right: andExpr() }; }
    return left;
  };
  const andExpr = (): Node => {
    let left = unary();
    while (peek() === 'and') { pos++; left = { kind: 'and', left, right: unary() }; }
    return left;
  };
  const unary = (): Node => {
    if (peek() === 'not') { pos++; return { kind: 'not', inner: unary() }; }
    if (peek() === '(') {
      pos++;
      const inner = orExpr();
      if (tokens[pos++] !== ')') throw invalidSearch('missing closing parenthesis');
      return inner;
    }
    const attr = tokens[pos++];
    const op = tokens[pos++]?.toLowerCase();
    if (!attr || !op || !OPS.has(op)) throw invalidSearch(`expected "attribute operator value" near ${attr ?? 'end of input'}`);
    if (op === 'pr') return { kind: 'cmp', attr, op, value: null };
    const raw = tokens[pos++];
    if (raw === undefined) throw invalidSearch(`missing value after ${attr} ${op}`);
    return { kind: 'cmp', attr, op, value: literal(raw) };
  };
  const node = orExpr();
  if (pos < tokens.length) throw invalidSearch(`unexpected ${tokens[pos]}`);
  return node;
}

function literal(raw: string): string | number | boolean | null {
  if (raw.startsWith('"')) return raw.slice(1, -1);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (raw === 'null') return null;
  const n = Number(raw);
  if (Number.isFinite(n)) return n;
  throw invalidSearch(`values must be quoted: ${raw}`);
}

function check(node: Node, rules: FilterRules): void {
  if (node.kind === 'cmp') {
    if (!rules.allowed) return;
    const ops = rules.allowed[node.attr];
    if (!ops) throw invalidSearch(`filtering on ${node.attr} is not supported`);
    if (!ops.includes(node.op)) throw invalidSearch(`operator ${node.op} is not supported for ${node.attr}`);
  } else if (node.kind === 'not') {
    if (rules.allowed) throw invalidSearch('not is not supported in filter');
    check(node.inner, rules);
  } else {
    check(node.left, rules);
    check(node.right, rules);
  }
}

export function compileFilter<T>(text: string, get: Getter<T>, rules: FilterRules = {}): Predicate<T> {
  const root = parse(text);
  check(root, rules);
  const evaluate = (node: Node, item: T): boolean => {
    switch (node.kind) {
      case 'and': return evaluate(node.left, item) && evaluate(node.right, item);
      case 'or': return evaluate(node.left, item) || evaluate(node.right, item);
      case 'not': return !evaluate(node.inner, item);
      case 'cmp': {
        const v = get(item, node.attr);
        const values = Array.isArray(v) ? v : [v];
        return values.some((x) => compare(x as AttrValue, node.op, node.value));
      }
    }
  };
  return (item) => evaluate(root, item);
}

function compare(actual: AttrValue, op: string, expected: string | number | boolean | null): boolean {
  if (op === 'pr') return actual !== null && actual !== undefined && actual !== '';
  if (actual === undefined || actual === null) return op === 'ne' ? expected !== null : expected === null && op === 'eq';
  let a: string | number | boolean = actual as string | number | boolean;
  let b: string | number | boolean | null = expected;
  if (typeof a === 'number' && typeof b === 'string') {
    const t = Date.parse(b);
    if (Number.isNaN(t)) throw invalidSearch(`not a date: ${b}`);
    b = t;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    a = a.toLowerCase();
    b = b.toLowerCase();
  }
  switch (op) {
    case 'eq': return a === b;
    case 'ne': return a !== b;
    case 'sw': return typeof a === 'string' && typeof b === 'string' && a.startsWith(b);
    case 'ew': return typeof a === 'string' && typeof b === 'string' && a.endsWith(b);
    case 'co': return typeof a === 'string' && typeof b === 'string' && a.includes(b);
    case 'gt': return b !== null && a > b;
    case 'ge': return b !== null && a >= b;
    case 'lt': return b !== null && a < b;
    case 'le': return b !== null && a <= b;
  }
  return false;
}

/** Resolves a dotted path in plain JSON; arrays fan out (e.g. `target.id` on log events). */
export function jsonPath(obj: unknown, path: string): AttrValue {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (Array.isArray(cur)) cur = cur.map((x) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[part] : undefined));
    else if (cur && typeof cur === 'object') cur = (cur as Record<string, unknown>)[part];
    else return undefined;
  }
  return cur as AttrValue;
}
