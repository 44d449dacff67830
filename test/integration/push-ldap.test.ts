// Push end to end into the real slapd: identities written into the store of a source connector,
// `tiger connector push` (the CLI process, the push workflow on a real worker) into an `ldap`
// target under its own OU. What landed is read back with ldapsearch, never with the connector.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorCache } from '../../activities/connector-cache';
import { createPushActivities } from '../../activities/push';
import { mergePlans, type PushPlan } from '../../pipeline/push-plan';
import type { StagedLink, StagedObject } from '../../store/types';
import { pushWorkflow } from '../../workflows/definitions';
import type { PushSummary } from '../../workflows/push-types';
import { ensureDirectories, ldapsearchList, type Directories } from '../support/directories';
import { startHarness, uniqueName, type Harness } from '../support/harness';
import { runTiger } from '../support/tiger-cli';

const exec = promisify(execFile);
const run = Date.now().toString(36);
let dirs: Directories;
let h: Harness;
let ou: string;
const source = uniqueName('src');
const target = uniqueName('ldap-push');
let seeds = 0;

type Result = PushSummary & { changes: PushPlan };

const person = (id: string, over: Record<string, unknown> = {}): StagedObject => ({
  kind: 'user',
  id,
  attrs: { login: `${id}-${run}`, email: `${id}-${run}@push.test`, firstName: id.toUpperCase(), lastName: 'Push', displayName: `${id} ${run}`, department: 'eng', status: 'ACTIVE', ...over },
});
const group = (id: string): StagedObject => ({ kind: 'group', id, attrs: { name: `${id}-${run}` } });
const member = (g: string, u: string): StagedLink => ({ kind: 'membership', parent: g, child: u, childKind: 'user' });

/** Writes into the source's store exactly as a sync's apply does (stage, then apply). */
async function seed(page: { objects?: StagedObject[]; deletions?: { kind: 'user' | 'group'; id: string }[]; linkSets?: { kind: 'membership'; parent: string; links: StagedLink[] }[] }): Promise<void> {
  const runId = `seed-${run}-${++seeds}`;
  await h.store.beginRun({ runId, connector: source, mode: 'live', trigger: 'test' });
  await h.store.stagePage(runId, source, { objects: page.objects ?? [], links: [], deletions: page.deletions ?? [], linkSets: page.linkSets ?? [] }, runId);
  await h.store.applyStagedPage(runId, source, runId);
}

async function push(args: string[] = []): Promise<{ code: number; result: Result; stderr: string }> {
  const r = await runTiger(h, ['connector', 'push', source, '--to', target, '--json', ...args]);
  let result: Result;
  try {
    result = JSON.parse(r.stdout) as Result;
  } catch {
    throw new Error(`push printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, result, stderr: r.stderr };
}

/** uid → { entryUUID, givenName, locked } of every entry under this file's OU (ldapsearch). */
async function people(): Promise<Map<string, { uuid: string; givenName: string; locked: boolean }>> {
  const base = `ou=users,${ou}`;
  const read = (attr: string) => ldapsearchList(dirs.ldap, base, '(objectClass=inetOrgPerson)', attr).catch(() => new Map<string, string>());
  const [uids, uuids, given, locked] = await Promise.all([read('uid'), read('entryUUID'), read('givenName'), read('pwdAccountLockedTime')]);
  return new Map([...uids].map(([dn, uid]) => [uid, { uuid: uuids.get(dn)!, givenName: given.get(dn)!, locked: (locked.get(dn) ?? '') !== '' }]));
}

/** Member uids of one pushed group (the bind DN placeholder of groupOfNames left out). */
async function membersOf(name: string): Promise<string[]> {
  const { stdout } = await exec('ldapsearch', ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', dirs.ldap.url, '-D', dirs.ldap.bindDn, '-w', dirs.ldap.password, '-b', `ou=groups,${ou}`, `(cn=${name})`, 'member']);
  return stdout.split('\n').filter((l) => /^member: uid=/i.test(l)).map((l) => /^member: uid=([^,]+)/i.exec(l)![1]).sort();
}

const uid = (id: string) => `${id}-${run}`;

beforeAll(async () => {
  dirs = await ensureDirectories();
  ou = `ou=push-${run},${dirs.ldap.baseDn}`;
  process.env.TEST_LDAP_PASSWORD = dirs.ldap.password;
  h = await startHarness();
  await h.startWorker();
  await h.addConnector(`name: ${source}\ntype: okta\nconfig:\n  domain: \${OKTA_DOMAIN}\n  apiToken: \${OKTA_API_TOKEN}\n`);
  await h.addConnector(JSON.stringify({
    name: target,
    type: 'ldap',
    config: {
      host: '127.0.0.1', port: Number(new URL(dirs.ldap.url).port), baseDn: dirs.ldap.baseDn, bindDn: dirs.ldap.bindDn, bindPassword: '${TEST_LDAP_PASSWORD}',
      userSearchBase: ou, groupSearchBase: ou,
      projection: { targetContainer: `ou=users,${ou}`, groupContainer: `ou=groups,${ou}` },
    },
    deletionLimit: 3,
    provisioning: {
      from: source,
      scope: { filter: 'department ne "excluded"' },
      mapping: {
        user: { username: 'login', email: 'email', firstName: 'firstName', lastName: 'lastName', displayName: 'displayName' },
        group: { name: 'name' },
      },
    },
  }));
  await seed({
    objects: [person('u1'), person('u2'), person('u3'), person('u4'), person('u5'), person('u6', { department: 'excluded' }), person('u7', { status: 'DEPROVISIONED' }), group('g1'), group('g2')],
    linkSets: [
      { kind: 'membership', parent: 'g1', links: [member('g1', 'u1'), member('g1', 'u2')] },
      { kind: 'membership', parent: 'g2', links: [member('g2', 'u3'), member('g2', 'u6')] },
    ],
  });
}, 600_000);

afterAll(async () => {
  await h?.close();
  await exec('ldapdelete', ['-x', '-r', '-H', dirs.ldap.url, '-D', dirs.ldap.bindDn, '-w', dirs.ldap.password, ou]).catch(() => undefined);
});

describe('push into slapd', () => {
  let firstPlan: PushPlan;

  it('--dry-run prints the plan and writes nothing to the target or the push state', async () => {
    const { code, result } = await push(['--dry-run']);
    expect(code).toBe(0);
    expect(result).toMatchObject({ dryRun: true, status: 'succeeded', plan: { creates: 7, updates: 0, disables: 0, memberAdds: 3, memberRemoves: 0, skipped: 2 } });
    firstPlan = result.changes;
    expect(firstPlan.creates.map((c) => `${c.kind}:${c.sourceId}`)).toEqual(['user:u1', 'user:u2', 'user:u3', 'user:u4', 'user:u5', 'group:g1', 'group:g2']);
    expect(firstPlan.creates[0].attributes).toEqual({ username: uid('u1'), email: `${uid('u1')}@push.test`, firstName: 'U1', lastName: 'Push', displayName: `u1 ${run}` });
    expect(firstPlan.members).toEqual([{ groupId: 'g1', add: ['user:u1', 'user:u2'], remove: [] }, { groupId: 'g2', add: ['user:u3'], remove: [] }]);
    expect(await people()).toEqual(new Map());
    expect(await h.store.countPushStates(target, source)).toEqual({ user: 0, group: 0, membership: 0 });
    expect(await h.store.listPushPlanPages(result.runId)).toEqual([]);
  });

  it('the real push applies exactly the dry-run plan', async () => {
    const { code, result } = await push();
    expect(code).toBe(0);
    expect(result.changes).toEqual(firstPlan);
    expect(result.applied).toMatchObject({ created: 7, updated: 0, disabled: 0, membersAdded: 3, membersRemoved: 0, quarantined: 0 });
    const listed = await people();
    expect([...listed.keys()].sort()).toEqual(['u1', 'u2', 'u3', 'u4', 'u5'].map(uid));
    const states = await h.store.getPushStates(target, source, 'user', ['u1', 'u2', 'u3', 'u4', 'u5']);
    expect(states.map((s) => s.targetId)).toEqual(['u1', 'u2', 'u3', 'u4', 'u5'].map((u) => listed.get(uid(u))!.uuid));
    expect(await membersOf(uid('g1'))).toEqual([uid('u1'), uid('u2')]);
    expect(await membersOf(uid('g2'))).toEqual([uid('u3')]);
    // Nothing left to do: a second plan is all unchanged.
    const again = await push(['--dry-run']);
    expect(again.result.plan).toMatchObject({ creates: 0, updates: 0, disables: 0, enables: 0, memberAdds: 0, memberRemoves: 0, unchanged: 7 });
  });

  it('updates with before/after, disables, creates and member changes: dry run equals the applied run', async () => {
    await seed({
      objects: [person('u1', { firstName: 'Ada' }), person('u2', { status: 'SUSPENDED' }), person('u3', { department: 'excluded' }), person('u8')],
      deletions: [{ kind: 'user', id: 'u4' }],
      linkSets: [{ kind: 'membership', parent: 'g1', links: [member('g1', 'u2'), member('g1', 'u5')] }],
    });
    const dry = await push(['--dry-run']);
    const p = dry.result.changes;
    expect(p.updates.map((u) => [u.sourceId, u.changes])).toEqual([['u1', [{ attribute: 'firstName', before: 'U1', after: 'Ada' }]]]);
    expect(p.disables.map((d) => [d.sourceId, d.reason])).toEqual([['u2', 'inactive'], ['u3', 'out-of-scope'], ['u4', 'deleted']]);
    expect(p.creates.map((c) => c.sourceId)).toEqual(['u8']);
    expect(p.members).toEqual([{ groupId: 'g1', add: ['user:u5'], remove: ['user:u1'] }, { groupId: 'g2', add: [], remove: ['user:u3'] }]);
    expect((await people()).get(uid('u1'))!.givenName).toBe('U1');

    const real = await push();
    expect(real.code).toBe(0);
    expect(real.result.changes).toEqual(p);
    expect(real.result.applied).toMatchObject({ created: 1, updated: 1, disabled: 3, enabled: 0, membersAdded: 1, membersRemoved: 2, quarantined: 0 });
    const listed = await people();
    expect(listed.get(uid('u1'))).toMatchObject({ givenName: 'Ada', locked: false });
    expect(['u2', 'u3', 'u4'].map((u) => listed.get(uid(u))!.locked)).toEqual([true, true, true]);
    expect(listed.get(uid('u5'))!.locked).toBe(false);
    expect(listed.has(uid('u8'))).toBe(true);
    expect(await membersOf(uid('g1'))).toEqual([uid('u2'), uid('u5')]);
    expect(await membersOf(uid('g2'))).toEqual([]);
  });

  it('enables a returning identity; a failing object is quarantined, the rest applied, and retried', async () => {
    // u9 has no name the directory could give its entry: slapd is never asked, the writer refuses.
    await seed({ objects: [person('u2'), person('u9', { login: null, displayName: null, email: null })] });
    const r = await push();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`quarantine list ${target}`);
    expect(r.result.applied).toMatchObject({ enabled: 1, created: 0, quarantined: 1 });
    expect((await people()).get(uid('u2'))!.locked).toBe(false);
    const list = await runTiger(h, ['connector', 'quarantine', 'list', target, '--json']);
    const rows = JSON.parse(list.stdout) as { sourceId: string; kind: string; status: string; attempts: number; error: string }[];
    expect(rows.map((q) => [q.kind, q.sourceId, q.status, q.attempts])).toEqual([['user', 'u9', 'held', 1]]);
    expect(rows[0].error).toMatch(/^create: .*no displayName\/username/);
    const logged = await h.store.listLogs(target, { limit: 20, runId: r.result.runId });
    expect(logged.some((l) => l.level === 'error' && l.message.startsWith(`quarantined ${source} user u9 (create): `))).toBe(true);
    const status = await runTiger(h, ['connector', 'status', target, '--json']);
    expect((JSON.parse(status.stdout) as { quarantined: number }).quarantined).toBe(1);

    // Fixed in the source; `quarantine retry` releases it and asks for a push, which creates it.
    await seed({ objects: [person('u9')] });
    const retry = await runTiger(h, ['connector', 'quarantine', 'retry', target, 'u9']);
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain('released 1');
    const handle = h.client.workflow.getHandle(`push/${target}`);
    const summary = (await handle.result()) as PushSummary;
    expect(summary.applied).toMatchObject({ created: 1, quarantined: 0 });
    expect((await people()).has(uid('u9'))).toBe(true);
    expect(await h.store.listQuarantine(target)).toEqual([]);
    const unknown = await runTiger(h, ['connector', 'quarantine', 'drop', target, 'nobody']);
    expect(unknown.code).toBe(2);
  });

  it('a retried apply batch never creates twice, even when its push state was lost', async () => {
    await seed({ objects: [person('u10')] });
    const acts = createPushActivities({ store: h.store, connectors: new ConnectorCache(h.store) });
    const runId = `direct-${run}`;
    await acts.beginPush({ source, target, runId, dryRun: false });
    const planned = await acts.planPushBatch({ source, target, runId, kind: 'user', afterId: null, limit: 1000, seq: 0 });
    expect(planned.counts.creates).toBe(1);
    const first = await acts.applyPushBatch({ source, target, runId, seq: 0, allowRemovals: true });
    expect(first.created).toBe(1);
    const [state] = await h.store.getPushStates(target, source, 'user', ['u10']);
    // The same batch again (Temporal retrying it after a lost answer): nothing is written.
    expect(await acts.applyPushBatch({ source, target, runId, seq: 0, allowRemovals: true })).toMatchObject({ created: 0, adopted: 0, updated: 0, quarantined: 0 });
    // The worker died between the create and its push state: the retried create finds its own entry.
    await h.store.deletePushStates(target, source, 'user', ['u10']);
    const third = await acts.applyPushBatch({ source, target, runId, seq: 0, allowRemovals: true });
    expect(third.quarantined).toBe(0);
    const entries = await ldapsearchList(dirs.ldap, ou, `(uid=${uid('u10')})`, 'entryUUID');
    expect([...entries.values()]).toEqual([state.targetId]);
    expect((await h.store.getPushStates(target, source, 'user', ['u10']))[0].targetId).toBe(state.targetId);
    await h.store.dropPushPlans(target, runId);
  });

  it('a run handed over by continue-as-new plans what one execution plans', async () => {
    const cli = await push(['--dry-run']);
    const handle = await h.client.workflow.start(pushWorkflow, {
      workflowId: `push-can-${run}`,
      taskQueue: process.env.TIGER_TASK_QUEUE!,
      args: [{ source, target, dryRun: true, options: { batchSize: 2, continueAsNewAfterBatches: 2 } }],
    });
    const summary = await handle.result();
    expect((await h.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe()).status.name).toBe('CONTINUED_AS_NEW');
    expect(summary.plan).toEqual(cli.result.plan);
    const pages = await h.store.listPushPlanPages(summary.runId);
    expect(pages.length).toBeGreaterThan(4);
    expect(mergePlans(pages.map((p) => p.plan as PushPlan))).toEqual(cli.result.changes);
    await h.store.dropPushPlans(target, summary.runId);
  });

  it('holds removals above deletionLimit for approval; approve applies them', async () => {
    // Four live, enabled users leave the source at once: more than deletionLimit (3).
    await seed({ deletions: ['u1', 'u5', 'u8', 'u9'].map((id) => ({ kind: 'user' as const, id })) });
    const held = await runTiger(h, ['connector', 'push', source, '--to', target]);
    expect(held.code).toBe(3);
    expect(held.stderr).toMatch(/4 of \d+ users: more than the deletionLimit of 3/);
    const before = await people();
    expect(['u1', 'u5', 'u8', 'u9'].map((u) => before.get(uid(u))!.locked)).toEqual([false, false, false, false]);
    const wrong = await runTiger(h, ['connector', 'push', source, '--to', target, '--approve', '--run', 'not-the-run']);
    expect(wrong.code).toBe(2);
    const ok = await runTiger(h, ['connector', 'push', source, '--to', target, '--approve']);
    expect(ok.code).toBe(0);
    const summary = (await h.client.workflow.getHandle(`push/${target}`).result()) as PushSummary;
    expect(summary).toMatchObject({ removals: 'approved', applied: { disabled: 4 } });
    const after = await people();
    expect(['u1', 'u5', 'u8', 'u9'].map((u) => after.get(uid(u))!.locked)).toEqual([true, true, true, true]);
  });
});
