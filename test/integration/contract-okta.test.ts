// The connector contract against the Okta emulator: one org per file, small pages so every class
// spans several of them, out-of-band changes through Okta's own management endpoints.
import { createOktaConnector, oktaConfigSchema, oktaType } from '../../connectors/okta';
import { startOktaEmulator, type OktaEmulator } from '../../emulators/okta';
import { describeConnectorContract, type Seeded } from '../connector-contract';
import { oktaAdmin } from '../support/okta-admin';
import { testDefinition } from '../support/okta-reading';

const TOKEN = 'contract-okta-token';
const PAGE = 5;
const run = Date.now().toString(36);
let emu: OktaEmulator;
let admin: ReturnType<typeof oktaAdmin>;

/** Users not yet children of the parent (not a member, not assigned). */
function outsiders(cls: string, parentId: string, n: number): string[] {
  const s = emu.state;
  const inside = new Set(cls === 'memberships' ? s.groupMemberIds(parentId) : [...s.findApp(parentId)!.assigned].map((i) => s.users[i]!.id));
  return s.liveUsers().filter((u) => u.status === 'ACTIVE' && !inside.has(u.id)).slice(0, n).map((u) => u.id);
}

const okta = { users: '/api/v1/users', groups: '/api/v1/groups', apps: '/api/v1/apps' } as Record<string, string>;

describeConnectorContract({
  name: 'okta (emulator)',
  manifest: oktaType.manifest,
  async open() {
    emu = await startOktaEmulator({ port: 0, users: 120, groups: 12, apps: 7, membershipsPerGroup: 8, seed: 11, apiToken: TOKEN });
    admin = oktaAdmin(emu.url, TOKEN);
    return createOktaConnector(testDefinition('contract-okta'), oktaConfigSchema.parse({ domain: emu.url, apiToken: TOKEN, pageSize: PAGE }), {
      httpOptions: { backoffBaseMs: 1, backoffMaxMs: 5 },
    });
  },
  async seed(): Promise<Seeded> {
    // The generated org is the seed; expected ids come from the emulator's own state.
    const s = emu.state;
    const groups = s.liveGroups();
    const apps = s.apps;
    const editable = groups.filter((g) => g.type === 'OKTA_GROUP').map((g) => g.id);
    return {
      ids: {
        users: s.liveUsers().map((u) => u.id),
        groups: groups.map((g) => g.id),
        apps: apps.map((a) => a.id),
        memberships: groups.flatMap((g) => s.groupMemberIds(g.id).map((u) => `${g.id}>${u}`)),
        appUsers: apps.flatMap((a) => [...a.assigned].map((i) => `${a.id}>${s.users[i]!.id}`)),
      },
      mutable: { users: s.liveUsers().filter((u) => u.status === 'ACTIVE').map((u) => u.id), groups: editable, memberships: editable, appUsers: apps.map((a) => a.id) },
    };
  },
  async mutate(cls, id) {
    if (cls === 'users') await admin.updateProfile(id, { nickName: `changed-${run}` });
    else if (cls === 'groups') {
      const g = emu.state.findGroup(id)!;
      await admin.call('PUT', `/api/v1/groups/${id}`, { profile: { name: g.profile.name, description: `changed ${run}` } });
    } else if (cls === 'memberships') await admin.addMember(id, outsiders(cls, id, 1)[0]!);
    else if (cls === 'appUsers') await admin.call('PUT', `/api/v1/apps/${id}/users/${outsiders(cls, id, 1)[0]!}`, {});
    else throw new Error(`contract-okta: cannot change ${cls} out of band`);
  },
  async remove(cls, id) {
    if (cls === 'users') await admin.deleteUser(id);
    else if (cls === 'groups') await admin.call('DELETE', `/api/v1/groups/${id}`);
    else throw new Error(`contract-okta: cannot remove ${cls} out of band`);
  },
  async makeIncomplete(cls) {
    const s = emu.state;
    // Objects: a lost page (404 on a next link); apps: the whole family answers 403; links: one
    // parent's list answers 403, or a page inside the biggest group is lost.
    if (cls === 'apps') emu.setKnobs({ forbidden: ['apps'] });
    else if (cls in okta) emu.setKnobs({ pageFaults: [{ path: okta[cls]!, page: 2, kind: '404', times: 1 }] });
    else if (cls === 'appUsers') emu.setKnobs({ forbiddenIds: [s.apps.find((a) => a.assigned.length > 0)!.id] });
    else {
      const everyone = s.liveGroups().find((g) => g.type === 'BUILT_IN')!.id;
      emu.setKnobs({ pageFaults: [{ path: `/api/v1/groups/${everyone}/users`, page: 2, kind: '404', times: 1 }] });
    }
    return async () => emu.setKnobs({ forbidden: [], forbiddenIds: [], pageFaults: [] });
  },
  writeSample(cls, variant) {
    const name = `contract-${run}-${variant}`;
    if (cls === 'users') {
      return {
        // Every profile attribute differs between variants: a create that collides on the login
        // is then told apart from a retry by content (the connector has no keyAttribute here).
        attributes: {
          'profile.login': `${name}@example.com`, 'profile.email': `${name}@example.com`, 'profile.firstName': 'Contract', 'profile.lastName': variant,
          'profile.department': `Before ${variant}`, 'credentials.password.value': `Contract-${run}-Pa55!`,
        },
        uniqueName: 'profile.login',
        update: { attribute: 'profile.department', value: `After ${variant}`, raw: 'profile.department' },
      };
    }
    return {
      attributes: { 'profile.name': name, 'profile.description': `before ${variant}` },
      uniqueName: 'profile.name',
      update: { attribute: 'profile.description', value: `after ${variant}`, raw: 'profile.description' },
    };
  },
  async linkSample(cls) {
    const s = emu.state;
    const parent = cls === 'memberships' ? s.liveGroups().find((g) => g.type === 'OKTA_GROUP')! : s.apps[0]!;
    return { parentId: parent.id, childIds: outsiders(cls, parent.id, 4) };
  },
  enabledOf: (_cls, raw) => raw.status === 'ACTIVE',
  volatile: ['lastUpdated', 'lastMembershipUpdated', '_links'],
  unsupported(kase, cls) {
    if (cls === 'apps' && (kase === 'delta-change' || kase === 'delta-delete')) return 'the emulator has no endpoint that changes or deletes an app';
    return undefined;
  },
  async cleanup() {
    await emu?.close();
  },
});
