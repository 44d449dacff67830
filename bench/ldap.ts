// The LDAP benchmark case: ≥ 20,000 users in their own OU of the project's slapd, synced by the
// same activities once in a plain loop and once as the Temporal workflow, each into a fresh SQLite
// store. Human lines first; the last stdout line is the JSON that bench/run.ts parses.
// Usage: node --require tsx/cjs bench/ldap.ts   (BENCH_LDAP_ENTRIES, BENCH_LDAP_TEMPORAL_PORT)
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConnectorCache } from '../activities/connector-cache';
import { createSyncActivities } from '../activities/sync';
import { parseConnectorText } from '../config/load';
import type { ConnectorDefinition } from '../config/types';
import { typeSchemas } from '../connectors/registry';
import { runFullSync, withPipeline } from './pipeline-run';
import { runPlainSync } from './plain-loop';
import { SqliteStore } from '../store/sqlite';
import { ensureDirectories, type Directories } from '../test/support/directories';

const exec = promisify(execFile);
const entries = Number(process.env.BENCH_LDAP_ENTRIES ?? 20_000);
const temporalPort = Number(process.env.BENCH_LDAP_TEMPORAL_PORT ?? 17234);
const PASSWORD_ENV = 'BENCH_LDAP_PASSWORD';

interface Timing {
  records: number;
  seconds: number;
  recordsPerSec: number;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

/** LDAP tool arguments; the password goes through a 0600 file (-y), never the command line. */
function toolArgs(ldap: Directories['ldap'], passwordFile: string): string[] {
  return ['-x', '-H', ldap.url, '-D', ldap.bindDn, '-y', passwordFile];
}

/** Adds whatever of ou=bench and its users is missing, so a second run seeds nothing. */
async function seed(ldap: Directories['ldap'], ou: string, passwordFile: string): Promise<number> {
  const existing = new Set<string>();
  try {
    const { stdout } = await exec('ldapsearch', [...toolArgs(ldap, passwordFile), '-LLL', '-o', 'ldif-wrap=no', '-b', ou, '-s', 'one', '-E', 'pr=1000/noprompt', '(objectClass=inetOrgPerson)', 'uid'], { maxBuffer: 256 * 1024 * 1024 });
    for (const m of stdout.matchAll(/^uid: (.+)$/gm)) existing.add(m[1]);
  } catch (err) {
    // 32 = noSuchObject: the OU itself is not there yet.
    if ((err as { code?: number }).code !== 32) throw err;
  }
  const ldif: string[] = [];
  if (existing.size === 0) ldif.push(`dn: ${ou}\nobjectClass: organizationalUnit\nou: bench\n`);
  for (let i = 1; i <= entries; i++) {
    const uid = `b${String(i).padStart(6, '0')}`;
    if (existing.has(uid)) continue;
    // No employeeNumber: the integration tests scope the seeded people by it, so these stay out.
    ldif.push(`dn: uid=${uid},${ou}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: Bench ${uid}\nsn: ${uid}\ngivenName: Bench\nmail: ${uid}@bench.example.org\ntitle: Engineer ${i % 50}\n`);
  }
  if (ldif.length === 0) return 0;
  await new Promise<void>((resolve, reject) => {
    const child = spawn('ldapadd', toolArgs(ldap, passwordFile), { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ldapadd exited ${code}: ${err.slice(-500)}`))));
    child.stdin.end(ldif.join('\n'));
  });
  return ldif.length;
}

function connectorYaml(ldap: Directories['ldap'], ou: string): string {
  return [
    'name: bench-ldap',
    'type: ldap',
    'sync:',
    '  resources: [users]',
    'config:',
    '  host: 127.0.0.1',
    `  port: ${new URL(ldap.url).port}`,
    `  baseDn: "${ldap.baseDn}"`,
    `  bindDn: "${ldap.bindDn}"`,
    `  bindPassword: \${${PASSWORD_ENV}}`,
    `  userSearchBase: "${ou}"`,
    '  userSearchFilter: "(objectClass=inetOrgPerson)"',
    '  pageSize: 1000',
    '  attributeMapping:',
    '    username: uid',
    '    email: mail',
    '    firstName: givenName',
    '    lastName: sn',
    '    displayName: cn',
    '    title: title',
    '',
  ].join('\n');
}

async function freshStore(dir: string, def: ConnectorDefinition): Promise<SqliteStore> {
  const store = new SqliteStore(join(dir, 'tiger.db'));
  await store.migrate();
  await store.saveConnector({ name: def.name, type: def.type, enabled: true, definition: def });
  return store;
}

const timing = (records: number, ms: number): Timing => ({ records, seconds: ms / 1000, recordsPerSec: Math.round((records * 1000) / ms) });

async function plain(def: ConnectorDefinition): Promise<Timing> {
  const dir = mkdtempSync(join(tmpdir(), 'tiger-bench-ldap-plain-'));
  const store = await freshStore(dir, def);
  const connectors = new ConnectorCache(store);
  try {
    const t0 = Date.now();
    const counts = await runPlainSync(createSyncActivities({ store, connectors }), def.name, 'full', randomUUID());
    return timing(counts.fetched, Date.now() - t0);
  } finally {
    await connectors.closeAll();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function pipeline(def: ConnectorDefinition): Promise<Timing> {
  const dir = mkdtempSync(join(tmpdir(), 'tiger-bench-ldap-pipeline-'));
  const store = await freshStore(dir, def);
  try {
    return await withPipeline({ dir, port: temporalPort, store }, async (client) => {
      const { summary, ms } = await runFullSync(client, def, 100);
      return timing(summary.counts.fetched, ms);
    });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const dirs = await ensureDirectories();
  const ou = `ou=bench,${dirs.ldap.baseDn}`;
  const secretDir = mkdtempSync(join(tmpdir(), 'tiger-bench-ldap-secret-'));
  const passwordFile = join(secretDir, 'pw');
  writeFileSync(passwordFile, dirs.ldap.password, { mode: 0o600 });
  try {
    const t0 = Date.now();
    const added = await seed(dirs.ldap, ou, passwordFile);
    say(`ldap bench: ${entries} users under ${ou} (${added ? `seeded ${added} entries in ${((Date.now() - t0) / 1000).toFixed(1)} s` : 'already seeded'})`);
  } finally {
    rmSync(secretDir, { recursive: true, force: true });
  }
  process.env[PASSWORD_ENV] = dirs.ldap.password;
  const def = parseConnectorText(connectorYaml(dirs.ldap, ou), 'bench-ldap.yaml', typeSchemas());

  const p = await plain(def);
  say(`  plain loop:        ${p.records} records in ${p.seconds.toFixed(1)} s = ${p.recordsPerSec}/s`);
  const w = await pipeline(def);
  say(`  temporal pipeline: ${w.records} records in ${w.seconds.toFixed(1)} s = ${w.recordsPerSec}/s`);
  if (p.records < entries || w.records < entries) throw new Error(`expected ≥ ${entries} records, got plain ${p.records}, pipeline ${w.records}`);
  const ratio = Math.round((w.recordsPerSec / p.recordsPerSec) * 100) / 100;
  say(`  ratio pipeline/plain: ${ratio.toFixed(2)}`);
  const slim = (t: Timing) => ({ seconds: t.seconds, recordsPerSec: t.recordsPerSec });
  say(JSON.stringify({ case: 'ldap', entries: p.records, plain: slim(p), pipeline: slim(w), ratio }));
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
