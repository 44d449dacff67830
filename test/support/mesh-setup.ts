// What the mesh integration tests share: the harness with the emulator's Okta users, the Samba AD
// tools, the listings they compare against, and the provisioning every mesh-fed target uses.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Directories } from './directories';
import { ldapsearchList } from './directories';
import { startHarness, type Harness } from './harness';
import { oktaAdmin } from './okta-admin';

const exec = promisify(execFile);

export interface OktaListed { id: string; login: string; email: string }

/** The Okta connector both mesh tests sync (credentials from the harness's environment). */
export const oktaConnectorYaml = (name: string) => `name: ${name}\ntype: okta\nconfig:\n  domain: \${OKTA_DOMAIN}\n  apiToken: \${OKTA_API_TOKEN}\n  sync:\n    resources: [users]\n`;

/** push from mesh/<name>, for persons with a username. */
export const meshProvisioning = (mesh: string) => ({
  from: `mesh/${mesh}`, after: 'sync', scope: { filter: 'username pr' },
  mapping: { user: { username: 'username', email: 'email', displayName: 'displayName', lastName: 'displayName', department: 'department' } },
});

/** A harness on an empty Okta emulator holding these users (key, email, login = email), worker started.
 *  The returned map names each user's Okta id by key. */
export async function startMeshHarness(run: string, users: [key: string, email: string, login?: string][]): Promise<{ h: Harness; okta: Record<string, string> }> {
  const h = await startHarness({ emulator: { users: 0, groups: 0, apps: 0 } });
  const admin = oktaAdmin(h.emulator!.url);
  const okta: Record<string, string> = {};
  for (const [key, email, login = email] of users) {
    okta[key] = (await admin.createUser({ login, email, firstName: key, lastName: run })).id;
  }
  await h.startWorker();
  return { h, okta };
}

/** This run's Okta users as the Okta API lists them. */
export async function listOkta(h: Harness, run: string): Promise<OktaListed[]> {
  const all = (await oktaAdmin(h.emulator!.url).call('GET', '/api/v1/users?limit=200')) as { id: string; profile: { login: string; email: string } }[];
  return all.filter((u) => u.profile.login.includes(run)).map((u) => ({ id: u.id, login: u.profile.login, email: u.profile.email }));
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** An LDAP tool against Samba AD (LDAPS, the directory's CA), the LDIF on stdin. */
export async function adTool(dirs: Directories, tool: 'ldapadd' | 'ldapmodify' | 'ldapdelete', input: string, args: string[] = []): Promise<void> {
  const p = exec(tool, ['-x', '-H', dirs.ad.url, '-D', dirs.ad.bindDn, '-w', dirs.ad.password, ...args], { env: { ...process.env, LDAPTLS_CACERT: dirs.ad.caFile } });
  p.child.stdin!.end(input);
  await p;
}

/** Best-effort removal of a test OU in AD and all below it. */
export const deleteAdOu = (dirs: Directories, ou: string) => adTool(dirs, 'ldapdelete', '', ['-r', ou]).catch(() => undefined);

/** sAMAccountName → DN (lower-cased) and userAccountControl of the accounts under this OU. */
export async function adEntries(dirs: Directories, ou: string): Promise<Map<string, { dn: string; uac: string }>> {
  const read = (a: string) => ldapsearchList(dirs.ad, ou, '(objectClass=user)', a).catch(() => new Map<string, string>());
  const [sams, uacs] = await Promise.all([read('sAMAccountName'), read('userAccountControl')]);
  return new Map([...sams].map(([dn, sam]) => [sam, { dn: dn.toLowerCase(), uac: uacs.get(dn)! }]));
}
