import { describe, expect, it } from 'vitest';
import { compileMapping } from '../../config/mapping';
import { compileFilter } from '../../config/filter';
import { countPlan, createAttributes, planPush, toAttributeDelta, type PlanRules, type PushedState } from '../../pipeline/push-plan';
import type { ExportedObject } from '../../store/types';

const mapping = compileMapping({ userName: 'login', 'name.givenName': 'firstName', 'emails[0].value': 'email', roles: 'roles' }, {});
const filter = compileFilter(['department eq "eng"']);
const rules = (over: Partial<PlanRules> = {}): PlanRules => ({
  kind: 'user',
  map: (a) => mapping.map(a),
  inScope: (o) => filter(o.attributes),
  deleteOnRemoval: false,
  canEnable: true,
  canDelete: true,
  ...over,
});
const user = (id: string, attrs: Record<string, unknown>, deletedAt: string | null = null): ExportedObject => ({
  id,
  attributes: { login: `${id}@x.test`, firstName: id.toUpperCase(), email: `${id}@x.test`, department: 'eng', status: 'ACTIVE', roles: null, ...attrs },
  deletedAt,
});
const pushed = (o: ExportedObject, over: Partial<PushedState> = {}): PushedState => ({
  sourceId: o.id,
  targetId: `t-${o.id}`,
  attributes: mapping.map(o.attributes),
  enabled: true,
  ...over,
});

describe('planPush', () => {
  it('creates in-scope active identities never pushed, and skips the rest', () => {
    const page = [user('u2', {}), user('u1', {}), user('u3', { department: 'sales' }), user('u4', { status: 'DEPROVISIONED' }), user('u5', {}, '2024-01-01T00:00:00Z')];
    const plan = planPush(page, [], rules());
    expect(plan.creates.map((c) => c.sourceId)).toEqual(['u1', 'u2']);
    expect(plan.creates[0].attributes).toEqual({ userName: 'u1@x.test', 'name.givenName': 'U1', 'emails[0].value': 'u1@x.test', roles: null });
    expect(plan.skipped).toBe(3);
    expect(countPlan(plan)).toMatchObject({ creates: 2, updates: 0, disables: 0, unchanged: 0, skipped: 3 });
  });

  it('updates only the attributes that changed, with before and after', () => {
    const old = user('u1', {});
    const now = user('u1', { firstName: 'Ada', department: 'eng' });
    const plan = planPush([now], [pushed(old)], rules());
    expect(plan.updates).toEqual([
      { kind: 'user', sourceId: 'u1', targetId: 't-u1', changes: [{ attribute: 'name.givenName', before: 'U1', after: 'Ada' }], attributes: mapping.map(now.attributes) },
    ]);
    expect(plan.unchanged).toBe(0);
    expect(planPush([old], [pushed(old)], rules()).unchanged).toBe(1);
  });

  it('disables inactive, deleted and out-of-scope identities, and enables returning ones', () => {
    const a = user('a', { status: 'SUSPENDED' });
    const b = user('b', {}, '2024-01-01T00:00:00Z');
    const c = user('c', { department: 'sales' });
    const d = user('d', {});
    const e = user('e', { status: 'DEPROVISIONED' });
    const plan = planPush([a, b, c, d, e], [pushed(a), pushed(b), pushed(c), pushed(d, { enabled: false }), pushed(e, { enabled: false })], rules());
    expect(plan.disables).toEqual([
      { kind: 'user', sourceId: 'a', targetId: 't-a', reason: 'inactive' },
      { kind: 'user', sourceId: 'b', targetId: 't-b', reason: 'deleted' },
      { kind: 'user', sourceId: 'c', targetId: 't-c', reason: 'out-of-scope' },
    ]);
    expect(plan.enables).toEqual([{ kind: 'user', sourceId: 'd', targetId: 't-d' }]);
    expect(plan.unchanged).toBe(1);
    expect(plan.deletes).toEqual([]);
  });

  it('deletes instead of disabling with deleteOnRemoval, but still only disables inactive ones', () => {
    const a = user('a', { status: 'SUSPENDED' });
    const b = user('b', {}, '2024-01-01T00:00:00Z');
    const c = user('c', { department: 'sales' });
    const plan = planPush([a, b, c], [pushed(a), pushed(b), pushed(c)], rules({ deleteOnRemoval: true }));
    expect(plan.deletes.map((d) => [d.sourceId, d.reason])).toEqual([['b', 'deleted'], ['c', 'out-of-scope']]);
    expect(plan.disables.map((d) => d.sourceId)).toEqual(['a']);
  });

  it('plans member adds and removes against what was pushed, never hand-added members', () => {
    const g = { id: 'g1', attributes: { name: 'Eng' } };
    const h = { id: 'g2', attributes: { name: 'New' } };
    const groupRules = rules({ kind: 'group', map: (x) => ({ displayName: x.name }), inScope: () => true, canEnable: false });
    const desired = new Map([['g1', ['user:u3', 'user:u1']], ['g2', ['user:u2']]]);
    const plan = planPush([h, g], [{ sourceId: 'g1', targetId: 't-g1', attributes: { displayName: 'Eng' }, enabled: true, members: ['user:u1', 'user:u9'] }], groupRules, desired);
    expect(plan.creates.map((c) => c.sourceId)).toEqual(['g2']);
    expect(plan.members).toEqual([
      { groupId: 'g1', add: ['user:u3'], remove: ['user:u9'] },
      { groupId: 'g2', add: ['user:u2'], remove: [] },
    ]);
    expect(countPlan(plan)).toMatchObject({ memberAdds: 2, memberRemoves: 1, unchanged: 0 });
  });

  it('leaves a group that cannot be disabled alone when it leaves the scope without deleteOnRemoval', () => {
    const g = { id: 'g1', attributes: { name: 'Eng' }, deletedAt: '2024-01-01T00:00:00Z' };
    const groupRules = rules({ kind: 'group', map: (x) => ({ displayName: x.name }), inScope: () => true, canEnable: false });
    const prior = { sourceId: 'g1', targetId: 't-g1', attributes: { displayName: 'Eng' }, enabled: true };
    expect(countPlan(planPush([g], [prior], groupRules))).toMatchObject({ disables: 0, deletes: 0, unchanged: 1 });
    expect(planPush([g], [prior], { ...groupRules, deleteOnRemoval: true }).deletes).toEqual([{ kind: 'group', sourceId: 'g1', targetId: 't-g1', reason: 'deleted' }]);
  });

  it('is the same plan whatever order the page and the pushed states come in', () => {
    const page = [user('u3', {}), user('u1', { firstName: 'Z' }), user('u2', { status: 'SUSPENDED' })];
    const prior = [pushed(user('u2', {})), pushed(user('u1', {}))];
    expect(planPush([...page].reverse(), [...prior].reverse(), rules())).toEqual(planPush(page, prior, rules()));
  });
});

describe('toAttributeDelta / createAttributes', () => {
  it('replaces scalars (null clears) and adds/removes single values of plain lists', () => {
    expect(toAttributeDelta([
      { attribute: 'title', before: 'a', after: 'b' },
      { attribute: 'phone', before: '1', after: null },
      { attribute: 'roles', before: ['x', 'y'], after: ['y', 'z'] },
      { attribute: 'emails', before: [{ value: 'a' }], after: [{ value: 'b' }] },
    ])).toEqual({ replace: { title: 'b', phone: null, emails: [{ value: 'b' }] }, add: { roles: ['z'] }, remove: { roles: ['x'] } });
  });

  it('sends no empty values on create', () => {
    expect(createAttributes({ a: 'x', b: null, c: [], d: 0 })).toEqual({ a: 'x', d: 0 });
  });
});
