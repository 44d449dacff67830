// `node --require tsx/cjs bench/profile.ts [plain|pipeline]`: where a sync's time goes. Runs the
// sync case (bench/case.ts: the plain loop, or the pipeline's `tiger worker`) and the Okta
// emulator, each in its own process under --cpu-prof, and attributes every CPU sample to a stage
// by the innermost frame that names one. The emulator's CPU is reported on its own. Org size:
// BENCH_USERS, BENCH_GROUPS, BENCH_MEMBERS_PER_GROUP (default a tenth of the bench: ~150k
// records, seconds); BENCH_DATABASE_URL: an empty PostgreSQL database as the store;
// BENCH_KEEP_PROFILES=1 keeps the .cpuprofile files (open them in Chrome DevTools).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOktaEmulator } from './okta-emulator';
import { runChildCase } from './pipeline-run';

interface Frame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: Frame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

type Rule = [stage: string, test: (f: Frame) => boolean];
const fn = (...names: string[]) => (f: Frame) => names.includes(f.functionName);
const file = (...parts: string[]) => (f: Frame) => parts.some((p) => f.url.includes(p));
/** Node internals and native frames take the stage of the code that called them. */
const transparent = (f: Frame) => f.url === '' || f.url.startsWith('node:');

/** Innermost matching frame wins, so JSON.parse of a body inside the HTTP client counts as parsing. */
const CASE_RULES: Rule[] = [
  ['GC', fn('(garbage collector)')],
  ['idle (waiting on the emulator)', fn('(idle)')],
  ['program (V8, unattributed)', fn('(program)')],
  ['http: JSON.parse of bodies', fn('parseMaybeJson')],
  ['http: ids picked from member lists', file('http/pick-json')],
  ['rows: stable JSON + hash', (f) => file('stable-json')(f) || fn('toPageRows', 'normalizeTimestamp')(f)],
  ['stage: serialise + insert', fn('stagePage', 'stage')],
  ['apply: SQLite / PostgreSQL', file('store/sqlite', 'store/postgres', 'better-sqlite3', 'node_modules/pg')],
  ['mapping', file('pipeline/mapper', 'config/mapping', 'pipeline/mapping-coverage', 'okta/records')],
  ['http: client (undici, sockets)', file('undici', 'connectors/http')],
  ['connector paging', file('connectors/okta')],
  ['temporal worker + SDK', file('@temporalio', 'workflow-bundle')],
  ['module loading', file('tsx', 'esbuild')],
];

const EMULATOR_RULES: Rule[] = [
  ['GC', fn('(garbage collector)')],
  ['idle', fn('(idle)')],
  ['program (V8, unattributed)', fn('(program)')],
  ['org generation (start-up)', file('emulators/okta/generate')],
  ['render records', file('emulators/okta/render')],
  ['JSON.stringify + respond', file('emulators/okta/server')],
  ['paging, filters, routing', file('emulators/okta')],
  ['module loading', file('tsx', 'esbuild', 'node_modules')],
];

/** Seconds of samples per stage: the innermost frame a rule names decides; a stack of node
 *  internals only (socket reads, timers, promise jobs) is 'node internals (sockets, timers)'. */
export function breakdown(profile: CpuProfile, rules: Rule[]): Record<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map<number, string>();
  const resolve = (id: number): string => {
    const known = stageOf.get(id);
    if (known) return known;
    const frame = byId.get(id)!.callFrame;
    const rule = rules.find(([, test]) => test(frame));
    const p = parent.get(id);
    const stage = rule ? rule[0] : p === undefined ? 'node internals (sockets, timers)' : transparent(frame) || frame.functionName === '(root)' ? resolve(p) : resolve(p) === 'node internals (sockets, timers)' ? 'other' : resolve(p);
    stageOf.set(id, stage);
    return stage;
  };
  const out: Record<string, number> = {};
  profile.samples.forEach((id, i) => {
    const s = resolve(id);
    out[s] = (out[s] ?? 0) + (profile.timeDeltas[i] ?? 0) / 1e6;
  });
  return out;
}

/** Every thread's profile in dir (`CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`), main thread
 *  first: the SQLite store's writer and the workflow sandbox run on threads of their own. */
const readProfiles = (dir: string): { thread: number; profile: CpuProfile }[] => {
  const names = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (names.length === 0) throw new Error(`no .cpuprofile written in ${dir}`);
  return names
    .map((name) => ({ thread: Number(name.split('.').at(-3)), profile: JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile }))
    .sort((a, b) => a.thread - b.thread);
};
const readProfile = (dir: string): CpuProfile => readProfiles(dir)[0]!.profile;

/** Busy seconds of a thread's stages (idle left out), for the threads other than the main one. */
const busy = (stages: Record<string, number>) => Object.fromEntries(Object.entries(stages).filter(([s]) => !s.startsWith('idle')));

function table(title: string, stages: Record<string, number>): string {
  const total = Object.values(stages).reduce((a, b) => a + b, 0);
  const rows = Object.entries(stages).sort((a, b) => b[1] - a[1]);
  return [`  ${title} (${total.toFixed(1)} s sampled)`, ...rows.map(([s, v]) => `    ${s.padEnd(34)} ${v.toFixed(1).padStart(6)} s ${((100 * v) / total).toFixed(0).padStart(3)}%`)].join('\n');
}

async function main(): Promise<void> {
  const org = {
    users: Number(process.env.BENCH_USERS ?? 10_000),
    groups: Number(process.env.BENCH_GROUPS ?? 1_000),
    perGroup: Number(process.env.BENCH_MEMBERS_PER_GROUP ?? 100),
  };
  const kind = process.argv[2] ?? 'plain';
  const dir = mkdtempSync(join(tmpdir(), 'tiger-profile-'));
  const token = 'bench-token';
  const emulator = await startOktaEmulator(org, { port: Number(process.env.BENCH_OKTA_PORT ?? 18901), token, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'emulator')}`] });
  try {
    const connectorFile = join(dir, 'connector.yaml');
    writeFileSync(connectorFile, `name: bench-okta\ntype: okta\nconfig:\n  domain: ${emulator.url}\n  apiToken: \${OKTA_API_TOKEN}\n`);
    const env = { ...process.env, OKTA_API_TOKEN: token, TIGER_HOME: join(dir, 'home') };
    const cpuBefore = emulator.cpuSeconds();
    // The plain loop runs in the case process; the pipeline's activities in its `tiger worker`.
    const prof = ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'case')}`];
    const result = await runChildCase<{ records: number; seconds: number; recordsPerSec: number; peakRssMB: number }>(
      'bench/case.ts',
      [kind, connectorFile],
      kind === 'plain' ? env : { ...env, BENCH_WORKER_NODE_ARGS: prof.join(' ') },
      kind,
      kind === 'plain' ? prof : [],
    );
    const emulatorCpu = emulator.cpuSeconds() - cpuBefore;
    await emulator.stop();
    const [main, ...threads] = readProfiles(join(dir, 'case'));
    const client = breakdown(main!.profile, CASE_RULES);
    const others = threads.map((t) => ({ thread: t.thread, stages: busy(breakdown(t.profile, CASE_RULES)) }));
    const source = breakdown(readProfile(join(dir, 'emulator')), EMULATOR_RULES);
    process.stdout.write(`profile: ${kind} loop, ${result.records} records in ${result.seconds.toFixed(1)} s = ${result.recordsPerSec}/s, peak RSS ${result.peakRssMB} MB; emulator CPU during the run ${emulatorCpu.toFixed(1)} s\n`);
    process.stdout.write(`${table(`${kind} process, main thread, CPU by stage`, client)}\n`);
    for (const t of others) process.stdout.write(`${table(`${kind} process, thread ${t.thread}, busy CPU by stage`, t.stages)}\n`);
    process.stdout.write(`${table('emulator process CPU by stage', source)}\n`);
    process.stdout.write(`${JSON.stringify({ org, kind, ...result, emulatorCpuSeconds: emulatorCpu, clientStages: client, threadStages: others, emulatorStages: source })}\n`);
  } finally {
    await emulator.stop();
    if (process.env.BENCH_KEEP_PROFILES) process.stdout.write(`profiles kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`profile: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
