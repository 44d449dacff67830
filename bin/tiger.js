#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=4
// The first line is the worker's memory profile, set where a process starts because neither can be
// changed once it runs: two malloc arenas and large buffers handed back to the system when freed
// (glibc otherwise keeps an arena per thread of Temporal's native core and holds freed pages), and
// a 4 MB young generation instead of 16 MB. With the heap growth `tiger worker` sets itself
// (worker/main.ts) a worker of the 1.5M-record bench peaks at 200–250 MB instead of ~530 MB. The price
// is more young-generation collections: with member lists no longer parsed whole and batches weighed by
// their bytes, the plain loop under the same flag took 19.2 s instead of 18.8–19.0 s; batches staged in
// parts keep less in flight still (README, Tests and benchmarks).
// `node bin/tiger.js …` skips the line and runs with Node's defaults.
// The `tiger` CLI runs the JavaScript that `npm install` compiled into dist/ (the `prepare` script),
// so a command does not pay for compiling TypeScript at every start. A dist/ older than any source
// file is never run: the sources run through tsx instead, so an edit is never silently ignored.
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const SOURCE_DIRS = ['workflows', 'activities', 'worker', 'client', 'runtime', 'connectors', 'store', 'config', 'emulators', 'pipeline', 'codec'];

/** Milliseconds since the epoch of the newest .ts file under dir (0 when there is none). */
function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Why dist/ cannot be run, or undefined when it is current. */
function distProblem() {
  let built;
  try {
    // Written by scripts/build.js with the time the build started.
    built = statSync(join(root, 'dist', '.build-stamp')).mtimeMs;
  } catch {
    return 'dist/ is not built';
  }
  const newest = Math.max(...SOURCE_DIRS.map((d) => newestSource(join(root, d))));
  return newest > built ? 'dist/ is older than the sources' : undefined;
}

const problem = process.env.TIGER_FROM_SOURCES === '1' ? 'TIGER_FROM_SOURCES=1' : distProblem();
let cli;
if (problem) {
  // Said only to a person at a terminal: scripts and tests read stderr as the command's own.
  if (process.stderr.isTTY && process.env.TIGER_FROM_SOURCES !== '1') {
    process.stderr.write(`tiger: ${problem}; running the TypeScript sources (slower start) — \`npm run build\` compiles them\n`);
  }
  require('tsx/cjs');
  cli = require('../client/cli.ts');
} else {
  cli = require('../dist/client/cli.js');
}
cli.main(process.argv).catch((err) => {
  process.stderr.write(`tiger: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
