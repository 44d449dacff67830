// A mapping value is a source path or a small rule over paths, compiled once (no eval):
//
//   status == "ACTIVE"                 comparison (==, !=), a boolean; a missing path equals null
//   profile.nickName ?? profile.login  the first operand that is not null
//   profile.firstName + " " + profile.lastName   text; null when any operand is null (use ??)
//   "text", 'text', 42, -1.5, true, false, null  literals
//   ( … )                               grouping
//   OU={{department}},OU=Users          a template: a value holding {{…}} is text with paths in it,
//                                       null when any of them is null (seed 004's projection style)
//
// Precedence, loosest first: == !=, then ??, then +. Bare true/false/null and numbers are literals;
// a source key spelled like one is reached as ["true"]. Errors give the position in the value.

import { compilePath } from './paths';

export type Rule =
  | { op: 'path'; path: string; at: number }
  | { op: 'literal'; value: unknown }
  | { op: '==' | '!='; left: Rule; right: Rule }
  | { op: '??' | '+'; args: Rule[] };

export type Evaluator = (raw: unknown) => unknown;

/** Resolves a path as written (an alias, a raw path) to the rule it stands for, or undefined. */
export type PathResolver = (path: string) => Rule | undefined;

export class RuleError extends Error {
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`${reason} at position ${position + 1}`);
  }
}

type Token =
  | { kind: 'string' | 'number' | 'path' | 'keyword'; text: string; value?: unknown; at: number }
  | { kind: 'op'; text: '==' | '!=' | '??' | '+' | '(' | ')'; at: number };

const NUMBER = /-?\d+(?:\.\d+)?(?![^\s()+=!?"'])/y;
const OPS = ['==', '!=', '??', '+', '(', ')'] as const;
const STOP = /[\s()+=!?"']/;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', text: op, at: i });
      i += op.length;
      continue;
    }
    if (c === '"' || c === "'") {
      const { value, end } = readString(src, i);
      tokens.push({ kind: 'string', text: src.slice(i, end), value, at: i });
      i = end;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(src);
    if (num) {
      tokens.push({ kind: 'number', text: num[0], value: Number(num[0]), at: i });
      i = NUMBER.lastIndex;
      continue;
    }
    if (c === '=' || c === '!' || c === '?') throw new RuleError(`unexpected "${c}" (operators are ==, !=, ?? and +)`, i);
    const end = pathEnd(src, i);
    const text = src.slice(i, end);
    if (text === 'true' || text === 'false' || text === 'null') {
      tokens.push({ kind: 'keyword', text, value: text === 'null' ? null : text === 'true', at: i });
    } else {
      tokens.push({ kind: 'path', text, at: i });
    }
    i = end;
  }
  return tokens;
}

function readString(src: string, start: number): { value: string; end: number } {
  const quote = src[start];
  let out = '';
  for (let i = start + 1; i < src.length; i++) {
    const c = src[i];
    if (c === '\\' && i + 1 < src.length) {
      out += src[++i];
      continue;
    }
    if (c === quote) return { value: out, end: i + 1 };
    out += c;
  }
  throw new RuleError(`unterminated string (missing closing ${quote})`, start);
}

/** A path runs to whitespace or an operator, except inside a [value filter], which may hold both. */
function pathEnd(src: string, start: number): number {
  let i = start;
  while (i < src.length) {
    const c = src[i];
    if (c === '[') {
      let quoted = false;
      let j = i + 1;
      for (; j < src.length; j++) {
        const d = src[j];
        if (quoted) {
          if (d === '\\') j++;
          else if (d === '"') quoted = false;
        } else if (d === '"') quoted = true;
        else if (d === ']') break;
      }
      if (j >= src.length) throw new RuleError('unclosed "["', i);
      i = j + 1;
      continue;
    }
    if (STOP.test(c)) break;
    i++;
  }
  return i;
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly srcLength: number,
  ) {}

  parse(): Rule {
    if (this.tokens.length === 0) throw new RuleError('expected a path or a rule, got nothing', 0);
    const rule = this.comparison();
    const rest = this.tokens[this.i];
    if (rest) throw new RuleError(`unexpected ${JSON.stringify(rest.text)}; expected an operator (==, !=, ??, +) or the end`, rest.at);
    return rule;
  }

  private comparison(): Rule {
    const left = this.coalesce();
    const t = this.tokens[this.i];
    if (t?.kind === 'op' && (t.text === '==' || t.text === '!=')) {
      this.i++;
      return { op: t.text, left, right: this.coalesce() };
    }
    return left;
  }

  private coalesce(): Rule {
    return this.chain('??', () => this.concat());
  }

  private concat(): Rule {
    return this.chain('+', () => this.primary());
  }

  private chain(op: '??' | '+', next: () => Rule): Rule {
    const args = [next()];
    for (let t = this.tokens[this.i]; t?.kind === 'op' && t.text === op; t = this.tokens[this.i]) {
      this.i++;
      args.push(next());
    }
    return args.length === 1 ? args[0] : { op, args };
  }

  private primary(): Rule {
    const t = this.tokens[this.i++];
    if (!t) throw new RuleError('expected a path, a literal or "(" after the operator', this.srcLength);
    if (t.kind === 'op') {
      if (t.text !== '(') throw new RuleError(`unexpected "${t.text}"; expected a path, a literal or "("`, t.at);
      const inner = this.comparison();
      const close = this.tokens[this.i++];
      if (close?.kind !== 'op' || close.text !== ')') throw new RuleError('missing ")"', close?.at ?? this.srcLength);
      return inner;
    }
    if (t.kind === 'path') return { op: 'path', path: t.text, at: t.at };
    return { op: 'literal', value: t.value };
  }
}

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

/** Parses a mapping value into its rule tree (paths not yet resolved). */
export function parseRule(src: string): Rule {
  if (src.includes('{{')) return parseTemplate(src);
  return new Parser(tokenize(src), src.length).parse();
}

function parseTemplate(src: string): Rule {
  const args: Rule[] = [];
  let last = 0;
  for (const m of src.matchAll(PLACEHOLDER)) {
    const at = m.index + m[0].indexOf(m[1]);
    if (m[1] === '') throw new RuleError('empty {{}} placeholder', m.index);
    if (/^secret\s*:/i.test(m[1])) throw new RuleError('a secret cannot be a mapped value', m.index);
    if (m.index > last) args.push({ op: 'literal', value: src.slice(last, m.index) });
    args.push({ op: 'path', path: m[1], at });
    last = m.index + m[0].length;
  }
  const stray = src.indexOf('{{', last);
  if (stray >= 0) throw new RuleError('"{{" without a closing "}}"', stray);
  if (last < src.length) args.push({ op: 'literal', value: src.slice(last) });
  return args.length === 1 ? args[0] : { op: '+', args };
}

/** Replaces each path by what `resolve` says it stands for (aliases), checking that paths parse. */
export function resolveRule(rule: Rule, resolve: PathResolver): Rule {
  switch (rule.op) {
    case 'path': {
      const alias = resolve(rule.path);
      if (alias) return alias;
      try {
        compilePath(rule.path);
      } catch (err) {
        // The path's own message gives the position within the path; add where the path starts.
        const where = rule.at > 0 ? ` (the path starts at position ${rule.at + 1})` : '';
        throw new Error(`${(err as Error).message}${where}`);
      }
      return rule;
    }
    case 'literal':
      return rule;
    case '==':
    case '!=':
      return { op: rule.op, left: resolveRule(rule.left, resolve), right: resolveRule(rule.right, resolve) };
    default:
      return { op: rule.op, args: rule.args.map((a) => resolveRule(a, resolve)) };
  }
}

/** The source paths a rule reads. */
export function rulePaths(rule: Rule, into: string[] = []): string[] {
  switch (rule.op) {
    case 'path':
      into.push(rule.path);
      break;
    case 'literal':
      break;
    case '==':
    case '!=':
      rulePaths(rule.left, into);
      rulePaths(rule.right, into);
      break;
    default:
      for (const a of rule.args) rulePaths(a, into);
  }
  return into;
}

export function compileRule(rule: Rule): Evaluator {
  switch (rule.op) {
    case 'path': {
      const get = compilePath(rule.path);
      return (raw) => get(raw) ?? null;
    }
    case 'literal': {
      const value = rule.value;
      return () => value;
    }
    case '==':
    case '!=': {
      const l = compileRule(rule.left);
      const r = compileRule(rule.right);
      const want = rule.op === '==';
      return (raw) => same(l(raw), r(raw)) === want;
    }
    case '??': {
      const args = rule.args.map(compileRule);
      return (raw) => {
        for (const a of args) {
          const v = a(raw);
          if (v !== null && v !== undefined) return v;
        }
        return null;
      };
    }
    case '+': {
      const args = rule.args.map(compileRule);
      return (raw) => {
        let out = '';
        for (const a of args) {
          const v = a(raw);
          if (v === null || v === undefined) return null;
          out += typeof v === 'object' ? JSON.stringify(v) : String(v);
        }
        return out;
      };
    }
  }
}

// Values compare as they are (no case folding: a rule states the exact value it means); null and a
// missing value are the same.
function same(a: unknown, b: unknown): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  return a === b;
}
