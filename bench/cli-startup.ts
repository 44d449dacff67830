// CLI start-up: wall time of `tiger connector list` (compiled dist/, the way `npm install` leaves
// it) over N runs — median and p95 — against `node -e 0`, the floor any Node CLI pays, and
// against the same command run from the TypeScript sources through tsx (the old way).
// Usage: node --require tsx/cjs bench/cli-startup.ts   (BENCH_CLI_RUNS, default 15)
// Prints lines for a person, then one JSON line (bench/run.ts keeps the last line).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
const runs = Number(process.env.BENCH_CLI_RUNS ?? 15);
const GOAL_SECONDS = 0.5;

interface Timing {
  runs: number;
  medianSeconds: number;
  p95Seconds: number;
}

function time(args: string[], env: NodeJS.ProcessEnv, n: number): Timing {
  const seconds: number[] = [];
  // One untimed run first: the OS file cache, not the CLI, would otherwise decide the first figure.
  for (let i = 0; i <= n; i++) {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.toString().trim()}`);
    if (i > 0) seconds.push(elapsed);
  }
  seconds.sort((a, b) => a - b);
  const at = (q: number) => seconds[Math.min(seconds.length - 1, Math.ceil(q * seconds.length) - 1)];
  return { runs: n, medianSeconds: round(at(0.5)), p95Seconds: round(at(0.95)) };
}

const round = (s: number) => Math.round(s * 1000) / 1000;

function main(): void {
  // What `npm install` does (incremental: quick when dist/ is current).
  const build = spawnSync(process.execPath, ['scripts/build.js'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('scripts/build.js failed: dist/ could not be built');
  const home = mkdtempSync(join(tmpdir(), 'tiger-bench-cli-'));
  const env = { ...process.env, TIGER_HOME: home, DATABASE_URL: '' };
  try {
    const baseline = time(['-e', '0'], env, runs);
    const compiled = time(['bin/tiger.js', 'connector', 'list'], env, runs);
    const sources = time(['bin/tiger.js', 'connector', 'list'], { ...env, TIGER_FROM_SOURCES: '1' }, Math.min(runs, 5));
    const result = { command: 'tiger connector list', goalSeconds: GOAL_SECONDS, baseline, compiled, sources, meetsGoal: compiled.p95Seconds <= GOAL_SECONDS };
    process.stdout.write(
      `  cli start-up (tiger connector list, ${runs} runs): median ${compiled.medianSeconds} s, p95 ${compiled.p95Seconds} s ` +
        `(node -e 0: ${baseline.medianSeconds} s; from sources via tsx: ${sources.medianSeconds} s; goal ≤ ${GOAL_SECONDS} s: ${result.meetsGoal ? 'met' : 'NOT met'})\n`,
    );
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

main();
