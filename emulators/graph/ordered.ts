// A keyed list in insertion order that pages by position without per-request scans: each key gets a
// rising ordinal, and a page resumes after the last ordinal it gave out (binary search). Removals
// leave tombstones that are compacted away in bulk, so ordinals never move under an open cursor.

export class OrderedIndex {
  private keys: string[] = [];
  private ordinals: number[] = [];
  private live = new Map<string, number>();
  private nextOrdinal = 1;

  get size(): number {
    return this.live.size;
  }

  has(key: string): boolean {
    return this.live.has(key);
  }

  /** Adds `key` at the end; a key already present keeps its place. */
  add(key: string): void {
    if (this.live.has(key)) return;
    const ord = this.nextOrdinal++;
    this.live.set(key, ord);
    this.keys.push(key);
    this.ordinals.push(ord);
  }

  delete(key: string): boolean {
    if (!this.live.delete(key)) return false;
    if (this.keys.length > 64 && this.keys.length > this.live.size * 2) this.compact();
    return true;
  }

  /** Up to `limit` live keys after ordinal `after` (0 = from the start) that pass `accept`, with the
   *  ordinal of the last one looked at; `done` when the end was reached. */
  page(after: number, limit: number, accept: (key: string) => boolean = () => true): { keys: string[]; last: number; done: boolean } {
    const out: string[] = [];
    let i = this.firstAfter(after);
    let last = after;
    while (i < this.keys.length && out.length < limit) {
      const key = this.keys[i]!;
      const ord = this.ordinals[i]!;
      last = ord;
      if (this.live.get(key) === ord && accept(key)) out.push(key);
      i++;
    }
    // Done only when no live, accepted key remains after `last`.
    while (i < this.keys.length) {
      const key = this.keys[i]!;
      if (this.live.get(key) === this.ordinals[i] && accept(key)) return { keys: out, last, done: false };
      i++;
    }
    return { keys: out, last, done: true };
  }

  *values(): IterableIterator<string> {
    yield* this.live.keys();
  }

  private firstAfter(ordinal: number): number {
    let lo = 0;
    let hi = this.ordinals.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ordinals[mid]! <= ordinal) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private compact(): void {
    const keys: string[] = [];
    const ords: number[] = [];
    for (let i = 0; i < this.keys.length; i++) {
      if (this.live.get(this.keys[i]!) === this.ordinals[i]) {
        keys.push(this.keys[i]!);
        ords.push(this.ordinals[i]!);
      }
    }
    this.keys = keys;
    this.ordinals = ords;
  }
}
