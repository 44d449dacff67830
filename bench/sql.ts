// The SQL benchmark case: ≥ 200,000 rows of one PostgreSQL table (127.0.0.1:5432, database
// `test`, schema tiger_bench_sql, seeded once and reused), synced by bench/case.ts once as a plain
// loop and once as the Temporal workflow, each in its own process so each peak RSS is its own.
// Human lines first; the last stdout line is the JSON that bench/run.ts parses.
// Usage: node --require tsx/cjs bench/sql.ts   (BENCH_SQL_ROWS, BENCH_SQL_URL, BENCH_SQL_TEMPORAL_PORT)
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const root = join(__dirname, '..');
const rows = Number(process.env.BENCH_SQL_ROWS ?? 200_000);
const url = process.env.BENCH_SQL_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const temporalPort = process.env.BENCH_SQL_TEMPORAL_PORT ?? '17235';
const SCHEMA = 'tiger_bench_sql';
const say = (line: string) => process.stdout.write(`${line}\n`);

interface CaseResult {
  records: number;
  seconds: number;
  recordsPerSec: number;
  peakRssMB: number;
}

/** Creates or tops up the table to `rows` rows; a second run seeds nothing. */
async function seed(): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
    await c.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.people (id integer PRIMARY KEY, email text, display_name text, first_name text, last_name text,
      department text, title text, modified_at timestamp(6) NOT NULL, active boolean NOT NULL)`);
    const { rows: [{ n }] } = await c.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${SCHEMA}.people`);
    const have = Number(n);
    if (have >= rows) return 0;
    await c.query(
      `INSERT INTO ${SCHEMA}.people SELECT g, 'p' || g || '@bench.example.org', 'Person ' || g, 'Bench', 'P' || g, 'Dept ' || (g % 40), 'Engineer ' || (g % 50),
        (now() AT TIME ZONE 'UTC') - interval '1 day', true FROM generate_series($1::int, $2::int) g`,
      [have + 1, rows],
    );
    return rows - have;
  } finally {
    await c.end();
  }
}

function runCase(kind: 'plain' | 'pipeline', file: string): Promise<CaseResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'bench/case.ts', kind, file], {
      cwd: root,
      env: { ...process.env, BENCH_SQL_URL: url, BENCH_TEMPORAL_PORT: temporalPort },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop() as string) as CaseResult) : reject(new Error(`bench/case.ts ${kind} exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const added = await seed();
  say(`sql bench: ${rows} rows of ${SCHEMA}.people in PostgreSQL (${added ? `seeded ${added} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s` : 'already seeded'})`);
  const file = join(tmpdir(), `tiger-bench-sql-${process.pid}.yaml`);
  // The connection string reaches the activities as a reference, as in a real connector file.
  writeFileSync(
    file,
    [
      'name: bench-sql',
      'type: sql',
      'sync:',
      '  resources: [users]',
      'config:',
      '  connectionString: ${BENCH_SQL_URL}',
      `  importQuery: ${SCHEMA}.people`,
      '  externalIdColumn: id',
      '  watermarkColumn: modified_at',
      '  deltaColumnType: datetime2',
      '  isActiveColumn: active',
      '  pageSize: 2000',
      '',
    ].join('\n'),
  );
  try {
    const plain = await runCase('plain', file);
    say(`  plain loop:        ${plain.records} records in ${plain.seconds.toFixed(1)} s = ${plain.recordsPerSec}/s, peak RSS ${plain.peakRssMB} MB`);
    const pipeline = await runCase('pipeline', file);
    say(`  temporal pipeline: ${pipeline.records} records in ${pipeline.seconds.toFixed(1)} s = ${pipeline.recordsPerSec}/s, peak RSS ${pipeline.peakRssMB} MB`);
    if (plain.records < rows || pipeline.records < rows) throw new Error(`expected ≥ ${rows} records, got plain ${plain.records}, pipeline ${pipeline.records}`);
    const ratio = Math.round((pipeline.recordsPerSec / plain.recordsPerSec) * 100) / 100;
    say(`  ratio pipeline/plain: ${ratio.toFixed(2)}`);
    const slim = (r: CaseResult) => ({ seconds: r.seconds, recordsPerSec: r.recordsPerSec, peakRssMB: r.peakRssMB });
    say(JSON.stringify({ case: 'sql', rows: plain.records, plain: slim(plain), pipeline: slim(pipeline), ratio }));
  } finally {
    rmSync(file, { force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
