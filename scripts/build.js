#!/usr/bin/env node
// `npm run build` and the `prepare` step of `npm install`/`npm ci`: compiles the sources into dist/
// (tsconfig.build.json) and stamps dist/ with the time the build STARTED, so a source saved while
// tsc runs still counts as newer and bin/tiger.js falls back to the sources for it.
// Without TypeScript (`npm ci --omit=dev`) or without the sources (a Docker layer that has only
// package.json yet) there is nothing to build: bin/tiger.js then runs the sources through tsx.
const { spawnSync } = require('node:child_process');
const { closeSync, existsSync, mkdirSync, openSync, utimesSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const config = join(root, 'tsconfig.build.json');
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
} catch {
  tsc = undefined;
}
if (!tsc || !existsSync(config) || !existsSync(join(root, 'client', 'cli.ts'))) {
  process.stderr.write('tiger-sync: not compiling dist/ (TypeScript or the sources are not installed); `tiger` runs the sources through tsx\n');
  process.exit(0);
}
const started = new Date();
const r = spawnSync(process.execPath, [tsc, '-p', config], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
mkdirSync(join(root, 'dist'), { recursive: true });
const stamp = join(root, 'dist', '.build-stamp');
closeSync(openSync(stamp, 'w'));
utimesSync(stamp, started, started);
