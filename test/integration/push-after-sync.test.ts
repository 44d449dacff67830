// Seed 003's automatic provisioning: a target declaring `provisioning: { from, after: sync }` is
// pushed to after every successful sync of its source. A real sync of the Okta emulator through
// the sync workflow, then the push/<target> it requested writes into slapd (read back with
// ldapsearch); a target without `after: sync` is left alone.
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PushSummary } from '../../workflows/push-types';
import { ensureDirectories, ldapsearchList, type Directories } from '../support/directories';
import { startHarness, uniqueName, type Harness } from '../support/harness';
import { snapshot } from '../support/okta-expect';

const exec = promisify(execFile);
const run = Date.now().toString(36);
let dirs: Directories;
let h: Harness;
let ou: string;
const source = uniqueName('okta-auto');
const auto = uniqueName('ldap-auto');
const manual = uniqueName('ldap-manual');

const target = (name: string, after: boolean) => JSON.stringify({
  name,
  type: 'ldap',
  config: {
    host: '127.0.0.1', port: Number(new URL(dirs.ldap.url).port), baseDn: dirs.ldap.baseDn, bindDn: dirs.ldap.bindDn, bindPassword: '${TEST_LDAP_PASSWORD}',
    userSearchBase: `ou=${name},${ou}`, groupSearchBase: `ou=${name},${ou}`,
    projection: { targetContainer: `ou=users,ou=${name},${ou}`, groupContainer: `ou=groups,ou=${name},${ou}` },
  },
  provisioning: {
    from: source,
    ...(after ? { after: 'sync' } : {}),
    mapping: { user: { username: 'login', email: 'email', firstName: 'firstName', lastName: 'lastName', displayName: 'login' } },
  },
});

beforeAll(async () => {
  dirs = await ensureDirectories();
  ou = `ou=push-auto-${run},${dirs.ldap.baseDn}`;
  process.env.TEST_LDAP_PASSWORD = dirs.ldap.password;
  h = await startHarness({ emulator: { users: 6, groups: 0, apps: 0, seed: randomInt(1, 2 ** 31) } });
  await h.startWorker();
  await h.addConnector(`name: ${source}\ntype: okta\nconfig:\n  domain: \${OKTA_DOMAIN}\n  apiToken: \${OKTA_API_TOKEN}\nsync:\n  resources: [users]\n`);
  await h.addConnector(target(auto, true));
  await h.addConnector(target(manual, false));
}, 600_000);

afterAll(async () => {
  await h?.close();
  await exec('ldapdelete', ['-x', '-r', '-H', dirs.ldap.url, '-D', dirs.ldap.bindDn, '-w', dirs.ldap.password, ou]).catch(() => undefined);
});

it('a successful sync of the source pushes into the target that asked for it, and only that one', async () => {
  expect((await h.sync(source, 'full')).status).toBe('succeeded');
  const handle = h.client.workflow.getHandle(`push/${auto}`);
  // The sync requested it at its end: the push workflow exists once the sync has returned.
  const summary = (await handle.result()) as PushSummary;
  const active = (await snapshot(h.emulator!.url)).users.filter((u) => u.status !== 'DEPROVISIONED' && u.status !== 'SUSPENDED');
  expect(summary).toMatchObject({ status: 'succeeded', dryRun: false, source });
  expect(summary.applied.created).toBe(active.length);
  const uids = await ldapsearchList(dirs.ldap, `ou=users,ou=${auto},${ou}`, '(objectClass=inetOrgPerson)', 'uid');
  expect([...uids.values()].sort()).toEqual(active.map((u) => u.profile.login).sort());
  await expect(h.client.workflow.getHandle(`push/${manual}`).describe()).rejects.toThrow(/not found/i);
  const logs = await h.store.listLogs(auto, { limit: 20, runId: summary.runId });
  expect(logs.some((l) => l.message.startsWith(`push of ${source} into ${auto} finished`))).toBe(true);
});
