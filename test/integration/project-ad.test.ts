// Store → Active Directory projection end to end: an emulated Okta org synced into the store
// through the sync workflow, then projected by projectWorkflow into the real Samba AD DC under
// `OU={{department}},OU=tiger-proj-<run>,…`. Expectations come from the emulator's own snapshot
// and an independent `ldapsearch`, never from the connector's reading code.
import { execFile, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProjection } from '../../client/projection';
import type { ProjectSummary } from '../../workflows/project-types';
import { ensureDirectories, ldapsearchList, type Directories } from '../support/directories';
import { startHarness, uniqueName, type Harness } from '../support/harness';
import { oktaAdmin } from '../support/okta-admin';
import { snapshot, type Snapshot } from '../support/okta-expect';

const exec = promisify(execFile);
const run = Date.now().toString(36);
const INACTIVE = new Set(['DEPROVISIONED', 'SUSPENDED']);

let dirs: Directories;
let h: Harness;
let mine: string;
const source = uniqueName('okta-src');
const target = uniqueName('ad-target');

/** The Okta id is the sAMAccountName (20 characters, unique per seeded org); the login names the entry. */
const oktaYaml = `name: ${source}
type: okta
config:
  domain: \${OKTA_DOMAIN}
  apiToken: \${OKTA_API_TOKEN}
mapping:
  user:
    username: id
    email: profile.email
    firstName: profile.firstName
    lastName: profile.lastName
    displayName: profile.login
    department: profile.department
    status: status
  group:
    name: profile.name
`;

async function project(to = target): Promise<ProjectSummary> {
  const started = await startProjection(h.client, { source, target: to, targetType: 'active-directory', options: { batchSize: 5 } });
  return started.result();
}

/** The real `tiger` CLI process against the harness's Temporal server and store. */
function tiger(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'bin', 'tiger.js'), ...args], {
      env: { ...process.env, TEMPORAL_ADDRESS: h.address },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** DN (lower-cased) → { guid, uac, sam } of every user under this file's OU, read with ldapsearch. */
async function listed(): Promise<Map<string, { guid: string; uac: string; sam: string }>> {
  const [guids, uacs, sams] = await Promise.all(
    ['objectGUID', 'userAccountControl', 'sAMAccountName'].map((a) => ldapsearchList(dirs.ad, mine, '(objectClass=user)', a)),
  );
  return new Map([...sams].map(([dn, sam]) => [dn.toLowerCase(), { guid: guids.get(dn)!, uac: uacs.get(dn)!, sam }]));
}

/** Where each user must be: every user with a department, disabled (514) unless active in Okta. */
function expected(snap: Snapshot, deleted: Set<string> = new Set()): Map<string, { uac: string; sam: string }> {
  return new Map(
    snap.users
      .filter((u) => u.profile.department)
      .map((u) => [
        `cn=${u.profile.login},ou=${u.profile.department},${mine}`.toLowerCase(),
        { uac: INACTIVE.has(u.status) || deleted.has(u.id) ? '514' : '512', sam: u.id },
      ]),
  );
}
/** Lower-cased member DNs of one group, read with ldapsearch (every value, not just the first). */
async function membersOf(groupDn: string): Promise<string[]> {
  const { stdout } = await exec('ldapsearch', ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', dirs.ad.url, '-D', dirs.ad.bindDn, '-w', dirs.ad.password, '-b', groupDn, '-s', 'base', '(objectClass=group)', 'member'], {
    env: { ...process.env, LDAPTLS_CACERT: dirs.ad.caFile },
  });
  return stdout.split('\n').filter((l) => /^member:/i.test(l)).map((l) => l.replace(/^member: /i, '').toLowerCase()).sort();
}

async function ldif(tool: 'ldapmodify' | 'ldapdelete', args: string[], input?: string): Promise<void> {
  const child = execFile(tool, ['-x', '-H', dirs.ad.url, '-D', dirs.ad.bindDn, '-w', dirs.ad.password, ...args], { env: { ...process.env, LDAPTLS_CACERT: dirs.ad.caFile } });
  child.stdin?.end(input ?? '');
  await new Promise<void>((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${tool} exited ${code}`)))));
}

const withoutGuid = (m: Awaited<ReturnType<typeof listed>>) => new Map([...m].map(([dn, v]) => [dn, { uac: v.uac, sam: v.sam }]));

beforeAll(async () => {
  dirs = await ensureDirectories();
  mine = `OU=tiger-proj-${run},${dirs.ad.baseDn}`;
  process.env.TEST_AD_PASSWORD = dirs.ad.password;
  // A fresh seed per run: Okta ids (the sAMAccountNames) never meet leftovers of an earlier run.
  // No seeded groups: group names (sAMAccountNames, unique per domain) come from this file alone.
  h = await startHarness({ emulator: { users: 14, groups: 0, apps: 0, seed: randomInt(1, 2 ** 31) } });
  await h.startWorker();
  await h.addConnector(oktaYaml);
  await h.addConnector(JSON.stringify({
    type: 'active-directory',
    name: target,
    config: {
      host: '127.0.0.1',
      port: 636,
      useSsl: true,
      caFile: dirs.ad.caFile,
      baseDn: dirs.ad.baseDn,
      bindDn: dirs.ad.bindDn,
      bindPassword: '${TEST_AD_PASSWORD}',
      userSearchBase: mine,
      projection: {
        targetContainer: `OU={{department}},${mine}`,
        groupContainer: `OU=Groups,${mine}`,
        attributes: { sAMAccountName: 'username', mail: 'email', givenName: 'firstName', sn: 'lastName', displayName: 'displayName', department: 'department' },
      },
    },
  }));
}, 600_000);

afterAll(async () => {
  await h?.close();
  if (mine) {
    await exec('ldapdelete', ['-x', '-H', dirs.ad.url, '-D', dirs.ad.bindDn, '-w', dirs.ad.password, '-r', mine], {
      env: { ...process.env, LDAPTLS_CACERT: dirs.ad.caFile },
    }).catch(() => undefined);
  }
});

describe('projection of store identities into Active Directory', () => {
  let noDept: string;

  it('creates every user in its department OU, disabled when inactive; a user without department fails alone', async () => {
    const admin = oktaAdmin(h.emulator!.url);
    const before = await snapshot(h.emulator!.url);
    noDept = before.users.find((u) => u.status === 'ACTIVE')!.id;
    await admin.updateProfile(noDept, { department: null });
    expect((await h.sync(source, 'full')).status).toBe('succeeded');

    const summary = await project();
    expect(summary.status).toBe('succeeded');
    const snap = await snapshot(h.emulator!.url);
    expect(snap.users.some((u) => INACTIVE.has(u.status))).toBe(true);
    expect(summary.counts).toMatchObject({ read: 14, created: 13, failed: 1, unchanged: 0, groupsRead: 0 });
    expect(expected(snap).size).toBe(13);
    expect(withoutGuid(await listed())).toEqual(expected(snap));

    const logs = await h.store.listLogs(target, { limit: 50, runId: summary.runId });
    const errors = logs.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain(noDept);
    expect(errors[0].message).toMatch(/unresolved \{\{department\}\}/);
  });

  it('a second projection (through the CLI) without changes writes nothing', async () => {
    const r = await tiger(['connector', 'project', source, '--to', target, '--wait', '--json']);
    // Exit 1: one user could not be projected, and the CLI says where to look.
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`1 users could not be projected: see tiger connector logs ${target}`);
    const summary = JSON.parse(r.stdout) as ProjectSummary;
    expect(summary.status).toBe('succeeded');
    // The user without a department is tried again (and fails again): nothing was stored for it.
    expect(summary.counts).toMatchObject({ read: 14, unchanged: 13, failed: 1, created: 0, updated: 0, moved: 0, deactivated: 0 });
  });

  it('after a department change, a deactivation and a deletion in Okta: moved, disabled, disabled', async () => {
    const admin = oktaAdmin(h.emulator!.url);
    const snap = await snapshot(h.emulator!.url);
    const [mover, leaver, gone] = snap.users.filter((u) => u.status === 'ACTIVE' && u.id !== noDept);
    const newDept = `Moved ${run}`;
    await admin.updateProfile(mover.id, { department: newDept });
    await admin.deactivate(leaver.id);
    await admin.deleteUser(gone.id);
    const guidsBefore = new Map([...(await listed()).values()].map((v) => [v.sam, v.guid]));
    expect((await h.sync(source, 'full')).status).toBe('succeeded');

    const summary = await project();
    expect(summary.status).toBe('succeeded');
    expect(summary.counts).toMatchObject({ moved: 1, deactivated: 2, created: 0, failed: 1 });

    const after = await listed();
    // The deleted user is disabled where it was (seed 004: disable instead of delete).
    const deletedEntry = { ...snap.users.find((u) => u.id === gone.id)! };
    const now = await snapshot(h.emulator!.url);
    expect(now.users.some((u) => u.id === gone.id)).toBe(false);
    expect(withoutGuid(after)).toEqual(expected({ ...now, users: [...now.users, deletedEntry] }, new Set([gone.id])));
    const moved = after.get(`cn=${mover.profile.login},ou=${newDept},${mine}`.toLowerCase())!;
    expect(moved.uac).toBe('512');
    // Moved, not re-created: the objectGUID is the same.
    expect(moved.guid).toBe(guidsBefore.get(mover.id));
    expect([...after.values()].find((v) => v.sam === leaver.id)!.uac).toBe('514');
  });

  it('re-enables accounts whose identities are active again', async () => {
    const admin = oktaAdmin(h.emulator!.url);
    const snap = await snapshot(h.emulator!.url);
    const before = await listed();
    // Disabled now: deactivated by the previous test, or inactive (hence created without a password) from the start.
    const back = snap.users.filter((u) => INACTIVE.has(u.status) && u.profile.department).slice(0, 2);
    expect(back).toHaveLength(2);
    for (const u of back) {
      expect([...before.values()].find((v) => v.sam === u.id)!.uac).toBe('514');
      await admin.call('POST', `/api/v1/users/${u.id}/lifecycle/${u.status === 'SUSPENDED' ? 'unsuspend' : 'activate'}`);
    }
    expect((await h.sync(source, 'full')).status).toBe('succeeded');
    const summary = await project();
    expect(summary.counts).toMatchObject({ activated: 2, deactivated: 0, created: 0, failed: 1 });
    const after = await listed();
    for (const u of back) expect([...after.values()].find((v) => v.sam === u.id)!.uac).toBe('512');
  });

  it('creates again an account deleted in AD by hand, and keeps its new objectGUID', async () => {
    const admin = oktaAdmin(h.emulator!.url);
    const snap = await snapshot(h.emulator!.url);
    const victim = snap.users.find((u) => u.status === 'ACTIVE' && u.profile.department)!;
    const dn = `CN=${victim.profile.login},OU=${victim.profile.department},${mine}`;
    const oldGuid = (await listed()).get(dn.toLowerCase())!.guid;
    await ldif('ldapdelete', [dn]);
    await admin.updateProfile(victim.id, { lastName: `Again${run}` });
    expect((await h.sync(source, 'full')).status).toBe('succeeded');
    const summary = await project();
    expect(summary.counts).toMatchObject({ created: 1, updated: 0, failed: 1 });
    const back = (await listed()).get(dn.toLowerCase())!;
    expect(back).toMatchObject({ sam: victim.id, uac: '512' });
    expect(back.guid).not.toBe(oldGuid);

    // The new objectGUID was remembered: the next change updates that account in place.
    await admin.updateProfile(victim.id, { lastName: `Later${run}` });
    expect((await h.sync(source, 'full')).status).toBe('succeeded');
    expect((await project()).counts).toMatchObject({ created: 0, updated: 1, failed: 1 });
    expect((await listed()).get(dn.toLowerCase())!.guid).toBe(back.guid);
  });

  it('projects a group with its projected members; a membership removed in Okta goes, a foreign member stays', async () => {
    const admin = oktaAdmin(h.emulator!.url);
    const snap = await snapshot(h.emulator!.url);
    const name = `tiger-proj-${run}`;
    const group = (await admin.call('POST', '/api/v1/groups', { profile: { name } })) as { id: string };
    const three = snap.users.filter((u) => u.status === 'ACTIVE' && u.profile.department).slice(0, 3);
    expect(three).toHaveLength(3);
    for (const u of three) await admin.addMember(group.id, u.id);
    // A member the directory cannot hold (no department, never projected) is left out, not an error.
    await admin.addMember(group.id, noDept);
    expect((await h.sync(source, 'full')).status).toBe('succeeded');

    const first = await project();
    expect(first.counts).toMatchObject({ groupsRead: 1, groupsWritten: 1, groupsFailed: 0, membersAdded: 3, membersRemoved: 0 });
    const groupDn = `CN=${name},OU=Groups,${mine}`;
    const dnOf = (u: (typeof three)[number]) => `cn=${u.profile.login},ou=${u.profile.department},${mine}`.toLowerCase();
    expect(await membersOf(groupDn)).toEqual(three.map(dnOf).sort());

    const foreign = `CN=Administrator,CN=Users,${dirs.ad.baseDn}`;
    await ldif('ldapmodify', [], `dn: ${groupDn}\nchangetype: modify\nadd: member\nmember: ${foreign}\n`);
    await admin.removeMember(group.id, three[1].id);
    expect((await h.sync(source, 'full')).status).toBe('succeeded');

    const second = await project();
    expect(second.counts).toMatchObject({ groupsWritten: 0, groupsUnchanged: 0, groupsFailed: 0, membersRemoved: 1 });
    expect(await membersOf(groupDn)).toEqual([dnOf(three[0]), dnOf(three[2]), foreign.toLowerCase()].sort());
    // Nothing changed since: the group is not written again.
    expect((await project()).counts).toMatchObject({ groupsRead: 1, groupsUnchanged: 1, membersAdded: 0, membersRemoved: 0 });
  });

  it('a target that cannot write fails the projection at once with a configuration error naming it', async () => {
    const summary = await project(source);
    expect(summary.status).toBe('failed');
    expect(summary.error).toContain(source);
    expect(summary.error).toMatch(/cannot be a projection target/);
  });
});
