// Delta state per object class, kept as one opaque string wherever it travels (the store's
// watermark row, the workflow's input): `{"v":2,"classes":{"users":"…","groups":"…"}}`.
// A watermark stored before per-class state existed is one plain value for every class.

import type { DeltaState } from './spi';

export function encodeDeltaState(state: DeltaState): string {
  const classes = Object.fromEntries(Object.entries(state).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify({ v: 2, classes });
}

/** `classes` fills a legacy (pre-v2) value in for every class asked about. */
export function decodeDeltaState(value: string, classes: readonly string[]): DeltaState {
  if (value.startsWith('{')) {
    try {
      const parsed = JSON.parse(value) as { v?: unknown; classes?: unknown };
      if (parsed.v === 2 && parsed.classes && typeof parsed.classes === 'object') {
        const out: DeltaState = {};
        for (const [k, v] of Object.entries(parsed.classes as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
        return out;
      }
    } catch {
      // not ours: a connector's own JSON watermark from before v2
    }
  }
  return Object.fromEntries(classes.map((c) => [c, value]));
}

/** For connectors whose state is one value for all classes (deltaScope 'connector'): the value
 *  they continue from, or undefined when the classes disagree or one has none (a class added to
 *  `sync.resources` since the last run): only a full run can start that class. */
export function sharedValue(state: DeltaState, classes: readonly string[]): string | undefined {
  const values = new Set(classes.map((c) => state[c]));
  if (values.size !== 1) return undefined;
  const [v] = values;
  return typeof v === 'string' ? v : undefined;
}

export const spread = (value: string, classes: readonly string[]): DeltaState => Object.fromEntries(classes.map((c) => [c, value]));
