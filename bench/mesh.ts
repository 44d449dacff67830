// The mesh benchmark case: 100,000 persons from three sources (HR, AD, Okta: 300,000 accounts),
// seeded straight into a fresh SQLite store through its API as three connectors' objects (no
// source servers), then correlated by a full mesh run, once as a plain loop calling the mesh
// activities and once as the mesh/<name> Temporal workflow, each in its own process so each peak
// RSS is its own. Seeding is not timed. Human lines first; the last stdout line is the JSON that
// bench/run.ts parses.
// Usage: node --require tsx/cjs bench/mesh.ts   (BENCH_MESH_PERSONS, BENCH_MESH_TEMPORAL_PORT)
import { Client, Connection } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMeshActivities } from '../activities/mesh';
import { normalizeMesh } from '../config/mesh';
import { startDevServer } from '../client/devserver';
import { SqliteStore } from '../store/sqlite';
import type { IdentityStore, StagedObject } from '../store/types';
import { loadBundle } from '../worker/bundle';
import { startWorker } from '../worker/worker';
import { meshWorkflow } from '../workflows/definitions';
import { addMeshCounts, zeroMeshCounts, type MeshCounts } from '../workflows/mesh-types';

const root = join(__dirname, '..');
const persons = Number(process.env.BENCH_MESH_PERSONS ?? 100_000);
const temporalPort = Number(process.env.BENCH_MESH_TEMPORAL_PORT ?? 17236);
const BATCH = 500;
const say = (line: string) => process.stdout.write(`${line}\n`);

const def = normalizeMesh(
  {
    name: 'bench',
    sources: ['hr', 'ad', 'okta'],
    correlation: [
      { name: 'employee-id', match: { source: 'ad', attribute: 'employeeId' }, with: { source: 'hr', attribute: 'employeeId' }, normalize: ['trim', 'lower'] },
      { name: 'email', match: { source: 'okta', attribute: 'email' }, with: { mesh: 'email' }, normalize: ['lower', 'trim'] },
    ],
    attributes: {
      email: { from: ['hr.email', 'okta.email'], transform: 'lower' },
      department: ['hr.department', 'ad.department'],
      displayName: ['hr.displayName'],
      username: ['ad.username'],
    },
    lifecycle: { source: 'hr', onLeave: 'disable' },
  },
  'bench-mesh.yaml',
);

/** Account i of each source. 1 in 50 directory accounts and 1 in 40 Okta users match nobody;
 *  HR record i (i % 100 = 99) repeats the e-mail of record i − 1, so Okta user i − 1 has two
 *  candidates (review) and Okta user i none. */
function accounts(source: 'hr' | 'ad' | 'okta', from: number, to: number): StagedObject[] {
  const out: StagedObject[] = [];
  for (let i = from; i < to; i++) {
    if (source === 'hr') {
      const email = `person${i % 100 === 99 ? i - 1 : i}@corp.example`;
      out.push({ kind: 'user', id: `E${i}`, attrs: { employeeId: `E${i}`, email, displayName: `Person ${i}`, department: `Dept ${i % 40}` } });
    } else if (source === 'ad') out.push({ kind: 'user', id: `ad-${i}`, attrs: { employeeId: i % 50 === 0 ? `X${i}` : ` e${i} `, username: `u${i}`, department: `OU ${i % 7}` } });
    else out.push({ kind: 'user', id: `okta-${i}`, attrs: { email: i % 40 === 0 ? `nobody${i}@elsewhere.example` : `Person${i}@Corp.Example`, status: 'ACTIVE' } });
  }
  return out;
}

/** What the rules give for the generated data, counted directly. */
function expectedCounts(): Pick<MeshCounts, 'founded' | 'linked' | 'review' | 'unmatched'> {
  const c = { founded: persons, linked: 0, review: 0, unmatched: 0 };
  for (let i = 0; i < persons; i++) {
    if (i % 50 === 0) c.unmatched++;
    else c.linked++;
    const shared = i % 100 === 98 && i + 1 < persons;
    if (i % 40 === 0 || i % 100 === 99) c.unmatched++;
    else if (shared) c.review++;
    else c.linked++;
  }
  return c;
}

/** Seeds the three sources through the store's own write path (stage + apply, as a sync does). */
async function seed(store: IdentityStore): Promise<void> {
  for (const source of ['hr', 'ad', 'okta'] as const) {
    const runId = `seed-${source}`;
    await store.beginRun({ runId, connector: source, mode: 'full', trigger: 'bench' });
    for (let i = 0, page = 0; i < persons; i += 5000, page++) {
      const key = `${runId}/${page}`;
      await store.stagePage(key, source, { objects: accounts(source, i, Math.min(persons, i + 5000)), links: [], deletions: [], linkSets: [] }, runId);
      await store.applyStagedPage(key, source, runId);
    }
    await store.finishRun(runId, 'succeeded');
  }
  await store.saveMesh({ name: def.name, definition: def });
}

/** The workflow's loop over the same activities, without Temporal. */
async function plainRun(store: IdentityStore): Promise<MeshCounts> {
  const acts = createMeshActivities({ store });
  const runId = 'bench-plain';
  const counts = zeroMeshCounts();
  const b = await acts.beginMeshRun({ mesh: def.name, runId, full: true, trigger: 'cli' });
  for (const source of b.sources) {
    for (let afterId: string | null = null; ; ) {
      const r = await acts.correlateChangedBatch({ mesh: def.name, runId, source, since: b.since, until: b.until, afterId, limit: BATCH });
      addMeshCounts(counts, r.counts);
      afterId = r.nextAfterId;
      if (afterId === null) break;
    }
  }
  for (const status of ['unmatched', 'review'] as const) {
    for (let after: { connector: string; accountId: string } | null = null; ; ) {
      const r = await acts.correlatePendingBatch({ mesh: def.name, runId, status, after, limit: BATCH });
      addMeshCounts(counts, { linked: r.counts.linked, founded: r.counts.founded, persons: r.counts.persons });
      after = r.next;
      if (after === null) break;
    }
  }
  await acts.endMeshRun({ mesh: def.name, runId, until: b.until, counts, error: null });
  return counts;
}

async function pipelineRun(store: IdentityStore, dir: string): Promise<MeshCounts> {
  Runtime.install({ logger: undefined, shutdownSignals: [] });
  const server = await startDevServer({ dbFile: join(dir, 'temporal.db'), port: temporalPort, uiPort: 0, headless: true });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const worker = await startWorker({ target: { address: server.address, namespace: 'default' }, store, client: async () => client, workflowBundle: await loadBundle() });
  try {
    const t0 = Date.now();
    const summary = await client.workflow.execute(meshWorkflow, {
      workflowId: `mesh/${def.name}`,
      taskQueue: process.env.TIGER_TASK_QUEUE ?? 'tiger-sync',
      args: [{ mesh: def.name, again: { full: true, trigger: 'cli' }, options: { batchSize: BATCH } }],
    });
    if (summary.status !== 'succeeded') throw new Error(`mesh run ${summary.status}: ${summary.error}`);
    pipelineSeconds = (Date.now() - t0) / 1000;
    return summary.counts;
  } finally {
    await worker.shutdown();
    await connection.close();
    await server.stop();
  }
}
let pipelineSeconds = 0;

/** One case in this process: seed, correlate, check the result, report. */
async function runOne(kind: 'plain' | 'pipeline'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `tiger-bench-mesh-${kind}-`));
  const store = new SqliteStore(join(dir, 'tiger.db'));
  await store.migrate();
  try {
    const s0 = Date.now();
    await seed(store);
    const seedSeconds = (Date.now() - s0) / 1000;
    const t0 = Date.now();
    const counts = kind === 'plain' ? await plainRun(store) : await pipelineRun(store, dir);
    const seconds = kind === 'plain' ? (Date.now() - t0) / 1000 : pipelineSeconds;
    // A rate is only worth reporting when the join is right.
    const want = expectedCounts();
    const got = { founded: counts.founded, linked: counts.linked, review: counts.review, unmatched: counts.unmatched };
    if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`correlation result off: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    const records = persons * 3;
    process.stdout.write(`${JSON.stringify({ case: kind, records, seconds, recordsPerSec: Math.round(records / seconds), seedSeconds, counts, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface CaseResult { records: number; seconds: number; recordsPerSec: number; peakRssMB: number; seedSeconds: number; counts: MeshCounts }

function spawnCase(kind: 'plain' | 'pipeline'): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'bench/mesh.ts', kind], { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop() as string) as CaseResult) : reject(new Error(`bench/mesh.ts ${kind} exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const kind = process.argv[2];
  if (kind === 'plain' || kind === 'pipeline') return runOne(kind);
  say(`mesh bench: ${persons} persons from three sources (${persons * 3} accounts) seeded into SQLite, one full correlation`);
  const line = (label: string, r: CaseResult) =>
    say(`  ${label} ${r.records} accounts in ${r.seconds.toFixed(1)} s = ${r.recordsPerSec}/s, peak RSS ${r.peakRssMB} MB (seeded in ${r.seedSeconds.toFixed(1)} s; ${r.counts.founded} founded, ${r.counts.linked} linked, ${r.counts.review} review, ${r.counts.unmatched} unmatched)`);
  const plain = await spawnCase('plain');
  line('plain loop:       ', plain);
  const pipeline = await spawnCase('pipeline');
  line('temporal pipeline:', pipeline);
  const ratio = Math.round((pipeline.recordsPerSec / plain.recordsPerSec) * 100) / 100;
  say(`  ratio pipeline/plain: ${ratio.toFixed(2)}`);
  const slim = (r: CaseResult) => ({ seconds: r.seconds, recordsPerSec: r.recordsPerSec, peakRssMB: r.peakRssMB, counts: r.counts });
  say(JSON.stringify({ case: 'mesh', persons, accounts: persons * 3, plain: slim(plain), pipeline: slim(pipeline), ratio }));
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
