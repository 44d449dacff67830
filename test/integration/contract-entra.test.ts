// The connector contract for entra-id against the Graph emulator. The tenant is the emulator's
// own seeded one; changes go through its admin API (out of band), and a read is made incomplete
// the way a real tenant makes it: the app loses a permission (its tokens are revoked so the next
// one carries the new roles).
import { createEntraConnector, entraType } from '../../connectors/entra';
import { startGraphEmulator, type GraphEmulator } from '../../emulators/graph';
import { describeConnectorContract, type Seeded } from '../connector-contract';

const ALL_PERMISSIONS = ['User.Read.All', 'Group.Read.All', 'Directory.Read.All', 'Application.Read.All'];
/** What the app keeps when a class is to come back incomplete. */
const WITHOUT: Record<string, string[]> = {
  users: ['Group.Read.All', 'Application.Read.All'],
  groups: ['User.Read.All', 'Application.Read.All'],
  memberships: ['User.Read.All', 'Application.Read.All'],
  apps: ['User.Read.All', 'Group.Read.All'],
  appUsers: ['User.Read.All', 'Group.Read.All'],
};
const REREAD = 'apps and app users have no Graph delta link (appRoleAssignedTo has none): every delta window re-reads them whole, so it carries every app, changed or not';

let emu: GraphEmulator;
let snapshotUsers: string[] = [];

describeConnectorContract({
  name: 'entra-id (Graph emulator)',
  manifest: entraType.manifest,
  async open() {
    emu = await startGraphEmulator({ users: 40, groups: 8, apps: 7, bigGroupMembers: 0, seed: 11 });
    return createEntraConnector(
      { name: 'contract-entra', type: 'entra-id' },
      { tenantId: emu.tenantId, clientId: emu.clientId, clientSecret: emu.clientSecret, authority: emu.url, graphUrl: emu.url, pageSize: 5 },
      { maxAttempts: 2, backoffBaseMs: 5, backoffMaxMs: 20 },
    );
  },
  async seed(): Promise<Seeded> {
    // Service principals as group members are skipped with a note; the contract wants a read without one.
    for (const m of emu.admin.snapshot().memberships) if (m.memberType === 'servicePrincipal') emu.admin.removeMembers(m.groupId, [m.memberId]);
    const s = emu.admin.snapshot();
    snapshotUsers = s.users.map((u) => String(u.id));
    const appUsers = new Set(s.appRoleAssignments.filter((a) => a.principalType !== 'ServicePrincipal').map((a) => `${a.resourceId}>${a.principalId}`));
    return {
      ids: {
        users: snapshotUsers,
        groups: s.groups.map((g) => String(g.id)),
        memberships: s.memberships.map((m) => `${m.groupId}>${m.memberId}`),
        apps: s.servicePrincipals.map((a) => String(a.id)),
        appUsers: [...appUsers],
      },
      // Groups with members, so a changed member list is one of a group that has links.
      mutable: { memberships: [...new Set(s.memberships.map((m) => m.groupId))] },
    };
  },
  async mutate(cls, id) {
    if (cls === 'users') emu.admin.updateUser(id, { jobTitle: `changed ${Date.now()}` });
    else if (cls === 'groups') emu.admin.updateGroup(id, { description: `changed ${Date.now()}` });
    else if (cls === 'memberships') {
      const members = new Set(emu.admin.snapshot().memberships.filter((m) => m.groupId === id).map((m) => m.memberId));
      emu.admin.addMembers(id, [snapshotUsers.find((u) => !members.has(u))!]);
    } else throw new Error(`contract-entra: cannot change ${cls} out of band`);
  },
  async remove(cls, id) {
    if (cls === 'users') emu.admin.deleteUser(id);
    else if (cls === 'groups') emu.admin.deleteGroup(id);
    else throw new Error(`contract-entra: cannot remove ${cls} out of band`);
  },
  async makeIncomplete(cls) {
    emu.admin.setPermissions(emu.clientId, WITHOUT[cls]!);
    emu.admin.revokeTokens(emu.clientId);
    return async () => {
      emu.admin.setPermissions(emu.clientId, ALL_PERMISSIONS);
      emu.admin.revokeTokens(emu.clientId);
    };
  },
  writeSample() {
    throw new Error('entra-id is read only: its manifest declares no writes');
  },
  unsupported(kase, cls) {
    if ((cls === 'apps' || cls === 'appUsers') && (kase === 'delta-change' || kase === 'delta-delete')) return REREAD;
    return undefined;
  },
  async cleanup() {
    await emu?.close();
  },
});
