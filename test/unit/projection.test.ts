import { describe, expect, it } from 'vitest';
import { planProjection, projectionHash, stateOf } from '../../pipeline/projection';
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
