// `npm run bench`: 100k users / 10k groups / 1M memberships from the Okta emulator into SQLite,
// through the Temporal pipeline and through a plain loop over the same code, in one run. Prints
// records/s, the ratio and peak RSS, and writes bench/results/<time>.json. Then the LDAP, CLI start-up,
// push (bench/push.ts) and latency (bench/latency.ts) cases, each in its own process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
const users = Number(process.env.BENCH_USERS ?? 100_000);
const groups = Number(process.env.BENCH_GROUPS ?? 10_000);
const perGroup = Number(process.env.BENCH_MEMBERS_PER_GROUP ?? 100);
const port = Number(process.env.BENCH_OKTA_PORT ?? 18900);

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

async function main(): Promise<void> {
  const unknown = [...only].filter((c) => !CASES.includes(c));
  if (unknown.length) throw new Error(`unknown case ${unknown.join(', ')}: expected some of ${CASES.join(', ')}`);
  const token = 'bench-token';
  const env = { ...process.env, OKTA_API_TOKEN: token, TIGER_HOME: join(tmpdir(), `tiger-bench-home-${process.pid}`) };
  let emulator: ChildProcess | null = null;
  try {
    let sync: { plain: unknown; pipeline: unknown; ratio: number } | null = null;
    if (wants('sync')) {
      emulator = spawn(
        process.execPath,
        ['bin/tiger.js', 'emulator', 'okta', '--port', String(port), '--users', String(users), '--groups', String(groups), '--apps', '20', '--members-per-group', String(perGroup), '--seed', '1', '--token', token],
        { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const started = emulator;
      await new Promise<void>((resolve, reject) => {
        started.stdout!.on('data', (d: Buffer) => d.toString().includes('okta emulator:') && resolve());
        started.on('exit', (c) => reject(new Error(`emulator exited ${c}`)));
      });
      const connectorFile = join(tmpdir(), `tiger-bench-${process.pid}.yaml`);
      writeFileSync(connectorFile, `name: bench-okta\ntype: okta\nconfig:\n  domain: http://127.0.0.1:${port}\n  apiToken: \${OKTA_API_TOKEN}\n`);
      process.stdout.write(`bench: ${users} users, ${groups} groups, ~${groups * perGroup} memberships (Okta emulator → SQLite)\n`);
      const plain = JSON.parse(await run(['bench/case.ts', 'plain', connectorFile], env));
      process.stdout.write(`  plain loop:        ${plain.records} records in ${plain.seconds.toFixed(1)} s = ${plain.recordsPerSec}/s, peak RSS ${plain.peakRssMB} MB\n`);
      const pipeline = JSON.parse(await run(['bench/case.ts', 'pipeline', connectorFile], env));
      process.stdout.write(`  temporal pipeline: ${pipeline.records} records in ${pipeline.seconds.toFixed(1)} s = ${pipeline.recordsPerSec}/s, peak RSS ${pipeline.peakRssMB} MB\n`);
      const ratio = pipeline.recordsPerSec / plain.recordsPerSec;
      process.stdout.write(`  ratio pipeline/plain: ${ratio.toFixed(2)}\n`);
      emulator.kill('SIGTERM');
      emulator = null;
      sync = { plain, pipeline, ratio };
    }
    const ldap = process.env.BENCH_LDAP === '0' || !wants('ldap') ? null : await runLdapCase(env);
    const cliStartup = wants('cli') ? await runCliStartupCase(env) : null;
    const push = wants('push') ? await runLastLineCase('bench/push.ts', env) : null;
    const latency = wants('latency') ? await runLastLineCase('bench/latency.ts', env) : null;
    const sql = wants('sql') ? await runLastLineCase('bench/sql.ts', env) : null;
    const rateLimited = wants('rate-limited') ? await runLastLineCase('bench/rate-limited.ts', env) : null;
    const graph = wants('graph') ? await runLastLineCase('bench/graph.ts', env) : null;
    const mesh = wants('mesh') ? await runLastLineCase('bench/mesh.ts', env) : null;
    const result = { at: new Date().toISOString(), users, groups, membershipsPerGroup: perGroup, plain: sync?.plain ?? null, pipeline: sync?.pipeline ?? null, ratio: sync?.ratio ?? null, ldap, cliStartup, push, latency, sql, rateLimited, graph, mesh };
    mkdirSync(join(root, 'bench', 'results'), { recursive: true });
    const file = join(root, 'bench', 'results', `${result.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2));
    process.stdout.write(`  written: ${file}\n`);
  } finally {
    emulator?.kill('SIGTERM');
  }
}

/** A case that prints lines for a person, then its JSON as the last line. */
async function runLastLineCase(script: string, env: NodeJS.ProcessEnv): Promise<unknown> {
  const out = await run([script], env);
  const lines = out.trim().split('\n');
  process.stdout.write(lines.slice(0, -1).join('\n') + '\n');
  return JSON.parse(lines.pop() as string);
}

async function runCliStartupCase(env: NodeJS.ProcessEnv): Promise<unknown> {
  const out = await run(['bench/cli-startup.ts'], env);
  process.stdout.write(out.trim().split('\n').slice(0, -1).join('\n') + '\n');
  return JSON.parse(out.trim().split('\n').pop() as string);
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
