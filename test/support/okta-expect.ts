// What the store must hold after syncing the emulator, computed from the emulator's own snapshot
// (independently of the connector) with the mapping the test connectors use.
import { request } from 'undici';
import type { ExportData } from '../../store/types';

export interface Snapshot {
  users: { id: string; status: string; profile: Record<string, unknown> }[];
  groups: { id: string; type: string; profile: { name: string; description?: string | null } }[];
  memberships: { groupId: string; userId: string }[];
  apps: { id: string; name: string; label: string; status: string }[];
  appUsers: { appId: string; userId: string }[];
}

export async function snapshot(url: string, token = 'emulator-token'): Promise<Snapshot> {
  const res = await request(`${url}/__emulator/snapshot`, { headers: { authorization: `SSWS ${token}` } });
  if (res.statusCode !== 200) throw new Error(`snapshot: ${res.statusCode} ${await res.body.text()}`);
  return (await res.body.json()) as Snapshot;
}

export const TEST_MAPPING_YAML = `
  mapping:
    user:
      email: profile.email
      login: profile.login
      firstName: profile.firstName
      lastName: profile.lastName
      status: status
    group:
      name: profile.name
      description: profile.description
      type: type
    app:
      name: name
      label: label
      status: status`;

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byPair = (a: { parent: string; child: string }, b: { parent: string; child: string }) =>
  a.parent === b.parent ? (a.child < b.child ? -1 : a.child > b.child ? 1 : 0) : a.parent < b.parent ? -1 : 1;

export function expectedExport(s: Snapshot) {
  return {
    users: s.users
      .map((u) => ({
        id: u.id,
        attributes: {
          email: u.profile.email ?? null,
          login: u.profile.login ?? null,
          firstName: u.profile.firstName ?? null,
          lastName: u.profile.lastName ?? null,
          status: u.status,
        },
      }))
      .sort(byId),
    groups: s.groups
      .map((g) => ({ id: g.id, attributes: { name: g.profile.name, description: g.profile.description ?? null, type: g.type } }))
      .sort(byId),
    memberships: s.memberships.map((m) => ({ parent: m.groupId, child: m.userId })).sort(byPair),
    apps: s.apps.map((a) => ({ id: a.id, attributes: { name: a.name, label: a.label, status: a.status } })).sort(byId),
    appUsers: s.appUsers.map((a) => ({ parent: a.appId, child: a.userId })).sort(byPair),
  };
}

/** The export reduced to what the expectation covers (links by their ends only). */
export function comparable(e: ExportData) {
  return {
    users: e.users.map((u) => ({ id: u.id, attributes: u.attributes })).sort(byId),
    groups: e.groups.map((g) => ({ id: g.id, attributes: g.attributes })).sort(byId),
    memberships: e.memberships.map((m) => ({ parent: m.parent, child: m.child })).sort(byPair),
    apps: e.apps.map((a) => ({ id: a.id, attributes: a.attributes })).sort(byId),
    appUsers: e.appUsers.map((a) => ({ parent: a.parent, child: a.child })).sort(byPair),
  };
}

export function connectorYaml(name: string, extra = ''): string {
  return `name: ${name}
type: okta
config:
  domain: \${OKTA_DOMAIN}
  apiToken: \${OKTA_API_TOKEN}
  sync:
    mode: polling
    interval: 15m
${TEST_MAPPING_YAML}
${extra}`;
}
