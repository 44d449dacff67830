// The tenant in memory: objects by id, one insertion-ordered index per list, group members with a
// reverse index, and the change log that gives delta tokens their meaning. Every mutation of a user
// or group takes a new sequence number; a delta token is "the log up to seq N".

import { randomBytes, randomUUID } from 'node:crypto';
import { checkWritable, type AppRoleAssignment, type DirObject, type GroupObject, type Kind } from './model';
import { OrderedIndex } from './ordered';

export interface LogEntry {
  seq: number;
  id: string;
}

/** What subscribers hear about: Graph sends `updated` for create, update, soft delete and restore
 *  of users and groups, and `deleted` only for permanent deletion. */
export interface TenantChange {
  kind: 'user' | 'group';
  id: string;
  changeType: 'updated' | 'deleted';
  /** Member ids added or removed, for group membership changes. */
  members?: string[];
}

export class NotFound extends Error {}
export class BadRequest extends Error {}

export class Tenant {
  readonly objects = new Map<string, DirObject>();
  readonly lists: Record<Kind, OrderedIndex> = {
    user: new OrderedIndex(),
    group: new OrderedIndex(),
    servicePrincipal: new OrderedIndex(),
    application: new OrderedIndex(),
  };
  readonly logs: { user: LogEntry[]; group: LogEntry[] } = { user: [], group: [] };
  /** member id → groups that have it as a direct member. */
  readonly memberOf = new Map<string, Set<string>>();
  /** servicePrincipal id → its app role assignments, in order. */
  readonly assignments = new Map<string, { order: OrderedIndex; byId: Map<string, AppRoleAssignment> }>();
  /** For restore: the groups a soft-deleted object was a member of. */
  private readonly parkedMemberships = new Map<string, string[]>();
  seq = 0;
  private listeners: Array<(c: TenantChange) => void> = [];

  constructor(readonly tenantId: string) {}

  onChange(fn: (c: TenantChange) => void): void {
    this.listeners.push(fn);
  }

  // ---- reads -------------------------------------------------------------------------------

  get(id: string, kind?: Kind): DirObject | undefined {
    const o = this.objects.get(id);
    if (!o || (kind && o.kind !== kind)) return undefined;
    return o;
  }

  active(id: string, kind?: Kind): DirObject | undefined {
    const o = this.get(id, kind);
    return o && o.state === 'active' ? o : undefined;
  }

  group(id: string): GroupObject | undefined {
    return this.active(id, 'group') as GroupObject | undefined;
  }

  count(kind: Kind): number {
    let n = 0;
    for (const id of this.lists[kind].values()) if (this.objects.get(id)?.state === 'active') n++;
    return n;
  }

  // ---- seeding (no change log: a seeded tenant is "the state before the first token") --------

  seedObject(kind: Kind, id: string, props: Record<string, unknown>): DirObject {
    props.id = id;
    const base: DirObject = { kind, id, props, state: 'active', changeSeqs: [] };
    const obj: DirObject = kind === 'group' ? Object.assign(base, { members: new OrderedIndex(), memberOps: [] }) : base;
    this.objects.set(id, obj);
    this.lists[kind].add(id);
    if (kind === 'servicePrincipal') this.assignments.set(id, { order: new OrderedIndex(), byId: new Map() });
    return obj;
  }

  seedMember(groupId: string, memberId: string): void {
    const g = this.objects.get(groupId) as GroupObject;
    g.members.add(memberId);
    this.indexMembership(groupId, memberId);
  }

  seedAssignment(spId: string, a: AppRoleAssignment): void {
    const bucket = this.assignments.get(spId)!;
    bucket.order.add(a.id);
    bucket.byId.set(a.id, a);
  }

  // ---- mutations (admin API) -----------------------------------------------------------------

  createUser(props: Record<string, unknown>): DirObject {
    checkWritable('user', props);
    for (const k of ['displayName', 'userPrincipalName'] as const) {
      if (typeof props[k] !== 'string' || !(props[k] as string).trim()) throw new BadRequest(`user ${k} is required (a non-empty string)`);
    }
    const id = randomUUID();
    const obj = this.seedObject('user', id, { accountEnabled: true, businessPhones: [], userType: 'Member', ...props, createdDateTime: now() });
    this.logChange(obj);
    this.emit({ kind: 'user', id, changeType: 'updated' });
    return obj;
  }

  createGroup(props: Record<string, unknown>, members: string[] = []): GroupObject {
    checkWritable('group', props);
    if (typeof props.displayName !== 'string' || !props.displayName.trim()) throw new BadRequest('group displayName is required (a non-empty string)');
    for (const m of members) this.requireMemberCandidate(m);
    const id = randomUUID();
    const g = this.seedObject('group', id, {
      groupTypes: [], mailEnabled: false, securityEnabled: true, mailNickname: String(props.displayName).replace(/[^A-Za-z0-9]/g, '').slice(0, 60) || 'group',
      ...props, createdDateTime: now(), renewedDateTime: now(),
    }) as GroupObject;
    this.logChange(g);
    this.changeMembers(g.id, members, []);
    this.emit({ kind: 'group', id, changeType: 'updated' });
    return g;
  }

  update(kind: 'user' | 'group', id: string, props: Record<string, unknown>): DirObject {
    checkWritable(kind, props);
    const obj = this.active(id, kind);
    if (!obj) throw new NotFound(`no active ${kind} ${id}`);
    Object.assign(obj.props, props);
    this.logChange(obj);
    this.emit({ kind, id, changeType: 'updated' });
    return obj;
  }

  /** Soft delete moves the object to deleted items (restorable for 30 days on Entra ID); it leaves
   *  the groups it was in, which Graph reports as member removals. `permanent` deletes at once. */
  remove(kind: 'user' | 'group', id: string, permanent = false): void {
    const obj = this.get(id, kind);
    if (!obj || obj.state === 'hard') throw new NotFound(`no ${kind} ${id}`);
    if (obj.state === 'active') {
      const parents = [...(this.memberOf.get(id) ?? [])];
      for (const p of parents) this.applyMembers(this.objects.get(p) as GroupObject, [], [id]);
      this.parkedMemberships.set(id, parents);
      obj.state = 'soft';
      obj.props.deletedDateTime = now();
      this.logChange(obj);
      this.emit({ kind, id, changeType: 'updated' });
    }
    if (permanent) this.purge(id);
  }

  /** Permanently deletes an object in deleted items. */
  purge(id: string): void {
    const obj = this.objects.get(id);
    if (!obj || obj.state !== 'soft' || (obj.kind !== 'user' && obj.kind !== 'group')) throw new NotFound(`no deleted item ${id}`);
    obj.state = 'hard';
    this.parkedMemberships.delete(id);
    this.lists[obj.kind].delete(id);
    // Gone for good: out of the member lists of soft-deleted groups too, and a purged group's
    // members no longer point back at it.
    for (const p of this.memberOf.get(id) ?? []) (this.objects.get(p) as GroupObject | undefined)?.members.delete(id);
    this.memberOf.delete(id);
    if (obj.kind === 'group') for (const m of (obj as GroupObject).members.values()) this.memberOf.get(m)?.delete(id);
    this.removeAssignmentsOf(id);
    this.logChange(obj);
    this.emit({ kind: obj.kind, id, changeType: 'deleted' });
  }

  /** Restores a soft-deleted object, with the memberships it had. */
  restore(id: string): DirObject {
    const obj = this.objects.get(id);
    if (!obj || obj.state !== 'soft' || (obj.kind !== 'user' && obj.kind !== 'group')) throw new NotFound(`no deleted item ${id}`);
    obj.state = 'active';
    obj.props.deletedDateTime = null;
    this.logChange(obj);
    for (const p of this.parkedMemberships.get(id) ?? []) {
      const g = this.objects.get(p) as GroupObject | undefined;
      if (g && g.state !== 'hard') this.applyMembers(g, [id], []);
    }
    this.parkedMemberships.delete(id);
    this.emit({ kind: obj.kind, id, changeType: 'updated' });
    return obj;
  }

  /** Adds and removes direct members; each actual change is logged on the group. */
  changeMembers(groupId: string, add: string[], remove: string[]): { added: string[]; removed: string[] } {
    const g = this.group(groupId);
    if (!g) throw new NotFound(`no active group ${groupId}`);
    for (const m of add) this.requireMemberCandidate(m, groupId);
    return this.applyMembers(g, add, remove);
  }

  private applyMembers(g: GroupObject, add: string[], remove: string[]): { added: string[]; removed: string[] } {
    const groupId = g.id;
    const added: string[] = [];
    const removed: string[] = [];
    for (const m of add) {
      if (g.members.has(m)) continue;
      g.members.add(m);
      this.indexMembership(groupId, m);
      g.memberOps.push({ seq: ++this.seq, memberId: m, op: 'add' });
      this.noteGroupSeq(g);
      added.push(m);
    }
    for (const m of remove) {
      if (!g.members.delete(m)) continue;
      this.memberOf.get(m)?.delete(groupId);
      g.memberOps.push({ seq: ++this.seq, memberId: m, op: 'remove' });
      this.noteGroupSeq(g);
      removed.push(m);
    }
    if (added.length || removed.length) this.emit({ kind: 'group', id: groupId, changeType: 'updated', members: [...added, ...removed] });
    return { added, removed };
  }

  assign(spId: string, principalId: string, appRoleId?: string): AppRoleAssignment {
    const sp = this.active(spId, 'servicePrincipal');
    if (!sp) throw new NotFound(`no servicePrincipal ${spId}`);
    const principal = this.active(principalId);
    if (!principal || principal.kind === 'application') throw new BadRequest(`principalId ${principalId} is not an active user, group or servicePrincipal`);
    const roles = (sp.props.appRoles as Array<{ id: string }> | undefined) ?? [];
    const roleId = appRoleId ?? roles[0]?.id ?? '00000000-0000-0000-0000-000000000000';
    if (appRoleId && !roles.some((r) => r.id === appRoleId) && appRoleId !== '00000000-0000-0000-0000-000000000000') {
      throw new BadRequest(`appRoleId ${appRoleId} is not an app role of servicePrincipal ${spId}`);
    }
    const a: AppRoleAssignment = {
      id: assignmentId(), appRoleId: roleId, createdDateTime: now(), deletedDateTime: null,
      principalDisplayName: String(principal.props.displayName ?? ''), principalId,
      principalType: principal.kind === 'user' ? 'User' : principal.kind === 'group' ? 'Group' : 'ServicePrincipal',
      resourceDisplayName: String(sp.props.displayName ?? ''), resourceId: spId,
    };
    this.seedAssignment(spId, a);
    return a;
  }

  unassign(spId: string, assignmentIdValue: string): void {
    const bucket = this.assignments.get(spId);
    if (!bucket?.byId.delete(assignmentIdValue)) throw new NotFound(`no assignment ${assignmentIdValue} on servicePrincipal ${spId}`);
    bucket.order.delete(assignmentIdValue);
  }

  // ---- internals -----------------------------------------------------------------------------

  private requireMemberCandidate(memberId: string, groupId?: string): void {
    const m = this.active(memberId);
    if (!m || m.kind === 'application') throw new BadRequest(`member ${memberId} is not an active user, group or servicePrincipal`);
    if (groupId && m.kind === 'group' && this.reaches(memberId, groupId)) throw new BadRequest(`group ${memberId} cannot be a member of ${groupId}: that would make a cycle`);
  }

  /** Whether `to` is `from` or nested somewhere below it. */
  private reaches(from: string, to: string): boolean {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length) {
      const id = stack.pop()!;
      if (id === to) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      const g = this.objects.get(id);
      if (g?.kind === 'group') for (const m of (g as GroupObject).members.values()) if (this.objects.get(m)?.kind === 'group') stack.push(m);
    }
    return false;
  }

  private indexMembership(groupId: string, memberId: string): void {
    let s = this.memberOf.get(memberId);
    if (!s) this.memberOf.set(memberId, (s = new Set()));
    s.add(groupId);
  }

  private removeAssignmentsOf(principalId: string): void {
    for (const bucket of this.assignments.values()) {
      for (const [aid, a] of bucket.byId) {
        if (a.principalId === principalId) {
          bucket.byId.delete(aid);
          bucket.order.delete(aid);
        }
      }
    }
  }

  private logChange(obj: DirObject): void {
    const seq = ++this.seq;
    obj.changeSeqs.push(seq);
    this.logs[obj.kind as 'user' | 'group'].push({ seq, id: obj.id });
  }

  /** A membership change is a change of the group (it appears in groups delta). */
  private noteGroupSeq(g: GroupObject): void {
    const seq = this.seq;
    g.changeSeqs.push(seq);
    this.logs.group.push({ seq, id: g.id });
  }

  private emit(c: TenantChange): void {
    for (const l of this.listeners) l(c);
  }
}

export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** App role assignment ids on Graph are 43-character base64url strings, not GUIDs. */
function assignmentId(): string {
  return randomBytes(32).toString('base64url').slice(0, 43);
}
