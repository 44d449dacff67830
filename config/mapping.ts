// Attribute mapping is data: target attribute → source path. Connectors give defaults; the
// connector file overrides them entry by entry (an entry it does not name keeps its default).

import { compilePath, type PathGetter } from './paths';

export interface CompiledMapping {
  /** Reads the external id: the `id` entry's path, else `id`. */
  idPath: PathGetter;
  /** Every entry except `id`; a missing source value becomes null so stored rows keep one shape. */
  map(raw: Record<string, unknown>): Record<string, unknown>;
}

export function compileMapping(map: Record<string, string> | undefined, defaults: Record<string, string>): CompiledMapping {
  const merged: Record<string, string> = { ...defaults, ...(map ?? {}) };
  const idPath = compilePath(merged.id ?? 'id');
  const targets = Object.keys(merged).filter((k) => k !== 'id');
  const getters = targets.map((k) => {
    try {
      return compilePath(merged[k]);
    } catch (err) {
      throw new Error(`mapping ${k}: ${(err as Error).message}`);
    }
  });
  const n = targets.length;
  return {
    idPath,
    map(raw) {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) out[targets[i]] = getters[i](raw) ?? null;
      return out;
    },
  };
}
