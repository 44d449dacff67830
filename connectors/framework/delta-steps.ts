// The order a per-class delta reads in, shared by connectors whose marks are kept per class
// (framework/delta-state.ts): users alone, then groups; memberships are read from the groups
// step (a member added or removed changes its group), so that step advances the marks of both.

import type { ChangesResult } from '../types';

export interface DeltaStep {
  cls: 'users' | 'groups';
  /** Classes whose marks this step advances. */
  marks: string[];
  objects: boolean;
  links: boolean;
}

export function deltaSteps(classes: readonly string[]): DeltaStep[] {
  const steps: DeltaStep[] = [];
  if (classes.includes('users')) steps.push({ cls: 'users', marks: ['users'], objects: true, links: false });
  const groups = classes.includes('groups');
  const links = classes.includes('memberships');
  if (groups || links) steps.push({ cls: 'groups', marks: classes.filter((c) => c === 'groups' || c === 'memberships'), objects: groups, links });
  return steps;
}

/** A window with nothing in it, ending at `watermark`. */
export const noChanges = (watermark: string): ChangesResult => ({ records: [], deletions: [], linkSets: [], warnings: [], nextCursor: null, watermark });
