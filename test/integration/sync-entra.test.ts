// entra-id → store end to end through the `sync/<name>` workflow on the real Temporal dev server,
// against the Graph emulator: a full sync equals the tenant, delta rounds keep it equal, and an
// expired delta token makes exactly one full run that says why in the run log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphEmulator, type GraphEmulator } from '../../emulators/graph';
import { startHarness, uniqueName, type Harness } from '../support/harness';
import { expectedFromSnapshot, fromExport } from '../support/entra-expect';

let h: Harness;
let emu: GraphEmulator;

const connectorYaml = (name: string) => `name: ${name}
type: entra-id
config:
  tenantId: ${emu.tenantId}
  clientId: ${emu.clientId}
  clientSecret: \${ENTRA_E2E_SECRET}
  authority: ${emu.url}
  graphUrl: ${emu.url}
  pageSize: 60
`;

beforeAll(async () => {
  h = await startHarness();
  emu = await startGraphEmulator({ users: 400, groups: 30, apps: 5, bigGroupMembers: 250, membersPerDeltaEntry: 40, deltaPageSize: 50, emptyPageRate: 0.05, seed: 8 });
  process.env.ENTRA_E2E_SECRET = emu.clientSecret;
  await h.startWorker();
});
afterAll(async () => {
  await h?.close();
  await emu?.close();
});

const stored = async (name: string) => fromExport(await h.store.exportData(name, { includeDeleted: false }));

describe('entra-id full and delta sync', () => {
  const name = uniqueName('entra-e2e');

  it('a full sync stores exactly the tenant', async () => {
    await h.addConnector(connectorYaml(name));
    const summary = await h.sync(name, 'full');
    expect(summary.status).toBe('succeeded');
    expect(summary.mode).toBe('full');
    const expected = expectedFromSnapshot(emu.admin.snapshot());
    expect(await stored(name)).toEqual(expected);
    expect(expected.memberships.some((m) => m.endsWith(':group'))).toBe(true);
  });

  it('three delta rounds leave the store equal to the tenant', async () => {
    const snap0 = emu.admin.snapshot();
    const big = snap0.groups.find((g) => snap0.memberships.filter((m) => m.groupId === g.id).length >= 200)!;
    const inBig = new Set(snap0.memberships.filter((m) => m.groupId === big.id).map((m) => m.memberId));
    const outside = snap0.users.map((u) => String(u.id)).filter((id) => !inBig.has(id));

    // 1: create, attribute update, member adds spread over delta entries and pages, a nested group.
    const hire = emu.admin.createUser({ displayName: 'E2E Hire', userPrincipalName: 'e2e.hire@contoso.com', mail: 'e2e.hire@contoso.com', accountEnabled: true });
    const changed = String(snap0.users[10]!.id);
    emu.admin.updateUser(changed, { mail: 'renamed@contoso.com', surname: 'Renamed' });
    emu.admin.addMembers(String(big.id), [String(hire.id), ...outside.slice(0, 90)]);
    const nest = emu.admin.createGroup({ displayName: 'E2E Nest', mailNickname: 'e2enest', securityEnabled: true, mailEnabled: false }, [String(snap0.groups[1]!.id), String(hire.id)]);
    let s = await h.sync(name, 'delta');
    expect(s).toMatchObject({ status: 'succeeded', mode: 'delta' });
    let now = await stored(name);
    expect(now).toEqual(expectedFromSnapshot(emu.admin.snapshot()));
    expect(now.users[changed]?.mail).toBe('renamed@contoso.com');
    expect(now.memberships).toContain(`${nest.id}>${snap0.groups[1]!.id}:group`);

    // 2: soft delete, hard delete, member removals across pages.
    const soft = String(snap0.users[20]!.id);
    emu.admin.deleteUser(soft);
    emu.admin.deleteUser(String(snap0.users[21]!.id), { permanent: true });
    emu.admin.removeMembers(String(big.id), [...inBig].slice(0, 120));
    s = await h.sync(name, 'delta');
    expect(s).toMatchObject({ status: 'succeeded', mode: 'delta' });
    now = await stored(name);
    expect(now).toEqual(expectedFromSnapshot(emu.admin.snapshot()));
    expect(now.users[soft]).toBeUndefined();

    // 3: the soft-deleted user comes back with its groups; the nested group is deleted.
    emu.admin.restore(soft);
    emu.admin.deleteGroup(String(nest.id));
    s = await h.sync(name, 'delta');
    expect(s).toMatchObject({ status: 'succeeded', mode: 'delta' });
    now = await stored(name);
    expect(now).toEqual(expectedFromSnapshot(emu.admin.snapshot()));
    expect(now.users[soft]).toBeDefined();
  });

  it('an expired delta token makes exactly one full run, logged with the reason', async () => {
    const runsBefore = (await h.store.listRuns(name, 100)).length;
    emu.admin.expireDeltaTokens('resyncRequired');
    const added = emu.admin.createUser({ displayName: 'After Expiry', userPrincipalName: 'after.expiry@contoso.com', accountEnabled: true });
    const s = await h.sync(name, 'delta');
    expect(s.status).toBe('succeeded');
    expect(s.mode).toBe('full');
    expect(await stored(name)).toEqual(expectedFromSnapshot(emu.admin.snapshot()));
    expect((await stored(name)).users[String(added.id)]).toBeDefined();
    const logs = await h.store.listLogs(name, { limit: 50, runId: s.runId });
    expect(logs.filter((l) => /delta not possible, running a full sync instead: .*410 Gone, resyncRequired/.test(l.message))).toHaveLength(1);
    expect((await h.store.listRuns(name, 100)).length).toBe(runsBefore + 1);

    // The full run took a fresh token: the next run is a delta again and sees a later change.
    emu.admin.updateUser(String(added.id), { jobTitle: 'x', mail: 'after.expiry@contoso.com' });
    const next = await h.sync(name, 'delta');
    expect(next).toMatchObject({ status: 'succeeded', mode: 'delta' });
    expect((await stored(name)).users[String(added.id)]?.mail).toBe('after.expiry@contoso.com');
    // One run for each request, and the reason logged once in the connector's whole log.
    expect((await h.store.listRuns(name, 100)).length).toBe(runsBefore + 2);
    const all = await h.store.listLogs(name, { limit: 1000 });
    expect(all.filter((l) => /delta not possible/.test(l.message))).toHaveLength(1);
  });
});
