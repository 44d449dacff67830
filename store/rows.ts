// Result shaping both engines share, once each engine has turned its row into plain values
// (attributes parsed, times as ISO text): the engines differ in SQL, not in what a row means.
import type { ExportedLink, ExportedObject } from './types';

/** `deletedAt` is present only when deleted rows were asked for, so a live read stays compact. */
export function exportedObject(id: string, attributes: Record<string, unknown>, deletedAt: string | null, includeDeleted: boolean): ExportedObject {
  const out: ExportedObject = { id, attributes };
  if (includeDeleted) out.deletedAt = deletedAt;
  return out;
}

export function exportedLink(
  l: { parent: string; child: string; childKind: 'user' | 'group'; attributes: Record<string, unknown> | null; deletedAt: string | null },
  includeDeleted: boolean,
): ExportedLink {
  const out: ExportedLink = { parent: l.parent, child: l.child, childKind: l.childKind };
  if (l.attributes !== null) out.attributes = l.attributes;
  if (includeDeleted) out.deletedAt = l.deletedAt;
  return out;
}

/** Push states per kind, and the members they hold (the push guard's input). */
export function pushStateCounts(rows: readonly { kind: string; n: number; m: number }[]): { user: number; group: number; membership: number } {
  const out = { user: 0, group: 0, membership: 0 };
  for (const r of rows) {
    if (r.kind === 'user' || r.kind === 'group') out[r.kind] = r.n;
    out.membership += r.m;
  }
  return out;
}
