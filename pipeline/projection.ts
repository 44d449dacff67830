// What a store identity means to a projection target: live, inactive or deleted, and a hash of
// everything that decides what gets written, so a re-run writes only identities that changed.
import { createHash } from 'node:crypto';
import { stableStringify } from '../store/stable-json';
import type { ExportedLink, ExportedObject, ProjectionRecord } from '../store/types';

export type ProjectionState = 'active' | 'inactive' | 'deleted';

/** One identity to write: its store attributes and, when projected before, its target id. */
export interface ProjectionItem {
  id: string;
  /** Known target id: update (or delete when `deleted`); absent: create. */
  targetId?: string | null;
  attributes: Record<string, unknown>;
  deleted?: boolean;
}

/** Okta statuses in which the person may not sign in. Other sources map a boolean `active`. */
const INACTIVE_STATUSES = new Set(['DEPROVISIONED', 'SUSPENDED']);

export function stateOf(o: ExportedObject): ProjectionState {
  if (o.deletedAt) return 'deleted';
  const a = o.attributes;
  if (typeof a.active === 'boolean') return a.active ? 'active' : 'inactive';
  if (typeof a.status === 'string' && INACTIVE_STATUSES.has(a.status.toUpperCase())) return 'inactive';
  return 'active';
}

/** The rules are part of the hash: a changed target container re-projects (moves) everyone. */
export function projectionHash(o: ExportedObject, rules: unknown): string {
  return createHash('sha256')
    .update(stableStringify({ attributes: o.attributes, state: stateOf(o), rules }))
    .digest('base64url');
}

export interface PlannedItem {
  item: ProjectionItem;
  state: ProjectionState;
  hash: string;
  /** The target object known from an earlier projection, if any. */
  targetId: string | null;
}

export interface ProjectionPlan {
  work: PlannedItem[];
  unchanged: number;
  /** Deleted in the store and never projected: nothing exists in the target to disable. */
  skipped: number;
}

/** Decides, for one page of store objects, which need writing and how. */
export function planProjection(objects: ExportedObject[], prior: ProjectionRecord[], rules: unknown): ProjectionPlan {
  const known = new Map(prior.map((p) => [p.sourceId, p]));
  const plan: ProjectionPlan = { work: [], unchanged: 0, skipped: 0 };
  for (const o of objects) {
    const before = known.get(o.id);
    const hash = projectionHash(o, rules);
    if (before && before.hash === hash) {
      plan.unchanged++;
      continue;
    }
    const state = stateOf(o);
    if (state === 'deleted' && !before) {
      plan.skipped++;
      continue;
    }
    plan.work.push({
      state,
      hash,
      targetId: before?.targetId ?? null,
      item: {
        id: o.id,
        targetId: before?.targetId ?? null,
        // `active` is what the writer reads when it creates an account (enabled or disabled).
        attributes: { ...o.attributes, active: state === 'active' },
        deleted: state === 'deleted',
      },
    });
  }
  return plan;
}

export interface MemberPlan {
  /** Target ids of the group's live members that are projected (users and nested groups). */
  members: string[];
  /** Target ids of former members that tiger-sync projected, and so may have added: taken out.
   *  Members someone added in the target by hand map to no projected identity and are never
   *  touched. */
  remove: string[];
}

/** What one group's member list in the target should become, from the store's links of that
 *  group (live and soft-deleted) and the target ids its children were projected to. */
export function planMembers(links: ExportedLink[], projected: ProjectionRecord[]): MemberPlan {
  const targetOf = new Map(projected.map((p) => [`${p.kind}:${p.sourceId}`, p.targetId]));
  const members = new Set<string>();
  const former = new Set<string>();
  for (const l of links) {
    const t = targetOf.get(`${l.childKind}:${l.child}`);
    if (t) (l.deletedAt ? former : members).add(t);
  }
  return { members: [...members].sort(), remove: [...former].filter((t) => !members.has(t)).sort() };
}
