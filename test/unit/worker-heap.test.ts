// TIGER_WORKER_HEAP_GROWTH (worker/main.ts): a bad value stops `tiger worker` at start, naming the
// variable; unset or empty is the worker's default growth, `v8` V8's own policy. The memory profile
// in bin/tiger.js's first line must be one that env and node accept.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

  it('accepts a whole percent, v8, and nothing when unset or empty', () => {
    for (const v of [undefined, '', '400', 'v8']) {
      if (v === undefined) delete process.env.TIGER_WORKER_HEAP_GROWTH;
      else process.env.TIGER_WORKER_HEAP_GROWTH = v;
      expect(() => tuneHeap()).not.toThrow();
    }
  });
});

describe('the memory profile on the first line of bin/tiger.js', () => {
  it('reaches the process that `tiger` starts as an executable', () => {
    const first = readFileSync(join(__dirname, '..', '..', 'bin', 'tiger.js'), 'utf8').split('\n')[0];
    expect(first).toMatch(/^#!\/usr\/bin\/env -S /);
    // The same interpreter line, running a script that reports what it was started with.
    const argv = first.slice(2).split(' ').filter(Boolean);
    const r = spawnSync(argv[0], [...argv.slice(1), '-e', 'console.log(JSON.stringify({ arenas: process.env.MALLOC_ARENA_MAX, mmap: process.env.MALLOC_MMAP_THRESHOLD_, flags: process.execArgv }))'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ arenas: '2', mmap: '131072', flags: ['--max-semi-space-size=4', '-e', expect.any(String)] });
  });
});
