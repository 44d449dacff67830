// Fills the SCIM server's directory directly (no HTTP), for tests. Documents are stored as given
// (scimmy's per-user validation costs ~1 ms, too much for big seeds); every read still goes
// through scimmy's User schema, so a seed that is not valid SCIM fails on first read, loudly.

import type { ScimDoc, ScimStore, StoredMember } from './store';

export type SeedUser = ScimDoc & { userName: string };

export interface SeedGroup {
  displayName: string;
  externalId?: string;
  /** userNames of seeded or stored users, or ids of stored users/groups. */
  members?: string[];
}

export interface SeedResult {
  /** userName → id */
  users: Map<string, string>;
  /** displayName → id (the last one wins when names repeat) */
  groups: Map<string, string>;
}

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export function seedDirectory(store: ScimStore, users: SeedUser[], groups: SeedGroup[]): SeedResult {
  const result: SeedResult = { users: new Map(), groups: new Map() };
  store.transaction(() => {
    users.forEach((u, i) => {
      if (typeof u.userName !== 'string' || !u.userName) throw new TypeError(`seed users[${i}].userName: expected a non-empty string`);
      const schemas = Array.isArray(u.schemas) ? u.schemas : [CORE_USER, ...Object.keys(u).filter((k) => k.startsWith('urn:'))];
      const doc: ScimDoc = { ...u, schemas };
      for (const k of ['id', 'meta', 'groups', 'password']) delete doc[k];
      result.users.set(u.userName, store.putUser(doc).id);
    });
    groups.forEach((g, i) => {
      if (typeof g.displayName !== 'string' || !g.displayName) throw new TypeError(`seed groups[${i}].displayName: expected a non-empty string`);
      const refs = g.members ?? [];
      const byId = store.memberTypes(refs);
      const members: StoredMember[] = refs.map((ref) => {
        const type = byId.get(ref);
        if (type) return { value: ref, type };
        const id = result.users.get(ref) ?? store.userByName(ref)?.id;
        if (!id) throw new TypeError(`seed groups[${i}].members: no user or group "${ref}"`);
        return { value: id, type: 'User' };
      });
      const doc: ScimDoc = { schemas: [CORE_GROUP], displayName: g.displayName, ...(g.externalId ? { externalId: g.externalId } : {}) };
      result.groups.set(g.displayName, store.putGroup(doc, members).id);
    });
  });
  return result;
}
