// TIGER_WORKER_HEAP_GROWTH (worker/main.ts): a bad value stops `tiger worker` at start, naming the
// variable; unset or empty leaves V8's default.
import { afterEach, describe, expect, it } from 'vitest';
import { tuneHeap } from '../../worker/main';

afterEach(() => {
  delete process.env.TIGER_WORKER_HEAP_GROWTH;
});

describe('TIGER_WORKER_HEAP_GROWTH', () => {
  it.each(['abc', '5', '401', '12.5', '-50'])('refuses %s, naming the variable', (v) => {
    process.env.TIGER_WORKER_HEAP_GROWTH = v;
    expect(() => tuneHeap()).toThrow(/TIGER_WORKER_HEAP_GROWTH must be a whole percent from 10 to 400/);
  });

  it('accepts a whole percent, and nothing when unset or empty', () => {
    expect(() => tuneHeap()).not.toThrow();
    process.env.TIGER_WORKER_HEAP_GROWTH = '';
    expect(() => tuneHeap()).not.toThrow();
    process.env.TIGER_WORKER_HEAP_GROWTH = '400';
    expect(() => tuneHeap()).not.toThrow();
  });
});
