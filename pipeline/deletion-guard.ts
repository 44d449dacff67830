// Deletions after a full run are where sync tools hurt people: a partial read, an under-scoped
// token or an empty answer after an error would "delete" a directory. The guard decides which
// kinds may be reconciled and when a person has to approve first.
import type { LinkResource, ObjectResource, Resource } from '../connectors/types';
import type { DeletionCandidates, LinkKind, ObjectKind } from '../store/types';
import { LINK_PARENT, kindOf } from './kinds';

export interface GuardDecision {
  /** Kinds whose unseen rows may be deleted now. */
  kinds: (ObjectKind | LinkKind)[];
  /** Kinds skipped because their read was incomplete, with why. */
  skipped: { kind: ObjectKind | LinkKind; reason: string }[];
}

export function reconcilableKinds(resources: Resource[], incomplete: Resource[]): GuardDecision {
  const kinds: (ObjectKind | LinkKind)[] = [];
  const skipped: GuardDecision['skipped'] = [];
  for (const r of resources) {
    const parent = r === 'memberships' || r === 'appUsers' ? LINK_PARENT[r as LinkResource] : undefined;
    if (incomplete.includes(r)) {
      skipped.push({ kind: kindOf(r), reason: `the ${r} read was incomplete` });
    } else if (parent && (incomplete.includes(parent) || !resources.includes(parent as ObjectResource))) {
      skipped.push({ kind: kindOf(r), reason: `the ${parent} read was incomplete or not part of this run` });
    } else {
      kinds.push(kindOf(r));
    }
  }
  return { kinds, skipped };
}

/** Holds the run when it would delete more than `threshold` of any kind. Tiny absolute numbers
 *  pass (one leaver out of three users is normal), an empty read (100 %) never does. */
export function exceedsThreshold(candidates: DeletionCandidates[], threshold: number, minimum = 10): DeletionCandidates[] {
  return candidates.filter(
    (c) => c.unseen > 0 && c.total > 0 && c.unseen / c.total > threshold && (c.unseen >= minimum || c.unseen === c.total),
  );
}
