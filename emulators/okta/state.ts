// The emulated org, in memory. Records hold only what cannot be derived; the JSON Okta returns is
// built from them on output (render.ts) so 100k users and 1M memberships stay cheap. Deleted
// users and groups stay as tombstones so array indices (used by cursors and memberships) hold.

import { defaultSchema, type ProfileSchema, type SchemaKind } from './profileSchema';
import type { Rng } from './random';

export type UserStatus =
  | 'ACTIVE' | 'DEPROVISIONED' | 'LOCKED_OUT' | 'PASSWORD_EXPIRED'
  | 'PROVISIONED' | 'RECOVERY' | 'STAGED' | 'SUSPENDED';

export interface UserRecord {
  index: number;
  id: string;
  status: UserStatus;
  /** Epoch ms; null where Okta returns null. */
  created: number;
  activated: number | null;
  statusChanged: number | null;
  lastLogin: number | null;
  lastUpdated: number;
  passwordChanged: number | null;
  typeId: string;
  hasPassword: boolean;
  profile: Record<string, unknown>;
  deleted: boolean;
}

export type GroupType = 'OKTA_GROUP' | 'APP_GROUP' | 'BUILT_IN';

export interface GroupRecord {
  index: number;
  id: string;
  type: GroupType;
  created: number;
  lastUpdated: number;
  lastMembershipUpdated: number;
  profile: Record<string, unknown>;
  /** Sorted user indices; 'everyone' = every user of the org (the BUILT_IN group). */
  members: Int32Array | 'everyone';
  /** App that sources an APP_GROUP. */
  sourceAppId: string | null;
  deleted: boolean;
}

export interface AppUserOverride {
  scope: 'USER' | 'GROUP';
  created: number;
  lastUpdated: number;
  userName: string | null;
  profile: Record<string, unknown>;
}

export interface AppRecord {
  index: number;
  id: string;
  name: string;
  label: string;
  status: 'ACTIVE' | 'INACTIVE';
  signOnMode: string;
  features: string[];
  created: number;
  lastUpdated: number;
  /** Sorted user indices of assigned users. */
  assigned: Int32Array;
  /** Assignments made through the API carry their own fields; seeded ones are derived. */
  custom: Map<number, AppUserOverride>;
}

export interface LogEvent {
  uuid: string;
  published: string;
  eventType: string;
  [key: string]: unknown;
}

export interface StoredLogEvent {
  seq: number;
  publishedMs: number;
  event: LogEvent;
}

export interface EventHookRecord {
  id: string;
  name: string;
  status: 'ACTIVE' | 'INACTIVE';
  verificationStatus: 'UNVERIFIED' | 'VERIFIED';
  created: number;
  lastUpdated: number;
  eventTypes: string[];
  uri: string;
  headers: { key: string; value: string }[];
  auth: { key: string; value: string } | null;
}

export class OktaState {
  readonly users: UserRecord[] = [];
  readonly groups: GroupRecord[] = [];
  readonly apps: AppRecord[] = [];
  readonly log: StoredLogEvent[] = [];
  readonly hooks: EventHookRecord[] = [];
  readonly userById = new Map<string, number>();
  readonly userByLogin = new Map<string, number>();
  readonly groupById = new Map<string, number>();
  readonly appById = new Map<string, number>();
  /** Profile schemas: base properties plus the custom ones declared through /meta/schemas. */
  readonly schemas: Record<SchemaKind, ProfileSchema> = { user: defaultSchema('user'), group: defaultSchema('group') };
  /** Called for every System Log event appended (event hook delivery listens here). */
  readonly logListeners: ((e: LogEvent) => void)[] = [];
  /** `rng` makes the ids and uuids of writes reproducible too. */
  constructor(readonly rng: Rng, readonly admin: { id: string; login: string; displayName: string }) {}

  /** A user by id or login (Okta's GET /users/{idOrLogin}); tombstones excluded. */
  findUser(idOrLogin: string): UserRecord | undefined {
    const i = this.userById.get(idOrLogin) ?? this.userByLogin.get(idOrLogin.toLowerCase());
    return i === undefined ? undefined : this.users[i];
  }

  findGroup(id: string): GroupRecord | undefined {
    const i = this.groupById.get(id);
    return i === undefined ? undefined : this.groups[i];
  }

  findApp(id: string): AppRecord | undefined {
    const i = this.appById.get(id);
    return i === undefined ? undefined : this.apps[i];
  }

  liveUsers(): UserRecord[] {
    return this.users.filter((u) => !u.deleted);
  }

  liveGroups(): GroupRecord[] {
    return this.groups.filter((g) => !g.deleted);
  }

  /** Member user indices of a group, in ascending order, tombstones excluded. */
  *memberIndices(group: GroupRecord, fromPosition = 0): Generator<number> {
    if (group.members === 'everyone') {
      for (let i = fromPosition; i < this.users.length; i++) if (!this.users[i]!.deleted) yield i;
      return;
    }
    for (let p = 0; p < group.members.length; p++) {
      const i = group.members[p]!;
      if (i >= fromPosition && !this.users[i]!.deleted) yield i;
    }
  }

  groupMemberIds(groupId: string): string[] {
    const g = this.findGroup(groupId);
    return g ? [...this.memberIndices(g)].map((i) => this.users[i]!.id) : [];
  }

  isMember(group: GroupRecord, userIndex: number): boolean {
    if (group.members === 'everyone') return !this.users[userIndex]!.deleted;
    return bsearch(group.members, userIndex) >= 0;
  }
}

/** Index of `v` in a sorted array, or -(insertion point) - 1. */
export function bsearch(a: Int32Array, v: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = a[mid]!;
    if (x < v) lo = mid + 1;
    else if (x > v) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/** Copy-on-write insert: memberships change rarely compared to how often they are read. */
export function sortedInsert(a: Int32Array, v: number): Int32Array {
  const at = bsearch(a, v);
  if (at >= 0) return a;
  const pos = -at - 1;
  const out = new Int32Array(a.length + 1);
  out.set(a.subarray(0, pos), 0);
  out[pos] = v;
  out.set(a.subarray(pos), pos + 1);
  return out;
}

export function sortedRemove(a: Int32Array, v: number): Int32Array {
  const at = bsearch(a, v);
  if (at < 0) return a;
  const out = new Int32Array(a.length - 1);
  out.set(a.subarray(0, at), 0);
  out.set(a.subarray(at + 1), at);
  return out;
}
