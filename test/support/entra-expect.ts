// What a sync of the Graph emulator must produce, in one comparable shape for the connector-level
// test (records applied to an in-memory model) and the end-to-end test (the store's export).
import type { ExportData } from '../../store/types';
import type { ChangesResult, SourceRecord } from '../../connectors/types';
import type { TenantSnapshot } from '../../emulators/graph';

export interface Comparable {
  users: Record<string, Record<string, unknown>>;
  groups: Record<string, Record<string, unknown>>;
  apps: Record<string, Record<string, unknown>>;
  /** `parent>child:kind`, sorted. */
  memberships: string[];
  appUsers: string[];
}

const USER_KEYS = ['userPrincipalName', 'mail', 'givenName', 'surname', 'displayName', 'employeeId', 'accountEnabled'] as const;
/** Seed 004's mapping (store attribute ← Graph property), as the connector's default. */
const USER_STORE: Record<(typeof USER_KEYS)[number], string> = {
  userPrincipalName: 'username', mail: 'email', givenName: 'firstName', surname: 'lastName', displayName: 'displayName', employeeId: 'employeeId', accountEnabled: 'active',
};
const pick = (o: Record<string, unknown>, keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, o[k] ?? null]));
const byId = <T extends Record<string, unknown>>(xs: T[], f: (x: T) => Record<string, unknown>) => Object.fromEntries(xs.map((x) => [String(x.id), f(x)]));

export function expectedFromSnapshot(s: TenantSnapshot): Comparable {
  const appUsers = new Set<string>();
  for (const a of s.appRoleAssignments) if (a.principalType !== 'ServicePrincipal') appUsers.add(`${a.resourceId}>${a.principalId}:${a.principalType.toLowerCase()}`);
  return {
    users: byId(s.users, (u) => pick(u, USER_KEYS)),
    groups: byId(s.groups, (g) => pick(g, ['displayName'])),
    apps: byId(s.servicePrincipals, (a) => pick(a, ['displayName', 'appId'])),
    memberships: s.memberships.filter((m) => m.memberType !== 'servicePrincipal').map((m) => `${m.groupId}>${m.memberId}:${m.memberType}`).sort(),
    appUsers: [...appUsers].sort(),
  };
}

export function fromExport(e: ExportData): Comparable {
  const users = Object.fromEntries(
    e.users.map((u) => [u.id, Object.fromEntries(USER_KEYS.map((k) => [k, u.attributes[USER_STORE[k]] ?? null]))]),
  );
  return {
    users,
    groups: Object.fromEntries(e.groups.map((g) => [g.id, { displayName: g.attributes.name ?? null }])),
    apps: Object.fromEntries(e.apps.map((a) => [a.id, { displayName: a.attributes.name ?? null, appId: a.attributes.appId ?? null }])),
    memberships: e.memberships.map((m) => `${m.parent}>${m.child}:${m.childKind}`).sort(),
    appUsers: [...new Set(e.appUsers.map((m) => `${m.parent}>${m.child}:${m.childKind}`))].sort(),
  };
}

/** Records and change windows applied the way the store applies them: objects upserted, deletions
 *  removing the object and its links, link sets replacing a parent's children. */
export class Model {
  objects: Record<string, Map<string, Record<string, unknown>>> = { users: new Map(), groups: new Map(), apps: new Map() };
  links: Record<string, Set<string>> = { memberships: new Set(), appUsers: new Set() };

  add(records: SourceRecord[]): void {
    for (const r of records) {
      if (r.type === 'object') this.objects[r.resource]!.set(r.id, r.raw);
      else this.links[r.resource]!.add(`${r.parentId}>${r.childId}:${r.childKind}`);
    }
  }

  apply(w: Pick<ChangesResult, 'records' | 'deletions' | 'linkSets'>): void {
    this.add(w.records);
    for (const d of w.deletions) {
      this.objects[d.resource]!.delete(d.id);
      for (const set of Object.values(this.links)) for (const k of [...set]) if (k.startsWith(`${d.id}>`) || k.includes(`>${d.id}:`)) set.delete(k);
    }
    for (const ls of w.linkSets) {
      const set = this.links[ls.resource]!;
      for (const k of [...set]) if (k.startsWith(`${ls.parentId}>`)) set.delete(k);
      for (const l of ls.links) set.add(`${l.parentId}>${l.childId}:${l.childKind}`);
    }
  }

  comparable(): Comparable {
    const of = (cls: string, keys: readonly string[]) => Object.fromEntries([...this.objects[cls]!].map(([id, raw]) => [id, pick(raw, keys)]));
    return {
      users: of('users', USER_KEYS),
      groups: of('groups', ['displayName']),
      apps: of('apps', ['displayName', 'appId']),
      memberships: [...this.links.memberships!].sort(),
      appUsers: [...this.links.appUsers!].sort(),
    };
  }
}
