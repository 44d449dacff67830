// Deletions after a full run are where sync tools hurt people: a partial read, an under-scoped
// token or an empty answer after an error would "delete" a directory. The guard decides which
// kinds may be reconciled and when a person has to approve first.
import { kindOf, parentOf, type Manifest } from '../connectors/framework/manifest';
import type { DeletionCandidates, LinkKind, ObjectKind } from '../store/types';

export interface GuardDecision {
  /** Kinds whose unseen rows may be deleted now. */
  kinds: (ObjectKind | LinkKind)[];
  /** Kinds skipped because their read was incomplete, with why. */
  skipped: { kind: ObjectKind | LinkKind; reason: string }[];
}

/** A link class is trusted as complete only when its parent class was read completely too. */
export function reconcilableKinds(manifest: Manifest, resources: string[], incomplete: string[]): GuardDecision {
  const kinds: (ObjectKind | LinkKind)[] = [];
  const skipped: GuardDecision['skipped'] = [];
  for (const r of resources) {
    const parent = parentOf(manifest, r);
    if (incomplete.includes(r)) {
      skipped.push({ kind: kindOf(manifest, r), reason: `the ${r} read was incomplete` });
    } else if (parent && (incomplete.includes(parent) || !resources.includes(parent))) {
      skipped.push({ kind: kindOf(manifest, r), reason: `the ${parent} read was incomplete or not part of this run` });
    } else {
      kinds.push(kindOf(manifest, r));
    }
  }
  return { kinds, skipped };
}

export interface GuardLimits {
  /** Share of a kind's stored rows, in (0, 1]: holding at or above it (1 holds a 100 % wipe). */
  threshold: number;
  /** Absolute number of rows of one kind: holding above it, whatever the share. */
  limit: number;
  /** Below this many deletions the share alone does not hold a run (one leaver out of three
   *  users is normal), unless it would empty the kind. */
  minimum?: number;
}

export interface Hold extends DeletionCandidates {
  rule: 'threshold' | 'limit';
  /** Which rule and the numbers, for the run log and the held run's progress. */
  reason: string;
}

/** The kinds (objects and links alike: member removals count) whose deletions need approval. */
export function deletionHolds(candidates: DeletionCandidates[], limits: GuardLimits): Hold[] {
  const minimum = limits.minimum ?? 10;
  const holds: Hold[] = [];
  for (const c of candidates) {
    if (c.unseen <= 0) continue;
    const what = `${c.unseen} of ${c.total} ${c.kind}s`;
    if (c.unseen > limits.limit) {
      holds.push({ ...c, rule: 'limit', reason: `${what}: more than the deletionLimit of ${limits.limit}` });
    } else if (c.total > 0 && c.unseen / c.total >= limits.threshold && (c.unseen >= minimum || c.unseen === c.total)) {
      // A quotient of two integers rounds like the decimal threshold does (7/10 is 0.7, whereas
      // 0.7 * 10 is 7.000000000000001), so "at or above" holds exactly at the threshold.
      holds.push({ ...c, rule: 'threshold', reason: `${what} (${percent(c.unseen / c.total)}): at or above the deletionThreshold of ${percent(limits.threshold)}` });
    }
  }
  return holds;
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}
