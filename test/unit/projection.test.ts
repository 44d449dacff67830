import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors';
import { z } from 'zod';
import { projectIdentities } from '../../activities/project-writes';
import { defineConnector } from '../../connectors/framework/define';
import type { ConnectorOps, WriteOutcome } from '../../connectors/framework/spi';
import { planMembers, planProjection, projectionHash, stateOf } from '../../pipeline/projection';
import type { ExportedObject } from '../../store/types';

const rules = { targetContainer: 'OU={{department}},DC=corp,DC=com' };
const user = (id: string, attributes: Record<string, unknown>, deletedAt: string | null = null): ExportedObject => ({ id, attributes, deletedAt });

describe('projection planning', () => {
  it('reads the state from deletion, a boolean active, or an Okta status', () => {
    expect(stateOf(user('a', { active: true }))).toBe('active');
    expect(stateOf(user('a', { active: false, status: 'ACTIVE' }))).toBe('inactive');
    expect(stateOf(user('a', { status: 'DEPROVISIONED' }))).toBe('inactive');
    expect(stateOf(user('a', { status: 'suspended' }))).toBe('inactive');
    expect(stateOf(user('a', { status: 'STAGED' }))).toBe('active');
    expect(stateOf(user('a', { status: 'ACTIVE' }, '2025-01-01T00:00:00.000Z'))).toBe('deleted');
  });

  it('hashes content, state and rules, not key order', () => {
    const a = user('a', { department: 'Sales', email: 'a@x' });
    expect(projectionHash(a, rules)).toBe(projectionHash(user('a', { email: 'a@x', department: 'Sales' }), rules));
    expect(projectionHash(a, rules)).not.toBe(projectionHash(user('a', { department: 'Legal', email: 'a@x' }), rules));
    expect(projectionHash(a, rules)).not.toBe(projectionHash(user('a', { department: 'Sales', email: 'a@x' }, '2025-01-01T00:00:00.000Z'), rules));
    expect(projectionHash(a, rules)).not.toBe(projectionHash(a, { targetContainer: 'OU=Other,DC=corp,DC=com' }));
  });

  it('skips unchanged and never-projected deleted identities; updates by known target id', () => {
    const same = user('same', { department: 'Sales' });
    const changed = user('changed', { department: 'Legal', status: 'DEPROVISIONED' });
    const fresh = user('fresh', { department: 'Sales' });
    const goneNew = user('gone-new', {}, '2025-01-01T00:00:00.000Z');
    const goneOld = user('gone-old', {}, '2025-01-01T00:00:00.000Z');
    const prior = [
      { target: 't', source: 's', kind: 'user' as const, sourceId: 'same', targetId: 'T-same', hash: projectionHash(same, rules) },
      { target: 't', source: 's', kind: 'user' as const, sourceId: 'changed', targetId: 'T-changed', hash: 'old' },
      { target: 't', source: 's', kind: 'user' as const, sourceId: 'gone-old', targetId: 'T-gone', hash: 'old' },
    ];
    const plan = planProjection([same, changed, fresh, goneNew, goneOld], prior, rules);
    expect(plan.unchanged).toBe(1);
    expect(plan.skipped).toBe(1);
    expect(plan.work.map((w) => [w.item.id, w.state, w.item.targetId, w.item.deleted, w.item.attributes.active])).toEqual([
      ['changed', 'inactive', 'T-changed', false, false],
      ['fresh', 'active', null, false, true],
      ['gone-old', 'deleted', 'T-gone', true, false],
    ]);
  });
});

describe('group member planning', () => {
  const rec = (kind: 'user' | 'group', sourceId: string, targetId: string) => ({ target: 't', source: 's', kind, sourceId, targetId, hash: 'h' });
  it('keeps projected live members, removes projected former ones, ignores what was never projected', () => {
    const gone = '2025-01-01T00:00:00.000Z';
    const links = [
      { parent: 'g', child: 'u1', childKind: 'user' as const, deletedAt: null },
      { parent: 'g', child: 'u2', childKind: 'user' as const, deletedAt: gone },
      { parent: 'g', child: 'u3', childKind: 'user' as const, deletedAt: null },
      { parent: 'g', child: 'u4', childKind: 'user' as const, deletedAt: gone },
      { parent: 'g', child: 'n1', childKind: 'group' as const, deletedAt: null },
      // A user and a group may share an external id: the kind tells them apart.
      { parent: 'g', child: 'x', childKind: 'group' as const, deletedAt: gone },
    ];
    const projected = [rec('user', 'u3', 'T3'), rec('user', 'u1', 'T1'), rec('user', 'u2', 'T2'), rec('group', 'n1', 'TN'), rec('user', 'x', 'TX-user')];
    expect(planMembers(links, projected)).toEqual({ members: ['T1', 'T3', 'TN'], remove: ['T2'] });
  });
});

describe('projectIdentities against a target', () => {
  const fake = (gone: Set<string>) => {
    const calls: string[] = [];
    const missing = (id: string) => new ConnectorError('not-found', `users ${id} is not in the directory`, {});
    const ops: ConnectorOps = {
      close: async () => undefined,
      create: async (_r, o): Promise<WriteOutcome> => (calls.push(`create ${o.key}`), { targetId: `new-${o.key}`, action: 'created' }),
      updateDelta: async (_r, id): Promise<WriteOutcome> => (calls.push(`update ${id}`), gone.has(id) ? Promise.reject(missing(id)) : { targetId: id, action: 'updated' }),
      delete: async (_r, id): Promise<WriteOutcome> => (calls.push(`delete ${id}`), gone.has(id) ? Promise.reject(missing(id)) : { targetId: id, action: 'disabled' }),
    };
    const c = defineConnector({
      type: 'fake',
      configSchema: z.object({}),
      objectClasses: { users: { kind: 'user', read: false, delta: 'none', get: false, write: ['create', 'update', 'delete'] } },
      open: () => ops,
    }).open({ name: 'fake', type: 'fake' }, {});
    return { c, calls };
  };

  it('creates again an object deleted in the target by hand; a gone object that should go needs nothing', async () => {
    const { c, calls } = fake(new Set(['T-gone', 'T-gone2']));
    const { results } = await projectIdentities(c, [
      { id: 'a', targetId: 'T-gone', attributes: {} },
      { id: 'b', targetId: 'T-b', attributes: {} },
      { id: 'd', targetId: 'T-gone2', attributes: {}, deleted: true },
    ]);
    expect(results).toEqual([
      { id: 'a', ok: true, targetId: 'new-a', action: 'created' },
      { id: 'b', ok: true, targetId: 'T-b', action: 'updated' },
      { id: 'd', ok: true, targetId: 'T-gone2', action: 'unchanged' },
    ]);
    expect(calls).toEqual(['update T-gone', 'create a', 'update T-b', 'delete T-gone2']);
  });

  it('other errors still fail the object alone', async () => {
    const { c } = fake(new Set());
    c.updateDelta = async () => Promise.reject(new ConnectorError('forbidden', 'insufficient access', {}));
    const { results } = await projectIdentities(c, [{ id: 'a', targetId: 'T-a', attributes: {} }, { id: 'b', attributes: {} }]);
    expect(results).toEqual([
      { id: 'a', ok: false, error: 'insufficient access' },
      { id: 'b', ok: true, targetId: 'new-b', action: 'created' },
    ]);
  });
});
