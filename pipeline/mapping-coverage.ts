// Which mapping entries read a source path that no object of a run had. Such an entry stores null
// (or, for a rule, a constant) on every row, which looks like data; the run log says so instead.

import type { CompiledMapping } from '../config/mapping';
import { compilePath, type PathGetter } from '../config/paths';

interface Watched {
  key: string;
  path: string;
  get: PathGetter;
  seen: boolean;
}

/** Tracks, over any number of pages, which entries' paths have resolved on at least one object. */
export class MappingCoverage {
  private readonly watched: Watched[];
  private open: Watched[];
  private objects = 0;

  constructor(mapping: CompiledMapping) {
    this.watched = mapping.entries.flatMap((e) => e.paths().map((path) => ({ key: e.target, path, get: compilePath(path), seen: false })));
    this.open = [...this.watched];
  }

  observe(raw: unknown): void {
    this.objects++;
    if (this.open.length === 0) return;
    let found = false;
    for (const w of this.open) {
      const v = w.get(raw);
      if (v !== undefined && v !== null) {
        w.seen = true;
        found = true;
      }
    }
    // Once a path has resolved it is never checked again, so a run pays only until every path has.
    if (found) this.open = this.open.filter((w) => !w.seen);
  }

  /** How many objects were observed. */
  get count(): number {
    return this.objects;
  }

  /** Target keys with a path that resolved on no observed object (none when nothing was observed). */
  unresolved(): string[] {
    if (this.objects === 0) return [];
    return [...new Set(this.open.map((w) => w.key))];
  }

  /** Key → its paths that resolved nowhere, for the message. */
  unresolvedPaths(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    if (this.objects === 0) return out;
    for (const w of this.open) (out[w.key] ??= []).push(w.path);
    return out;
  }
}

export function unresolvedPaths(compiled: CompiledMapping, rawObjects: readonly unknown[]): string[] {
  const coverage = new MappingCoverage(compiled);
  for (const raw of rawObjects) coverage.observe(raw);
  return coverage.unresolved();
}

/** The run-log line for one resource, or undefined when every mapped path resolved somewhere. */
export function coverageWarning(resource: string, coverage: MappingCoverage): string | undefined {
  const missing = coverage.unresolvedPaths();
  const keys = Object.keys(missing);
  if (keys.length === 0) return undefined;
  const parts = keys.map((k) => `${k} (${missing[k].join(', ')})`);
  return `mapping of ${resource}: ${parts.join('; ')} resolved on none of ${coverage.count} objects read, so ${keys.length === 1 ? 'it is' : 'they are'} null (or constant) on every row; check the path's spelling and the source's attribute names`;
}
