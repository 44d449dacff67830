// The identity mesh with a real HR database: HR is a `sql` connector on PostgreSQL, joined with
// AD accounts (Samba, by employee id) and Okta users (the emulator, by email). Every source is
// synced through sync/<name>, each sync runs mesh/<name>, and the persons, links and review queue
// are compared with the rules computed directly over the HR table (pg), ldapsearch and the Okta
// API. The mesh then feeds an AD target under OU={{department}}: a department change in the table
// moves the account, an IsActive flip disables it, and `why` names the source and rule.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guidToString } from '../../connectors/ldap/guid';
import { meshWorkflow } from '../../workflows/definitions';
import { ensureDirectories, ldapsearchList, type Directories } from '../support/directories';
import type { Harness } from '../support/harness';
import { adEntries as adEntriesUnder, adTool as adToolFor, deleteAdOu, listOkta as listOktaFor, meshProvisioning, oktaConnectorYaml, startMeshHarness, waitFor as waitForMs, type OktaListed } from '../support/mesh-setup';
import { postgresEngine, type Engine } from '../support/sql-engines';
import { runTiger } from '../support/tiger-cli';

const run = Date.now().toString(36);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MESH = `people-${run}`;
const HR = `hr-${run}`;
const OKTA = `okta-${run}`;
const ADSRC = `adsrc-${run}`;
const AD = `ad-${run}`;
let e: Engine;
let dirs: Directories;
let h: Harness;
let srcOu: string;
let adOu: string;
let okta: Record<string, string> = {};
let hrFullRun: string;
const table = () => e.table('"Hr"');

const adTool = (tool: 'ldapadd' | 'ldapmodify', input: string) => adToolFor(dirs, tool, input);

interface HrRow { id: string; email: string; dept: string; name: string; active: boolean }
interface AdListed { guid: string; sam: string; employeeNumber: string }

/** The HR table as PostgreSQL returns it, never through the connector. */
async function listHr(): Promise<HrRow[]> {
  const rows = await e.exec(`SELECT "EmployeeId", "Email", "Department", "DisplayName", "IsActive" FROM ${table()}`);
  return rows.map((r) => ({ id: String(r.EmployeeId), email: String(r.Email), dept: String(r.Department), name: String(r.DisplayName), active: r.IsActive === true }));
}

/** The AD source accounts as ldapsearch lists them. */
async function listAdSource(): Promise<AdListed[]> {
  const read = (a: string) => ldapsearchList(dirs.ad, srcOu, '(objectClass=user)', a);
  const [guid, sam, num] = await Promise.all(['objectGUID', 'sAMAccountName', 'employeeNumber'].map(read));
  return [...guid].map(([dn, hex]) => ({ guid: guidToString(Buffer.from(hex, 'hex')), sam: sam.get(dn)!, employeeNumber: num.get(dn) ?? '' }));
}

const listOkta = () => listOktaFor(h, run);

/** The mesh file's rules computed directly: persons from the active HR rows; AD accounts by
 *  employee id (trimmed); Okta users by e-mail (lower-cased, trimmed) against the persons' e-mail. */
function expected(hr: HrRow[], ad: AdListed[], users: OktaListed[]) {
  const live = hr.filter((r) => r.active);
  const persons = new Map<string, Record<string, unknown>>(live.map((r) => [`${HR}:${r.id}`, { email: r.email.toLowerCase(), department: r.dept, displayName: r.name }]));
  const links = new Map<string, string>();
  const review = new Map<string, string[]>();
  const unmatched: string[] = [];
  for (const a of ad) {
    const hit = live.filter((r) => r.id === a.employeeNumber.trim());
    if (hit.length === 1) {
      links.set(`${ADSRC}/${a.guid}`, `${HR}:${hit[0].id} employee-id`);
      persons.get(`${HR}:${hit[0].id}`)!.adLogin = a.sam;
    } else unmatched.push(`${ADSRC}/${a.guid}`);
  }
  for (const u of users) {
    const hit = live.filter((r) => r.email.toLowerCase().trim() === u.email.toLowerCase().trim());
    if (hit.length > 1) review.set(u.id, hit.map((r) => `${HR}:${r.id}`).sort());
    else if (hit.length === 1) {
      links.set(`${OKTA}/${u.id}`, `${HR}:${hit[0].id} email`);
      persons.get(`${HR}:${hit[0].id}`)!.username = u.login.split('@')[0];
    } else unmatched.push(`${OKTA}/${u.id}`);
  }
  return { persons, links, review, unmatched: unmatched.sort() };
}

const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, ms = 120_000) => waitForMs(what, probe, ms);

/** The accounts the push wrote. */
const adEntries = () => adEntriesUnder(dirs, adOu);

/** A department change or an IsActive flip, stamped so the next delta reads it. */
async function hrUpdate(set: string, id: number): Promise<void> {
  await e.exec(`UPDATE ${table()} SET ${set}, "ModifiedDateUtc" = now() AT TIME ZONE 'UTC' WHERE "EmployeeId" = ${id}`);
  await sleep(1500); // past commitLag
}

beforeAll(async () => {
  dirs = await ensureDirectories();
  e = await postgresEngine(`mesh_${run}`);
  await e.exec(`CREATE TABLE ${table()} ("EmployeeId" integer PRIMARY KEY, "Email" text, "DisplayName" text, "Department" text,
    "ModifiedDateUtc" timestamp(6) NOT NULL, "IsActive" boolean NOT NULL)`);
  const row = (id: number, email: string, dept: string, active = true) =>
    `(${id}, '${email}', 'Person ${id} ${run}', '${dept}', (now() AT TIME ZONE 'UTC') - interval '1 hour', ${active})`;
  await e.exec(`INSERT INTO ${table()} VALUES ${[
    ...[1, 2, 3, 4, 5].map((i) => row(1000 + i, `Person${i}.${run}@Mesh.Test`, i % 2 ? 'eng' : 'sales')),
    row(1006, `only-hr.${run}@mesh.test`, 'eng'),
    row(1007, `dup.${run}@mesh.test`, 'eng'),
    row(1008, `dup.${run}@mesh.test`, 'sales'),
    row(1009, `p9.${run}@corp.test`, 'sales'),
    row(1010, `gone.${run}@mesh.test`, 'eng', false),
  ].join(', ')}`);
  process.env.TEST_MESH_HR_URL = e.url;

  // AD accounts that already exist: joined to HR rows by employeeNumber (one matches nobody).
  srcOu = `OU=tiger-mesh-src-${run},${dirs.ad.baseDn}`;
  adOu = `OU=tiger-mesh-${run},${dirs.ad.baseDn}`;
  const adUser = (k: string, num: string) => `dn: CN=src-${k}-${run},${srcOu}\nobjectClass: user\nsAMAccountName: s${k}-${run}\nemployeeNumber: ${num}\nuserAccountControl: 544\n`;
  await adTool('ldapadd', [`dn: ${srcOu}\nobjectClass: organizationalUnit\n`, adUser('1', '1001'), adUser('3', '1003'), adUser('9', '1009'), adUser('x', '9999')].join('\n'));

  ({ h, okta } = await startMeshHarness(run, [
    ...[1, 2, 3, 4, 5].map((i): [string, string] => [`o${i}`, `person${i}.${run}@mesh.test`]),
    ['dup', `dup.${run}@mesh.test`],
    ['gone', `gone.${run}@mesh.test`],
    ['nobody', `nobody.${run}@x.test`],
  ]));

  await h.addConnector(`
name: ${HR}
type: sql
config:
  connectionString: \${TEST_MESH_HR_URL}
  importQuery: ${table()}
  externalIdColumn: EmployeeId
  watermarkColumn: ModifiedDateUtc
  deltaColumnType: datetime2
  isActiveColumn: IsActive
  commitLag: 1s
`);
  await h.addConnector(oktaConnectorYaml(OKTA));
  process.env.TEST_AD_PASSWORD = dirs.ad.password;
  const adConfig = (ou: string, extra: Record<string, unknown>) => ({
    host: '127.0.0.1', port: 636, useSsl: true, caFile: dirs.ad.caFile, baseDn: dirs.ad.baseDn, bindDn: dirs.ad.bindDn, bindPassword: '${TEST_AD_PASSWORD}',
    userSearchBase: ou, groupSearchBase: ou, ...extra,
  });
  await h.addConnector(JSON.stringify({
    name: ADSRC, type: 'active-directory',
    config: adConfig(srcOu, { attributeMapping: { username: 'sAMAccountName', employeeId: 'employeeNumber', displayName: 'cn' }, sync: { resources: ['users'] } }),
  }));
  const provisioning = meshProvisioning(MESH);
  await h.addConnector(JSON.stringify({
    name: AD, type: 'active-directory', deletionLimit: 5, provisioning,
    config: adConfig(adOu, { projection: { targetContainer: `OU={{department}},${adOu}` } }),
  }));
}, 600_000);

afterAll(async () => {
  await h?.close();
  await e?.close();
  for (const ou of [srcOu, adOu]) {
    if (ou) await deleteAdOu(dirs, ou);
  }
});

describe('identity mesh: HR in PostgreSQL (sql), AD on Samba, the Okta emulator', () => {
  it('syncs of the three sources run the mesh: persons, links and review equal the rules computed directly', async () => {
    writeFileSync(join(h.dir, 'mesh.yaml'), `
name: ${MESH}
sources: [${HR}, ${ADSRC}, ${OKTA}]
correlation:
  - name: employee-id
    match: { source: ${ADSRC}, attribute: employeeId }
    with: { source: ${HR}, attribute: employeeId }
    normalize: [trim]
  - name: email
    match: { source: ${OKTA}, attribute: email }
    with: { mesh: email }
    normalize: [lower, trim]
attributes:
  email: { from: [${HR}.email, ${OKTA}.email], transform: lower }
  department: [${HR}.department]
  displayName: [${HR}.displayName]
  username: { from: [${OKTA}.login], transform: stripDomain }
  adLogin: [${ADSRC}.username]
lifecycle: { source: ${HR}, onLeave: disable }
`);
    const applied = await runTiger(h, ['mesh', 'apply', '-f', join(h.dir, 'mesh.yaml')]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);

    for (const src of [HR, ADSRC, OKTA]) {
      const r = await h.sync(src, 'full');
      expect(r.status).toBe('succeeded');
      if (src === HR) hrFullRun = r.runId;
    }
    const summary = await h.client.workflow.getHandle<typeof meshWorkflow>(`mesh/${MESH}`).result();
    expect(summary.status).toBe('succeeded');

    const want = expected(await listHr(), await listAdSource(), await listOkta());
    // Sanity of the fixture itself: every path of the rules is exercised.
    expect(want.persons.size).toBe(9);
    expect([...want.links.values()].filter((v) => v.endsWith('employee-id'))).toHaveLength(3);
    expect(want.review.get(okta.dup)).toEqual([`${HR}:1007`, `${HR}:1008`]);
    expect(want.unmatched).toHaveLength(3); // AD 9999, Okta nobody, Okta gone (its HR row is inactive)

    const persons = await h.store.listMeshPersons(MESH, { afterId: null, limit: 100 });
    expect(new Map(persons.map((p) => [p.personId, p.attributes]))).toEqual(want.persons);
    expect(persons.every((p) => p.state === 'active')).toBe(true);
    const linked = (await h.store.listMeshLinksByStatus(MESH, 'linked', { after: null, limit: 100 })).filter((l) => l.connector !== HR);
    expect(new Map(linked.map((l) => [`${l.connector}/${l.accountId}`, `${l.personId} ${l.rule}`]))).toEqual(want.links);
    const reviews = await h.store.listMeshReviews(MESH, { status: 'open' });
    expect(new Map(reviews.map((r) => [r.accountId, r.candidates]))).toEqual(want.review);
    const unmatched = await h.store.listMeshLinksByStatus(MESH, 'unmatched', { after: null, limit: 100 });
    expect(unmatched.map((l) => `${l.connector}/${l.accountId}`).sort()).toEqual(want.unmatched);
  }, 400_000);

  it('why names the source, account and rule of an attribute', async () => {
    const ad3 = (await listAdSource()).find((a) => a.employeeNumber.trim() === '1003')!;
    const why = await runTiger(h, ['mesh', 'why', `${HR}:1003`, 'adLogin']);
    expect(why.code).toBe(0);
    expect(why.stdout).toMatch(new RegExp(`^adLogin = "s3-${run}" from ${ADSRC} account ${ad3.guid} \\(linked by rule employee-id\\), set by run `));
    const user = await runTiger(h, ['mesh', 'why', `${HR}:1003`, 'username']);
    expect(user.stdout).toMatch(new RegExp(`^username = "person3\\.${run}" from ${OKTA} account ${okta.o3} \\(linked by rule email\\)`));
    const dept = await runTiger(h, ['mesh', 'why', `${HR}:1003`, 'department']);
    expect(dept.stdout).toMatch(new RegExp(`^department = "eng" from ${HR} account 1003 \\(linked by rule joiner\\)`));
  }, 60_000);

  it('the mesh feeds AD under OU={{department}}: a mover in the HR table moves, an IsActive flip disables', async () => {
    const ad = await waitFor('the first push into AD', async () => {
      const m = await adEntries();
      return m.size >= 5 ? m : undefined;
    });
    // Persons with an Okta login (the scope) and only those.
    expect([...ad.keys()].sort()).toEqual([1, 2, 3, 4, 5].map((i) => `person${i}.${run}`));
    expect(ad.get(`person1.${run}`)).toEqual({ dn: `cn=person 1001 ${run},ou=eng,${adOu}`.toLowerCase(), uac: '512' });
    expect(ad.get(`person2.${run}`)).toEqual({ dn: `cn=person 1002 ${run},ou=sales,${adOu}`.toLowerCase(), uac: '512' });
    const whyBefore = (await runTiger(h, ['mesh', 'why', `${HR}:1001`, 'department'])).stdout;

    // Mover: the department changes in the table; a delta sync of HR runs the mesh, which runs the push.
    await hrUpdate(`"Department" = 'sales'`, 1001);
    const mover = await h.sync(HR, 'delta');
    expect(mover).toMatchObject({ status: 'succeeded', mode: 'delta' });
    await waitFor('the mover in OU=sales', async () => ((await adEntries()).get(`person1.${run}`)?.dn === `cn=person 1001 ${run},ou=sales,${adOu}`.toLowerCase() ? true : undefined));
    const whyAfter = (await runTiger(h, ['mesh', 'why', `${HR}:1001`, 'department'])).stdout;
    expect(whyAfter).toMatch(new RegExp(`^department = "sales" from ${HR} account 1001 \\(linked by rule joiner\\), set by run `));
    // The run that set it is the one after the change, not the first.
    expect(whyAfter.split('set by run ')[1]).not.toBe(whyBefore.split('set by run ')[1]);
    // The connector object's own audit: the delta run changed row 1001, row 1003 is as the full run wrote it.
    const moved = await runTiger(h, ['connector', 'why', HR, 'user', '1001']);
    expect(moved.stderr).toBe('');
    expect(moved.stdout).toMatch(new RegExp(`last changed \\S+ by run ${mover.runId} \\(delta cli run, succeeded`));
    expect(moved.stdout).toContain('department = "sales" ← Department ?? department (type default)');
    const kept = JSON.parse((await runTiger(h, ['connector', 'why', HR, 'user', '1003', '--json'])).stdout) as { changedRun: string; lastSeenRun: string; mapping: { attribute: string; from: string }[] };
    expect([kept.changedRun, kept.lastSeenRun]).toEqual([hrFullRun, hrFullRun]);
    expect(kept.mapping.find((m) => m.attribute === 'employeeId')?.from).toBe('EmployeeId ?? EmployeeNumber ?? employee_id ?? employeeid ?? employee_number');

    // Leaver: IsActive flips to false; the person leaves and the AD account is disabled, not deleted.
    await hrUpdate(`"IsActive" = false`, 1002);
    expect((await h.sync(HR, 'delta')).status).toBe('succeeded');
    await waitFor('the leaver disabled', async () => ((await adEntries()).get(`person2.${run}`)?.uac === '514' ? true : undefined));
    const after = await adEntries();
    expect(after.get(`person1.${run}`)?.uac).toBe('512');
    expect(after.size).toBe(5);
    const left = (await h.store.listMeshPersons(MESH, { afterId: null, limit: 100 })).filter((p) => p.state === 'left');
    expect(left.map((p) => p.personId)).toEqual([`${HR}:1002`]);
  }, 400_000);
});
