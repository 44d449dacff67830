// What a push would change in a target, decided from the store alone: one page of a source's
// identities, what was last pushed for each, the push mapping and the scope → creates, attribute
// deltas with before/after, disables, enables, deletes and member changes. Pure and ordered, so a
// dry run and the real run compute the same plan from the same store.
import { stableStringify } from '../store/stable-json';
import type { ExportedObject } from '../store/types';
import { stateOf } from './projection';

export type PushKind = 'user' | 'group';

/** What was last written to the target for one source identity (see store PushStateRecord). */
export interface PushedState {
  sourceId: string;
  targetId: string;
  /** The target attributes as last pushed: the "before" of every update. */
  attributes: Record<string, unknown>;
  enabled: boolean;
  /** Groups: the members pushed, as `user:<id>` / `group:<id>` source references. */
  members?: string[] | null;
}

export interface AttributeChange {
  attribute: string;
  before: unknown;
  after: unknown;
}

export interface PlannedCreate { kind: PushKind; sourceId: string; attributes: Record<string, unknown> }
export interface PlannedUpdate { kind: PushKind; sourceId: string; targetId: string; changes: AttributeChange[]; attributes: Record<string, unknown> }
export type RemovalReason = 'inactive' | 'deleted' | 'out-of-scope';
export interface PlannedDisable { kind: PushKind; sourceId: string; targetId: string; reason: RemovalReason }
export interface PlannedEnable { kind: PushKind; sourceId: string; targetId: string }
export interface PlannedDelete { kind: PushKind; sourceId: string; targetId: string; reason: Exclude<RemovalReason, 'inactive'> }
/** Member changes of one group, children as `user:<id>` / `group:<id>` source references: they
 *  are resolved to target ids only when applied (a member may be created by the same push). */
export interface PlannedMembers { groupId: string; add: string[]; remove: string[] }

export interface PushPlan {
  creates: PlannedCreate[];
  updates: PlannedUpdate[];
  disables: PlannedDisable[];
  enables: PlannedEnable[];
  deletes: PlannedDelete[];
  members: PlannedMembers[];
  /** Pushed before and nothing to change. */
  unchanged: number;
  /** Not pushed and not to be: deleted, inactive or out of scope before ever being pushed. */
  skipped: number;
}

export interface PlanCounts {
  creates: number;
  updates: number;
  disables: number;
  enables: number;
  deletes: number;
  memberAdds: number;
  memberRemoves: number;
  unchanged: number;
  skipped: number;
}

export interface PlanRules {
  kind: PushKind;
  /** Store attributes → target attributes (config/mapping.ts compiled push mapping). */
  map(attributes: Record<string, unknown>): Record<string, unknown>;
  inScope(o: ExportedObject): boolean;
  /** Identities that leave the scope (or the store) are deleted instead of disabled. */
  deleteOnRemoval: boolean;
  /** What the target class can do (manifest): a class without enable/disable (groups, mostly)
   *  is deleted when deleteOnRemoval, else left alone when it leaves the scope. */
  canEnable: boolean;
  canDelete: boolean;
}

/** Groups only: the members each group should have in the target (source references of live,
 *  in-scope children), by group id. Absent: the page's groups get no member changes. */
export type DesiredMembers = ReadonlyMap<string, readonly string[]>;

export const emptyPlan = (): PushPlan => ({ creates: [], updates: [], disables: [], enables: [], deletes: [], members: [], unchanged: 0, skipped: 0 });

export function planPush(objects: readonly ExportedObject[], pushed: readonly PushedState[], rules: PlanRules, desiredMembers?: DesiredMembers): PushPlan {
  const before = new Map(pushed.map((p) => [p.sourceId, p]));
  const plan = emptyPlan();
  const kind = rules.kind;
  // The store pages in id order; sorting again keeps the plan's order independent of the caller.
  for (const o of [...objects].sort((a, b) => compare(a.id, b.id))) {
    const prior = before.get(o.id);
    const state = stateOf(o);
    const inScope = state !== 'deleted' && rules.inScope(o);
    if (!prior) {
      if (inScope && state === 'active') {
        plan.creates.push({ kind, sourceId: o.id, attributes: rules.map(o.attributes) });
        const want = desiredMembers?.get(o.id);
        if (want && want.length > 0) plan.members.push({ groupId: o.id, add: [...want].sort(compare), remove: [] });
      } else {
        plan.skipped++;
      }
      continue;
    }
    const ref = { kind, sourceId: o.id, targetId: prior.targetId };
    if (!inScope) {
      const reason = state === 'deleted' ? 'deleted' : 'out-of-scope';
      if (rules.deleteOnRemoval && rules.canDelete) plan.deletes.push({ ...ref, reason });
      else if (rules.canEnable && prior.enabled) plan.disables.push({ ...ref, reason });
      else plan.unchanged++;
      continue;
    }
    let touched = false;
    const attributes = rules.map(o.attributes);
    const changes = diffAttributes(prior.attributes, attributes);
    if (changes.length > 0) {
      plan.updates.push({ ...ref, changes, attributes });
      touched = true;
    }
    if (rules.canEnable) {
      if (state === 'inactive' && prior.enabled) {
        plan.disables.push({ ...ref, reason: 'inactive' });
        touched = true;
      } else if (state === 'active' && !prior.enabled) {
        plan.enables.push(ref);
        touched = true;
      }
    }
    const want = desiredMembers?.get(o.id);
    if (want) {
      const m = memberChanges(o.id, prior.members ?? [], want);
      if (m) {
        plan.members.push(m);
        touched = true;
      }
    }
    if (!touched) plan.unchanged++;
  }
  return plan;
}

/** Only attributes the mapping produces are managed: one the mapping stopped naming is left as
 *  it is in the target, never cleared. */
export function diffAttributes(before: Record<string, unknown>, after: Record<string, unknown>): AttributeChange[] {
  const changes: AttributeChange[] = [];
  for (const attribute of Object.keys(after).sort(compare)) {
    const b = before[attribute] ?? null;
    const a = after[attribute] ?? null;
    if (stableStringify(b) !== stableStringify(a)) changes.push({ attribute, before: b, after: a });
  }
  return changes;
}

/** Members this push added before and that are no longer wanted are removed; members someone
 *  added in the target by hand were never pushed, so they are never touched. */
function memberChanges(groupId: string, pushed: readonly string[], wanted: readonly string[]): PlannedMembers | null {
  const had = new Set(pushed);
  const want = new Set(wanted);
  const add = [...want].filter((m) => !had.has(m)).sort(compare);
  const remove = [...had].filter((m) => !want.has(m)).sort(compare);
  return add.length || remove.length ? { groupId, add, remove } : null;
}

/** The delta an update sends: replaced attributes, or single values added and removed when both
 *  sides are lists of plain values (a multi-valued attribute keeps values others added). */
export function toAttributeDelta(changes: readonly AttributeChange[]): { replace?: Record<string, unknown>; add?: Record<string, unknown[]>; remove?: Record<string, unknown[]> } {
  const replace: Record<string, unknown> = {};
  const add: Record<string, unknown[]> = {};
  const remove: Record<string, unknown[]> = {};
  for (const c of changes) {
    if (isPlainList(c.before) && isPlainList(c.after) && c.before.length > 0 && c.after.length > 0) {
      const b = new Set(c.before.map((v) => stableStringify(v)));
      const a = new Set(c.after.map((v) => stableStringify(v)));
      const added = c.after.filter((v) => !b.has(stableStringify(v)));
      const removed = c.before.filter((v) => !a.has(stableStringify(v)));
      if (added.length) add[c.attribute] = added;
      if (removed.length) remove[c.attribute] = removed;
    } else {
      replace[c.attribute] = c.after;
    }
  }
  return {
    ...(Object.keys(replace).length ? { replace } : {}),
    ...(Object.keys(add).length ? { add } : {}),
    ...(Object.keys(remove).length ? { remove } : {}),
  };
}

const isPlainList = (v: unknown): v is unknown[] => Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object');

/** A create sends the values it has: a null is "no value", which most targets refuse to store. */
export function createAttributes(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0)));
}

export function countPlan(p: PushPlan): PlanCounts {
  return {
    creates: p.creates.length,
    updates: p.updates.length,
    disables: p.disables.length,
    enables: p.enables.length,
    deletes: p.deletes.length,
    memberAdds: p.members.reduce((n, m) => n + m.add.length, 0),
    memberRemoves: p.members.reduce((n, m) => n + m.remove.length, 0),
    unchanged: p.unchanged,
    skipped: p.skipped,
  };
}

export const zeroPlanCounts = (): PlanCounts => ({ creates: 0, updates: 0, disables: 0, enables: 0, deletes: 0, memberAdds: 0, memberRemoves: 0, unchanged: 0, skipped: 0 });

export function addPlanCounts(into: PlanCounts, c: PlanCounts): PlanCounts {
  for (const k of Object.keys(into) as (keyof PlanCounts)[]) into[k] += c[k];
  return into;
}

/** Plans of several pages as one (pages are planned in id order, users before groups). */
export function mergePlans(plans: readonly PushPlan[]): PushPlan {
  const out = emptyPlan();
  for (const p of plans) {
    out.creates.push(...p.creates);
    out.updates.push(...p.updates);
    out.disables.push(...p.disables);
    out.enables.push(...p.enables);
    out.deletes.push(...p.deletes);
    out.members.push(...p.members);
    out.unchanged += p.unchanged;
    out.skipped += p.skipped;
  }
  return out;
}

export const memberRef = (kind: 'user' | 'group', id: string): string => `${kind}:${id}`;
export function parseMemberRef(ref: string): { kind: 'user' | 'group'; id: string } {
  const at = ref.indexOf(':');
  return { kind: ref.slice(0, at) === 'group' ? 'group' : 'user', id: ref.slice(at + 1) };
}

/** Byte order, like the store's keyset pages (localeCompare would differ between machines). */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
