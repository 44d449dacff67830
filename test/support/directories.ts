// Starts the real Samba AD DC and slapd through scripts/directories (idempotent: a running,
// healthy pair is reused, a provisioned one is restarted without re-seeding).
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { ChangesResult, Connector, Resource, SourceRecord } from '../../connectors/types';

const run = promisify(execFile);
const repo = resolve(__dirname, '../..');
const home = process.env.TIGER_DIRS_HOME ?? join(repo, '.tiger/directories');

export interface Directories {
  ad: { url: string; bindDn: string; password: string; baseDn: string; caFile: string };
  ldap: { url: string; bindDn: string; password: string; baseDn: string };
}

let starting: Promise<Directories> | null = null;

export function ensureDirectories(): Promise<Directories> {
  starting ??= run('bash', [join(repo, 'scripts/directories/up.sh')], { env: { ...process.env, TIGER_DIRS_HOME: home }, timeout: 600_000 }).then(() => ({
    ad: {
      url: 'ldaps://127.0.0.1:636',
      bindDn: 'CN=Administrator,CN=Users,DC=corp,DC=example,DC=com',
      password: process.env.TIGER_AD_ADMINPASS ?? 'Tiger-Adm1n!pass',
      baseDn: 'DC=corp,DC=example,DC=com',
      caFile: join(home, 'samba/private/tls/ca.pem'),
    },
    ldap: {
      url: `ldap://127.0.0.1:${process.env.TIGER_LDAP_PORT ?? '3389'}`,
      bindDn: 'cn=admin,dc=example,dc=org',
      password: process.env.TIGER_LDAP_ADMINPASS ?? 'tiger-ldap-admin',
      baseDn: 'dc=example,dc=org',
    },
  }));
  return starting;
}

export async function stopDirectories(): Promise<void> {
  starting = null;
  await run('bash', [join(repo, 'scripts/directories/down.sh')], { env: { ...process.env, TIGER_DIRS_HOME: home } });
}

/** Independent listing with OpenLDAP's ldapsearch: DN → first value of `attr` (base64 kept as is). */
export async function ldapsearchList(target: { url: string; bindDn: string; password: string; caFile?: string }, base: string, filter: string, attr: string): Promise<Map<string, string>> {
  const { stdout } = await run('ldapsearch', ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', target.url, '-D', target.bindDn, '-w', target.password, '-b', base, '-E', 'pr=500/noprompt', filter, attr], {
    env: { ...process.env, ...(target.caFile ? { LDAPTLS_CACERT: target.caFile } : {}) },
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = new Map<string, string>();
  for (const block of stdout.split(/\n\n+/)) {
    let dn = '';
    let val = '';
    for (const line of block.split('\n')) {
      const m = /^([^:]+)(::?) ?(.*)$/.exec(line);
      if (!m) continue;
      const v = m[2] === '::' ? Buffer.from(m[3], 'base64').toString(m[1] === 'dn' ? 'utf8' : 'hex') : m[3];
      if (m[1] === 'dn') dn = v;
      else if (m[1].toLowerCase() === attr.toLowerCase() && !val) val = v;
    }
    if (dn) out.set(dn, val);
  }
  return out;
}

/** Every page of a full read, following nextCursor to the end. */
export async function readAll(c: Connector, resource: Resource): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  let cursor: string | null = null;
  do {
    const page = await c.readPage!(resource, cursor);
    out.push(...page.records);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** A whole delta window, every call of it merged (the last call's watermark is the window's). */
export async function readAllChanges(c: Connector, resources: Resource[], watermark: string): Promise<ChangesResult & { calls: number }> {
  const all: ChangesResult & { calls: number } = { records: [], deletions: [], linkSets: [], warnings: [], nextCursor: null, watermark, calls: 0 };
  let cursor: string | null = null;
  do {
    const r = await c.readChanges!(resources, watermark, cursor);
    all.calls++;
    if (r.fullSyncRequired) return { ...all, watermark: r.watermark, fullSyncRequired: r.fullSyncRequired };
    all.records.push(...r.records);
    all.deletions.push(...r.deletions);
    all.linkSets.push(...r.linkSets);
    all.warnings.push(...r.warnings);
    all.watermark = r.watermark;
    cursor = r.nextCursor;
  } while (cursor);
  return all;
}
