// The identity mesh end to end on real servers: an HR stand-in in slapd (an `ldap` connector) and
// the Okta emulator, both synced through sync/<name>; each sync asks mesh/<name> for a run; the
// persons, links and review queue are compared with an independent computation of the rules over
// ldapsearch and the Okta API's own listing. Then the mesh feeds an `ldap` target (push from
// `mesh/<name>`, `ou={{department}}` containers): a mover moves, a leaver is disabled.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meshWorkflow } from '../../workflows/definitions';
import type { MeshSummary } from '../../workflows/mesh-types';
import { ensureDirectories, ldapsearchList, type Directories } from '../support/directories';
import type { Harness } from '../support/harness';
import { adEntries as adEntriesUnder, deleteAdOu, listOkta as listOktaFor, meshProvisioning, oktaConnectorYaml, startMeshHarness, waitFor as waitForMs, type OktaListed } from '../support/mesh-setup';
import { runTiger } from '../support/tiger-cli';

const exec = promisify(execFile);
const run = Date.now().toString(36);
const MESH = `people-${run}`;
const HR = `hr-${run}`;
const OKTA = `okta-${run}`;
const TARGET = `dir-${run}`;
const AD = `ad-${run}`;
let adOu: string;
let dirs: Directories;
let h: Harness;
let hrOu: string;
let targetOu: string;
let okta: Record<string, string> = {};

async function ldapTool(tool: 'ldapadd' | 'ldapmodify' | 'ldapdelete', input: string, args: string[] = []): Promise<void> {
  const p = exec(tool, ['-x', '-H', dirs.ldap.url, '-D', dirs.ldap.bindDn, '-w', dirs.ldap.password, ...args]);
  p.child.stdin!.end(input);
  await p;
}

const hrDn = (k: string) => `uid=${k}-${run},${hrOu}`;
const hrEntry = (k: string, mail: string, dept: string) =>
  `dn: ${hrDn(k)}\nobjectClass: inetOrgPerson\nuid: ${k}-${run}\ncn: Person ${k}\nsn: ${k}\nmail: ${mail}\ndepartmentNumber: ${dept}\nemployeeNumber: M-${k}\n`;

interface HrListed { uuid: string; uid: string; mail: string; dept: string; cn: string }

/** The HR entries as slapd lists them (ldapsearch), never through the connector. */
async function listHr(): Promise<HrListed[]> {
  const read = (a: string) => ldapsearchList(dirs.ldap, hrOu, '(objectClass=inetOrgPerson)', a);
  const [uuid, uid, mail, dept, cn] = await Promise.all(['entryUUID', 'uid', 'mail', 'departmentNumber', 'cn'].map(read));
  return [...uuid].map(([dn, id]) => ({ uuid: id, uid: uid.get(dn)!, mail: mail.get(dn)!, dept: dept.get(dn)!, cn: cn.get(dn)! }));
}

/** This file's Okta users as the Okta API lists them. */
const listOkta = () => listOktaFor(h, run);

/** The rules of mesh.yaml, computed directly: persons from HR; Okta by email, then login. */
function expected(hr: HrListed[], users: OktaListed[]) {
  const persons = new Map(hr.map((e) => [`${HR}:${e.uuid}`, { email: e.mail.toLowerCase(), department: e.dept, displayName: e.cn }]));
  const links = new Map<string, string>();
  const review = new Map<string, string[]>();
  const unmatched: string[] = [];
  for (const u of users) {
    const byEmail = hr.filter((e) => e.mail.toLowerCase() === u.email.toLowerCase());
    const byLogin = hr.filter((e) => e.uid.toLowerCase() === u.login.toLowerCase().split('@')[0]);
    const hit = byEmail.length ? { rule: 'email', list: byEmail } : byLogin.length ? { rule: 'login', list: byLogin } : null;
    if (!hit) unmatched.push(u.id);
    else if (hit.list.length > 1) review.set(u.id, hit.list.map((e) => `${HR}:${e.uuid}`).sort());
    else links.set(u.id, `${HR}:${hit.list[0].uuid} ${hit.rule}`);
  }
  for (const [oktaId, v] of links) {
    const p = persons.get(v.split(' ')[0])!;
    Object.assign(p, { username: users.find((u) => u.id === oktaId)!.login.split('@')[0] });
  }
  return { persons, links, review, unmatched: unmatched.sort() };
}

async function meshDone(): Promise<MeshSummary> {
  return h.client.workflow.getHandle<typeof meshWorkflow>(`mesh/${MESH}`).result();
}

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000) => waitForMs(what, probe, ms);

beforeAll(async () => {
  dirs = await ensureDirectories();
  hrOu = `ou=mesh-hr-${run},${dirs.ldap.baseDn}`;
  targetOu = `ou=mesh-target-${run},${dirs.ldap.baseDn}`;
  await ldapTool('ldapadd', [
    `dn: ${hrOu}\nobjectClass: organizationalUnit\nou: mesh-hr-${run}\n`,
    ...[1, 2, 3, 4, 5].map((i) => hrEntry(`p${i}`, `Person${i}.${run}@Mesh.Test`, i % 2 ? 'eng' : 'sales')),
    hrEntry('p6', `only-hr.${run}@mesh.test`, 'eng'),
    hrEntry('d1', `dup.${run}@mesh.test`, 'eng'),
    hrEntry('d2', `dup.${run}@mesh.test`, 'sales'),
    hrEntry('p9', `p9.${run}@corp.test`, 'sales'),
  ].join('\n'));

  process.env.TEST_LDAP_PASSWORD = dirs.ldap.password;
  ({ h, okta } = await startMeshHarness(run, [
    ...[1, 2, 3, 4, 5].map((i): [string, string] => [`o${i}`, `person${i}.${run}@mesh.test`]),
    ['dup', `dup.${run}@mesh.test`],
    ['o9', `other9.${run}@okta.test`, `p9-${run}@okta.test`],
    ['nobody', `nobody.${run}@x.test`],
  ]));

  const ldapConn = (extra: Record<string, unknown>) => ({
    type: 'ldap',
    config: {
      host: '127.0.0.1', port: Number(new URL(dirs.ldap.url).port), useSsl: false, baseDn: dirs.ldap.baseDn, bindDn: dirs.ldap.bindDn, bindPassword: '${TEST_LDAP_PASSWORD}',
      ...extra,
    },
  });
  await h.addConnector(JSON.stringify({
    name: HR, ...ldapConn({
      userSearchBase: hrOu, userSearchFilter: '(objectClass=inetOrgPerson)', groupSearchBase: hrOu, groupSearchFilter: '(objectClass=groupOfNames)',
      attributeMapping: { username: 'uid', email: 'mail', displayName: 'cn', lastName: 'sn', department: 'departmentNumber', employeeId: 'employeeNumber' },
    }),
  }));
  await h.addConnector(oktaConnectorYaml(OKTA));
  const target = ldapConn({
    userSearchBase: targetOu, groupSearchBase: targetOu,
    projection: { targetContainer: `ou={{department}},${targetOu}` },
  });
  const provisioning = meshProvisioning(MESH);
  await h.addConnector(JSON.stringify({ name: TARGET, ...target, deletionLimit: 5, provisioning }));
  // The same persons into Samba AD, under OU={{department}}.
  adOu = `OU=tiger-mesh-${run},${dirs.ad.baseDn}`;
  process.env.TEST_AD_PASSWORD = dirs.ad.password;
  await h.addConnector(JSON.stringify({
    name: AD, type: 'active-directory', deletionLimit: 5, provisioning,
    config: {
      host: '127.0.0.1', port: 636, useSsl: true, caFile: dirs.ad.caFile, baseDn: dirs.ad.baseDn, bindDn: dirs.ad.bindDn, bindPassword: '${TEST_AD_PASSWORD}',
      userSearchBase: adOu, groupSearchBase: adOu,
      projection: { targetContainer: `OU={{department}},${adOu}` },
    },
  }));
}, 600_000);

afterAll(async () => {
  await h?.close();
  for (const ou of [hrOu, targetOu]) if (ou) await ldapTool('ldapdelete', '', ['-r', ou]).catch(() => undefined);
  if (adOu) await deleteAdOu(dirs, adOu);
});

describe('identity mesh on slapd + the Okta emulator', () => {
  const meshFile = () => join(h.dir, 'mesh.yaml');
  const yaml = () => `
name: ${MESH}
sources:
  - connector: ${HR}
  - connector: ${OKTA}
correlation:
  - name: email
    match: { source: ${OKTA}, attribute: email }
    with: { mesh: email }
    normalize: [lower, trim]
  - name: login
    match: { source: ${OKTA}, attribute: login }
    with: { source: ${HR}, attribute: username }
    normalize: [lower, stripDomain]
attributes:
  email: { from: [${HR}.email, ${OKTA}.email], transform: lower }
  department: [${HR}.department]
  displayName: [${HR}.displayName]
  username: { from: [${OKTA}.login], transform: stripDomain }
lifecycle: { source: ${HR}, onLeave: disable }
`;

  it('refuses a bad mesh file naming the field, storing nothing; stores a good one', async () => {
    writeFileSync(meshFile(), yaml().replace('normalize: [lower, trim]', 'normalize: [lower, shout]').replace(`- connector: ${OKTA}`, '- connector: nowhere'));
    const bad = await runTiger(h, ['mesh', 'apply', '-f', meshFile()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('correlation[0].normalize[1]: expected one of lower, trim, stripDomain');
    expect(await h.store.getMesh(MESH)).toBeNull();
    writeFileSync(meshFile(), yaml().replace(`- connector: ${OKTA}`, '- connector: nowhere').replaceAll(`${OKTA}`, 'nowhere'));
    const unknown = await runTiger(h, ['mesh', 'apply', '-f', meshFile()]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('sources[1].connector: no connector named "nowhere"');
    expect(await h.store.getMesh(MESH)).toBeNull();

    writeFileSync(meshFile(), yaml());
    const good = await runTiger(h, ['mesh', 'apply', '-f', meshFile()]);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    expect((await h.store.getMesh(MESH))?.name).toBe(MESH);
  }, 60_000);

  it('syncs of both sources run the mesh: persons, links and review equal the rules computed directly', async () => {
    expect((await h.sync(HR, 'full')).status).toBe('succeeded');
    expect((await h.sync(OKTA, 'full')).status).toBe('succeeded');
    const summary = await meshDone();
    expect(summary.status).toBe('succeeded');
    const runs = await h.store.listRuns(`mesh/${MESH}`, 10);
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((r) => r.trigger === 'sync' && r.status === 'succeeded')).toBe(true);

    const want = expected(await listHr(), await listOkta());
    const persons = await h.store.listMeshPersons(MESH, { afterId: null, limit: 100 });
    expect(new Map(persons.map((p) => [p.personId, p.attributes]))).toEqual(want.persons);
    expect(persons.every((p) => p.state === 'active')).toBe(true);
    const oktaLinks = (await h.store.listMeshLinksByStatus(MESH, 'linked', { after: null, limit: 100 })).filter((l) => l.connector === OKTA);
    expect(new Map(oktaLinks.map((l) => [l.accountId, `${l.personId} ${l.rule}`]))).toEqual(want.links);
    const reviews = await h.store.listMeshReviews(MESH, { status: 'open' });
    expect(new Map(reviews.map((r) => [r.accountId, r.candidates]))).toEqual(want.review);
    expect(want.review.has(okta.dup)).toBe(true);
    const unmatched = await h.store.listMeshLinksByStatus(MESH, 'unmatched', { after: null, limit: 100 });
    expect(unmatched.map((l) => l.accountId).sort()).toEqual(want.unmatched);
    expect(want.unmatched).toEqual([okta.nobody]);
  }, 300_000);

  it('why, show and review answer from the store; a manual link is kept by a full re-run', async () => {
    const hr = await listHr();
    const p9 = `${HR}:${hr.find((e) => e.uid === `p9-${run}`)!.uuid}`;
    const why = await runTiger(h, ['mesh', 'why', p9, 'username', '--mesh', MESH]);
    expect(why.code).toBe(0);
    expect(why.stdout).toMatch(new RegExp(`^username = "p9-${run}" from ${OKTA} account ${okta.o9} \\(linked by rule login\\), set by run `));
    const dept = await runTiger(h, ['mesh', 'why', p9, 'department']);
    expect(dept.stdout).toContain(`from ${HR} account ${hr.find((e) => e.uid === `p9-${run}`)!.uuid} (linked by rule joiner)`);
    const show = await runTiger(h, ['mesh', 'show', p9, '--json']);
    const shown = JSON.parse(show.stdout) as { accounts: { source: string; rule: string }[]; provenance: Record<string, { source: string }> };
    expect(shown.accounts.map((a) => `${a.source} ${a.rule}`).sort()).toEqual([`${HR} joiner`, `${OKTA} login`].sort());
    expect(shown.provenance.email.source).toBe(HR);

    const review = await runTiger(h, ['mesh', 'review', '--json']);
    const open = JSON.parse(review.stdout) as { accountId: string; candidates: string[] }[];
    expect(open.map((r) => r.accountId)).toEqual([okta.dup]);
    const chosen = open[0].candidates[0];
    const link = await runTiger(h, ['mesh', 'link', `${OKTA}/${okta.dup}`, chosen]);
    expect(link.stderr).toBe('');
    expect(link.code).toBe(0);
    const full = await runTiger(h, ['mesh', 'run', '--full', '--wait']);
    expect(full.code).toBe(0);
    const [kept] = await h.store.getMeshLinks(MESH, [{ connector: OKTA, accountId: okta.dup }]);
    expect(kept).toMatchObject({ personId: chosen, status: 'linked', rule: 'manual' });
    expect(await h.store.listMeshReviews(MESH, { status: 'open' })).toEqual([]);
  }, 300_000);

  /** uid → DN of the entries the push wrote, and whether each is locked. */
  async function targetEntries(): Promise<Map<string, { dn: string; locked: boolean }>> {
    const read = (a: string) => ldapsearchList(dirs.ldap, targetOu, '(objectClass=inetOrgPerson)', a).catch(() => new Map<string, string>());
    const [uids, locked] = await Promise.all([read('uid'), read('pwdAccountLockedTime')]);
    return new Map([...uids].map(([dn, uid]) => [uid, { dn: dn.toLowerCase(), locked: (locked.get(dn) ?? '') !== '' }]));
  }

  /** sAMAccountName → DN (lower-cased) and userAccountControl of the AD accounts the push wrote. */
  const adEntries = () => adEntriesUnder(dirs, adOu);

  it('the mesh feeds slapd and AD under {{department}} containers: a mover moves, a leaver is disabled', async () => {
    // The full run above asked push/<target> (provisioning.after: sync) for a run.
    const pushed = await waitFor('the first push from the mesh', async () => {
      const e = await targetEntries();
      return e.size >= 5 ? e : undefined;
    });
    expect(pushed.get(`person1.${run}`)?.dn).toBe(`uid=person1.${run},ou=eng,${targetOu}`.toLowerCase());
    expect(pushed.get(`person2.${run}`)?.dn).toBe(`uid=person2.${run},ou=sales,${targetOu}`.toLowerCase());
    const ad = await waitFor('the first push into AD', async () => {
      const e = await adEntries();
      return e.size >= 5 ? e : undefined;
    });
    expect(ad.get(`person1.${run}`)).toEqual({ dn: `cn=person p1,ou=eng,${adOu}`.toLowerCase(), uac: '512' });
    expect(ad.get(`person2.${run}`)).toEqual({ dn: `cn=person p2,ou=sales,${adOu}`.toLowerCase(), uac: '512' });

    // Mover: HR changes p1's department; the sync runs the mesh, the mesh run asks for the push.
    await ldapTool('ldapmodify', `dn: ${hrDn('p1')}\nchangetype: modify\nreplace: departmentNumber\ndepartmentNumber: sales\n`);
    expect((await h.sync(HR, 'full')).status).toBe('succeeded');
    await waitFor('the mover in ou=sales', async () => ((await targetEntries()).get(`person1.${run}`)?.dn === `uid=person1.${run},ou=sales,${targetOu}`.toLowerCase() ? true : undefined));
    await waitFor('the mover in AD OU=sales', async () => ((await adEntries()).get(`person1.${run}`)?.dn === `cn=person p1,ou=sales,${adOu}`.toLowerCase() ? true : undefined));

    // Leaver: p2 leaves HR; its person leaves and the target account is disabled.
    await ldapTool('ldapdelete', '', [hrDn('p2')]);
    expect((await h.sync(HR, 'full')).status).toBe('succeeded');
    await waitFor('the leaver disabled', async () => ((await targetEntries()).get(`person2.${run}`)?.locked ? true : undefined));
    await waitFor('the leaver disabled in AD', async () => ((await adEntries()).get(`person2.${run}`)?.uac === '514' ? true : undefined));
    expect((await adEntries()).get(`person1.${run}`)?.uac).toBe('512');
    const hr2 = (await h.store.listMeshPersons(MESH, { afterId: null, limit: 100 })).filter((p) => p.state === 'left');
    expect(hr2.map((p) => p.attributes.email)).toEqual([`person2.${run}@mesh.test`]);
    expect((await targetEntries()).get(`person1.${run}`)?.locked).toBe(false);
  }, 300_000);

  it('an unlink is kept by a full run in small batches across continue-as-new; history holds no record data', async () => {
    const hr = await listHr();
    const p3 = `${HR}:${hr.find((e) => e.uid === `p3-${run}`)!.uuid}`;
    const unlink = await runTiger(h, ['mesh', 'unlink', `${OKTA}/${okta.o3}`, p3]);
    expect(unlink.stderr).toBe('');
    expect((await h.store.getMeshPersons(MESH, [p3]))[0].attributes.username).toBeUndefined();
    const before = await h.store.listMeshPersons(MESH, { afterId: null, limit: 100 });

    const handle = await h.client.workflow.start(meshWorkflow, {
      workflowId: `mesh/${MESH}`,
      taskQueue: process.env.TIGER_TASK_QUEUE!,
      args: [{ mesh: MESH, again: { full: true, trigger: 'test' }, options: { batchSize: 2, continueAsNewAfterBatches: 2 } }],
    });
    const summary = await handle.result();
    expect(summary).toMatchObject({ status: 'succeeded', full: true });
    expect(summary.counts.accounts).toBeGreaterThanOrEqual(hr.length + Object.keys(okta).length);
    const [o3] = await h.store.getMeshLinks(MESH, [{ connector: OKTA, accountId: okta.o3 }]);
    expect(o3).toMatchObject({ status: 'detached', personId: null });
    const after = await h.store.listMeshPersons(MESH, { afterId: null, limit: 100 });
    expect(after.map((p) => [p.personId, p.state, p.attributes, p.provenance])).toEqual(before.map((p) => [p.personId, p.state, p.attributes, p.provenance]));

    // Continue-as-new happened, and no execution's history carries an account's data.
    const { executions } = await h.client.workflowService.listWorkflowExecutions({ namespace: 'default', query: `WorkflowId = "mesh/${MESH}"` });
    const runIds = executions.map((e) => e.execution!.runId!);
    expect(runIds.length).toBeGreaterThan(2);
    for (const runId of runIds.slice(0, 4)) {
      const events = (await h.client.workflow.getHandle(`mesh/${MESH}`, runId).fetchHistory()).events ?? [];
      // Payloads are bytes: decoded, so the search sees what the history holds.
      const history = JSON.stringify(events, (k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : k === 'data' && typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : v));
      expect(history).toContain(`\\"mesh\\":\\"${MESH}\\"`);
      expect(history).not.toContain(`@mesh.test`);
      expect(history).not.toContain(`Person p`);
    }
  }, 300_000);

});
