// `npm run bench`: 100k users / 10k groups / 1M memberships (1×) from the Okta emulator into the
// store, through the Temporal pipeline and through a plain loop over the same code, at 0.5× and 1×
// on SQLite and at 1× on PostgreSQL, in one run. Prints records/s, the ratio and peak RSS (the
// pipeline's is the `tiger worker` process's), and writes bench/results/<time>.json. Then the LDAP, CLI start-up,
// push (bench/push.ts) and latency (bench/latency.ts) cases, each in its own process.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startOktaEmulator } from './okta-emulator';
import { runChildCase } from './pipeline-run';

const root = join(__dirname, '..');
const users = Number(process.env.BENCH_USERS ?? 100_000);
const groups = Number(process.env.BENCH_GROUPS ?? 10_000);
const perGroup = Number(process.env.BENCH_MEMBERS_PER_GROUP ?? 100);
const port = Number(process.env.BENCH_OKTA_PORT ?? 18900);
const pgAdminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}`))));
  });
}

// `npm run bench -- push latency`: only the cases named (sync, ldap, cli, push, latency, sql); none: all.
const only = new Set(process.argv.slice(2));
const CASES = ['sync', 'ldap', 'cli', 'push', 'latency', 'sql', 'rate-limited', 'graph', 'mesh'];
const wants = (c: string) => only.size === 0 || only.has(c);

interface CaseResult {
  store: 'sqlite' | 'postgres';
  records: number;
  inserted: number;
  seconds: number;
  recordsPerSec: number;
  peakRssMB: number;
}
interface SyncRun {
  scale: number;
  store: 'sqlite' | 'postgres';
  records: number;
  plain: CaseResult;
  pipeline: CaseResult;
  ratio: number;
}

/** The sync case at 0.5× and 1× the org (2× too with BENCH_SYNC_2X=1: ~3M records, minutes), on
 *  SQLite, and at 1× on PostgreSQL as well (BENCH_SYNC_POSTGRES=0 skips it); each pair of runs
 *  BENCH_SYNC_REPEAT times (default 1), with the median ratio. Plain: the loop's
 *  process RSS; pipeline: the `tiger worker` process's RSS (bench/case.ts). */
async function runSyncCase(env: NodeJS.ProcessEnv, token: string): Promise<{ runs: SyncRun[]; loadAverage: number[]; batchRecords: number | 'workflow default' }> {
  const scales = [0.5, 1, ...(process.env.BENCH_SYNC_2X === '1' ? [2] : [])];
  const postgres = process.env.BENCH_SYNC_POSTGRES !== '0';
  // A ratio moves by several hundredths from one run to the next on a shared machine (README).
  const repeat = Number(process.env.BENCH_SYNC_REPEAT ?? 1);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`BENCH_SYNC_REPEAT must be a whole number ≥ 1, not ${JSON.stringify(process.env.BENCH_SYNC_REPEAT)}`);
  const loadAverage = loadavg().map((l) => Math.round(l * 100) / 100);
  process.stdout.write(`bench: Okta emulator → store; 1× = ${users} users, ${groups} groups, ~${groups * perGroup} memberships; load average ${loadAverage.join(' ')} on ${cpus().length} CPUs\n`);
  process.stdout.write(`  scale  store      records   plain records/s (RSS)   pipeline records/s (worker RSS)   ratio\n`);
  const runs: SyncRun[] = [];
  for (const scale of scales) {
    const org = { users: Math.round(users * scale), groups: Math.round(groups * scale), perGroup };
    const emulator = await startOktaEmulator(org, { port, token });
    try {
      const connectorFile = join(tmpdir(), `tiger-bench-${process.pid}.yaml`);
      writeFileSync(connectorFile, `name: bench-okta\ntype: okta\nconfig:\n  domain: ${emulator.url}\n  apiToken: \${OKTA_API_TOKEN}\n`);
      const stores: ('sqlite' | 'postgres')[] = scale === 1 && postgres ? ['sqlite', 'postgres'] : ['sqlite'];
      for (const store of stores) {
        const pair = async (kind: 'plain' | 'pipeline'): Promise<CaseResult> =>
          store === 'sqlite'
            ? runChildCase<CaseResult>('bench/case.ts', [kind, connectorFile], env, kind)
            : withDatabase(`tiger_bench_${process.pid}_${kind}`, (url) => runChildCase<CaseResult>('bench/case.ts', [kind, connectorFile], { ...env, BENCH_DATABASE_URL: url }, kind));
        const ratios: number[] = [];
        for (let i = 0; i < repeat; i++) {
          const plain = await pair('plain');
          const pipeline = await pair('pipeline');
          const ratio = Math.round((pipeline.recordsPerSec / plain.recordsPerSec) * 100) / 100;
          ratios.push(ratio);
          runs.push({ scale, store, records: plain.records, plain, pipeline, ratio });
          process.stdout.write(
            `  ${`${scale}×`.padEnd(6)} ${store.padEnd(9)} ${String(plain.records).padStart(8)}   ${`${plain.recordsPerSec}/s (${plain.peakRssMB} MB)`.padEnd(22)}  ${`${pipeline.recordsPerSec}/s (${pipeline.peakRssMB} MB)`.padEnd(32)}  ${ratio.toFixed(2)}\n`,
          );
        }
        if (repeat > 1) {
          const sorted = [...ratios].sort((a, b) => a - b);
          // The lower middle for an even count: the same run the JSON's headline reports.
          const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
          process.stdout.write(`  ${`${scale}×`.padEnd(6)} ${store.padEnd(9)} ratio over ${repeat} runs: median ${median.toFixed(2)}, ${sorted[0]!.toFixed(2)}–${sorted.at(-1)!.toFixed(2)}\n`);
        }
      }
    } finally {
      await emulator.stop();
    }
  }
  // BENCH_BATCH_RECORDS (bench/case.ts) sets the records per fetch of both paths alike.
  return { runs, loadAverage, batchRecords: process.env.BENCH_BATCH_RECORDS ? Number(process.env.BENCH_BATCH_RECORDS) : 'workflow default' };
}

/** A fresh PostgreSQL database for one case (the store migrates it), dropped after. */
async function withDatabase<T>(name: string, fn: (url: string) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: pgAdminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      const url = new URL(pgAdminUrl);
      url.pathname = `/${name}`;
      return await fn(url.toString());
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

async function main(): Promise<void> {
  const unknown = [...only].filter((c) => !CASES.includes(c));
  if (unknown.length) throw new Error(`unknown case ${unknown.join(', ')}: expected some of ${CASES.join(', ')}`);
  // `tiger` (the worker of the sync case, the CLI start-up case) runs dist/ as users do; a source
  // edited since the last build would run through tsx instead and be measured as such.
  if (wants('sync') || wants('cli')) {
    const built = spawnSync(process.execPath, ['scripts/build.js'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    if (built.status !== 0) throw new Error('npm run build failed: the bench measures the compiled CLI and worker');
  }
  const token = 'bench-token';
  const env = { ...process.env, OKTA_API_TOKEN: token, TIGER_HOME: join(tmpdir(), `tiger-bench-home-${process.pid}`) };
  const sync = wants('sync') ? await runSyncCase(env, token) : null;
  // With BENCH_SYNC_REPEAT, the run of median ratio.
  const oneX = (sync?.runs ?? []).filter((r) => r.scale === 1 && r.store === 'sqlite').sort((a, b) => a.ratio - b.ratio);
  const headline = oneX[Math.floor((oneX.length - 1) / 2)] ?? null;
  if (sync) {
    const rss = sync.runs.filter((r) => r.store === 'sqlite').map((r) => `${r.scale}× ${r.pipeline.peakRssMB} MB`).join(', ');
    process.stdout.write(`  worker peak RSS by org size (SQLite): ${rss}\n`);
  }
  const ldap = process.env.BENCH_LDAP === '0' || !wants('ldap') ? null : await runLdapCase(env);
  const cliStartup = wants('cli') ? await runLastLineCase('bench/cli-startup.ts', env) : null;
  const push = wants('push') ? await runLastLineCase('bench/push.ts', env) : null;
  const latency = wants('latency') ? await runLastLineCase('bench/latency.ts', env) : null;
  const sql = wants('sql') ? await runLastLineCase('bench/sql.ts', env) : null;
  const rateLimited = wants('rate-limited') ? await runLastLineCase('bench/rate-limited.ts', env) : null;
  const graph = wants('graph') ? await runLastLineCase('bench/graph.ts', env) : null;
  const mesh = wants('mesh') ? await runLastLineCase('bench/mesh.ts', env) : null;
  const result = {
    at: new Date().toISOString(),
    users,
    groups,
    membershipsPerGroup: perGroup,
    plain: headline?.plain ?? null,
    pipeline: headline?.pipeline ?? null,
    ratio: headline?.ratio ?? null,
    sync,
    ldap,
    cliStartup,
    push,
    latency,
    sql,
    rateLimited,
    graph,
    mesh,
  };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const file = join(root, 'bench', 'results', `${result.at.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  process.stdout.write(`  written: ${file}\n`);
}

/** A case that prints lines for a person, then its JSON as the last line. */
async function runLastLineCase(script: string, env: NodeJS.ProcessEnv): Promise<unknown> {
  const out = await run([script], env);
  const lines = out.trim().split('\n');
  process.stdout.write(lines.slice(0, -1).join('\n') + '\n');
  return JSON.parse(lines.pop() as string);
}

async function runLdapCase(env: NodeJS.ProcessEnv): Promise<unknown> {
  try {
    const out = await run(['bench/ldap.ts'], env);
    process.stdout.write(out);
    return JSON.parse(out.trim().split('\n').pop() as string);
  } catch (err) {
    process.stdout.write(`  ldap case skipped: ${(err as Error).message}\n`);
    return null;
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exit(1);
});
