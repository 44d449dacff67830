// Attribute mapping is data: target attribute → source path or rule (config/mapping-rules.ts).
// Connectors give defaults; the connector file overrides them entry by entry (an entry it does
// not name keeps its default). A connector's path aliases (Okta's SCIM view of seed 001's table)
// let a file name source attributes in another vocabulary; aliases match case-insensitively, as
// SCIM attribute names do.

import { toMultiValued } from './multi-valued';
import { compileRule, parseRule, resolveRule, RuleError, rulePaths, type Evaluator, type Rule } from './mapping-rules';
import type { PathGetter } from './paths';

export interface MappingEntry {
  /** The store attribute. */
  target: string;
  /** The value as written in the file or the defaults. */
  source: string;
  /** `path` when the value (after aliases) reads one path as is; `rule` for anything computed. */
  kind: 'path' | 'rule';
  /** Source paths the entry reads, after aliases (what "resolves on no object" is checked on). */
  paths(): string[];
  get(raw: unknown): unknown;
}

export interface CompiledMapping {
  /** Reads the external id: the `id` entry's path, else `id`. */
  idPath: PathGetter;
  /** Every entry except `id`, in output order. */
  entries: readonly MappingEntry[];
  /** Every entry except `id`; a missing source value becomes null so stored rows keep one shape. */
  map(raw: Record<string, unknown>): Record<string, unknown>;
}

export interface MappingOptions {
  /** Path as a mapping may write it → source path or rule it stands for (matched ignoring case). */
  aliases?: Readonly<Record<string, string>>;
  /** Target attributes stored as arrays (custom attributes declared multiValued). */
  multiValued?: readonly string[];
}

export function compileMapping(
  map: Record<string, string> | undefined,
  defaults: Record<string, string>,
  options: MappingOptions = {},
): CompiledMapping {
  const merged: Record<string, string> = { ...defaults, ...(map ?? {}) };
  const resolve = aliasResolver(options.aliases);
  const multi = new Set(options.multiValued ?? []);
  const idPath = compileEntry('id', merged.id ?? 'id', resolve, false).get;
  const entries = Object.keys(merged)
    .filter((k) => k !== 'id')
    .map((k) => compileEntry(k, merged[k], resolve, multi.has(k)));
  const targets = entries.map((e) => e.target);
  const getters = entries.map((e) => e.get);
  const n = entries.length;
  return {
    idPath,
    entries,
    map(raw) {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) out[targets[i]] = getters[i](raw) ?? null;
      return out;
    },
  };
}

/** Refuses a mapping value that would not compile; the message names no record data. */
export function checkMappingValue(source: string): void {
  compileEntry('', source, () => undefined, false);
}

/** One entry on its own (config checks), `id` included. */
export function compileMappingEntry(target: string, source: string, options: MappingOptions = {}): MappingEntry {
  return compileEntry(target, source, aliasResolver(options.aliases), options.multiValued?.includes(target) ?? false);
}

function compileEntry(target: string, source: string, resolve: (p: string) => Rule | undefined, multiValued: boolean): MappingEntry {
  let rule: Rule;
  try {
    rule = resolveRule(parseRule(source), resolve);
  } catch (err) {
    const reason = err instanceof RuleError ? `${err.message} in ${JSON.stringify(source)}` : (err as Error).message;
    throw new Error(target ? `mapping ${target}: ${reason}` : reason);
  }
  const evaluate: Evaluator = compileRule(rule);
  const paths = rulePaths(rule);
  return {
    target,
    source,
    kind: rule.op === 'path' ? 'path' : 'rule',
    paths: () => [...paths],
    get: multiValued ? (raw) => toMultiValued(evaluate(raw)) : evaluate,
  };
}

function aliasResolver(aliases: Readonly<Record<string, string>> | undefined): (p: string) => Rule | undefined {
  if (!aliases) return () => undefined;
  const table = new Map<string, Rule>();
  for (const [from, to] of Object.entries(aliases)) {
    try {
      // An alias stands for raw paths of the source; it is not resolved again (no chains, no loops).
      table.set(aliasKey(from), resolveRule(parseRule(to), () => undefined));
    } catch (err) {
      throw new Error(`path alias ${from}: ${(err as Error).message}`);
    }
  }
  return (p) => table.get(aliasKey(p));
}

// Names ignore case (RFC 7643 §2.1); spacing inside a value filter carries no meaning either.
const aliasKey = (p: string) => p.toLowerCase().replace(/\s+/g, ' ');
