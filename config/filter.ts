/* eslint-disable @typescript-eslint/no-explicit-any -- these override scim2-parse-filter's Tester, whose signatures take any */
// Filters are SCIM (RFC 7644 §3.4.2.2) expressions parsed by `scim2-parse-filter`. Its evaluator
// compares values exactly (`"active" eq "ACTIVE"` is false) and counts null as present; RFC 7644
// says string comparisons ignore case unless an attribute is caseExact (the default is not), `pr`
// needs a non-empty value, and dateTimes compare chronologically. The subclass below applies those
// rules and reuses the package's parser and walker for everything else.

import { parse, Tester, type Compare, type Filter } from 'scim2-parse-filter';

type CompValue = Compare['compValue'];
export type RecordFilter = (raw: Record<string, unknown>) => boolean;

/** Parses one expression; the error says what was wrong and shows the expression (never a record). */
export function parseFilter(expr: string): Filter {
  if (typeof expr !== 'string' || expr.trim() === '') {
    throw new Error('expected a SCIM filter expression like status eq "ACTIVE", got an empty value');
  }
  try {
    return parse(expr);
  } catch (err) {
    const reason = String((err as Error).message ?? err).replace(/\s+/g, ' ').trim();
    throw new Error(`invalid SCIM filter ${JSON.stringify(expr)} (${reason}); expected e.g. status eq "ACTIVE" or lastUpdated gt "2024-01-01T00:00:00Z"`);
  }
}

export function compileFilter(exprs: string[] | undefined): RecordFilter {
  if (!exprs || exprs.length === 0) return () => true;
  const asts = exprs.map(parseFilter);
  const tester = new Rfc7644Tester();
  if (asts.length === 1) {
    const [ast] = asts;
    return (raw) => tester.test(raw, ast);
  }
  return (raw) => asts.every((ast) => tester.test(raw, ast));
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Both sides as comparable values: instants for two ISO dates, lower case for strings. */
function comparable(r: unknown, v: CompValue): [unknown, unknown] {
  if (typeof r === 'string' && typeof v === 'string') {
    if (ISO_DATE.test(r) && ISO_DATE.test(v)) {
      const a = Date.parse(r);
      const b = Date.parse(v);
      if (!Number.isNaN(a) && !Number.isNaN(b)) return [a, b];
    }
    return [r.toLowerCase(), v.toLowerCase()];
  }
  return [r, v];
}

function ordered(r: unknown, v: CompValue): boolean {
  // RFC 7644: gt/ge/lt/le on booleans (and on null) are not defined, so they never match.
  return v !== null && typeof v !== 'boolean' && r !== null && r !== undefined && typeof r !== 'boolean' && typeof r !== 'object';
}

class Rfc7644Tester extends Tester {
  private readonly paths = new Map<string, string[]>();

  override attrPath(path: string): string[] {
    let steps = this.paths.get(path);
    if (!steps) {
      steps = super.attrPath(path);
      this.paths.set(path, steps);
    }
    return steps;
  }

  // Attribute names are case-insensitive in SCIM; try the exact key first because sources
  // almost always spell it as the filter does, and scanning every key per record is slow.
  override attrTest(path: string[], r: any, op: (r: any) => boolean): boolean {
    if (path.length === 0 || r === null || typeof r !== 'object' || Array.isArray(r)) return super.attrTest(path, r, op);
    const name = path[0];
    if (Object.prototype.hasOwnProperty.call(r, name)) return this.attrTest(path.slice(1), r[name], op);
    return super.attrTest(path, r, op);
  }

  override pr(r: any): boolean {
    if (r === undefined || r === null || r === '') return false;
    if (Array.isArray(r)) return r.some((x) => this.pr(x));
    if (typeof r === 'object') return Object.values(r).some((x) => this.pr(x));
    return true;
  }

  override eq(r: any, v: CompValue): boolean {
    if (Array.isArray(r)) return r.some((x) => this.eq(x, v));
    const [a, b] = comparable(r, v);
    return a === b;
  }

  override ne(r: any, v: CompValue): boolean {
    return !this.eq(r, v);
  }

  override gt(r: any, v: CompValue): boolean {
    if (Array.isArray(r)) return r.some((x) => this.gt(x, v));
    if (!ordered(r, v)) return false;
    const [a, b] = comparable(r, v);
    return (a as number) > (b as number);
  }

  override ge(r: any, v: CompValue): boolean {
    if (Array.isArray(r)) return r.some((x) => this.ge(x, v));
    if (!ordered(r, v)) return false;
    const [a, b] = comparable(r, v);
    return (a as number) >= (b as number);
  }

  override lt(r: any, v: CompValue): boolean {
    if (Array.isArray(r)) return r.some((x) => this.lt(x, v));
    if (!ordered(r, v)) return false;
    const [a, b] = comparable(r, v);
    return (a as number) < (b as number);
  }

  override le(r: any, v: CompValue): boolean {
    if (Array.isArray(r)) return r.some((x) => this.le(x, v));
    if (!ordered(r, v)) return false;
    const [a, b] = comparable(r, v);
    return (a as number) <= (b as number);
  }

  override sw(r: any, v: CompValue): boolean {
    if (Array.isArray(r)) return r.some((x) => this.sw(x, v));
    return substringTest(r, v, (a, b) => a.startsWith(b));
  }

  override ew(r: any, v: CompValue): boolean {
    if (Array.isArray(r)) return r.some((x) => this.ew(x, v));
    return substringTest(r, v, (a, b) => a.endsWith(b));
  }

  override co(r: any, v: CompValue): boolean {
    if (Array.isArray(r)) return r.some((x) => this.co(x, v));
    return substringTest(r, v, (a, b) => a.includes(b));
  }
}

function substringTest(r: unknown, v: CompValue, test: (a: string, b: string) => boolean): boolean {
  if (v === null || r === null || r === undefined || typeof r === 'object') return false;
  return test(String(r).toLowerCase(), String(v).toLowerCase());
}
