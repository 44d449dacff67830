// Starts the real Samba AD DC and slapd through scripts/directories (idempotent: a running,
// healthy pair is reused, a provisioned one is restarted without re-seeding).
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Connector, Resource, SourceRecord } from '../../connectors/types';
import { readAllPages, readWholeWindow } from './connector-reads';

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

/** Every record of a full read, following nextCursor to the end. */
export const readAll = async (c: Connector, resource: Resource): Promise<SourceRecord[]> => (await readAllPages(c, resource)).records;

export const readAllChanges = readWholeWindow;
