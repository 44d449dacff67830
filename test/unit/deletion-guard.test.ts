// The blast-radius guard: which deletions a person has to approve first.
import { oktaType } from '../../connectors/okta';
import { describe, expect, it } from 'vitest';
import { deletionHolds, reconcilableKinds } from '../../pipeline/deletion-guard';

const limits = { threshold: 0.2, limit: 500 };

describe('deletionHolds', () => {
  it('holds at the threshold, not only above it', () => {
    expect(deletionHolds([{ kind: 'user', total: 100, unseen: 20 }], limits)).toMatchObject([
      { kind: 'user', rule: 'threshold', reason: '20 of 100 users (20%): at or above the deletionThreshold of 20%' },
    ]);
    expect(deletionHolds([{ kind: 'user', total: 100, unseen: 19 }], limits)).toEqual([]);
    expect(deletionHolds([{ kind: 'user', total: 100, unseen: 70 }], { threshold: 0.7, limit: 500 })).toHaveLength(1);
  });

  it('threshold 1 holds a 100 % wipe and nothing less', () => {
    const one = { threshold: 1, limit: 10_000 };
    expect(deletionHolds([{ kind: 'group', total: 40, unseen: 40 }], one)).toMatchObject([{ rule: 'threshold' }]);
    expect(deletionHolds([{ kind: 'group', total: 40, unseen: 39 }], one)).toEqual([]);
  });

  it('holds above the absolute limit whatever the share, and counts member removals', () => {
    expect(deletionHolds([{ kind: 'membership', total: 1_000_000, unseen: 501 }], limits)).toMatchObject([
      { kind: 'membership', rule: 'limit', reason: '501 of 1000000 memberships: more than the deletionLimit of 500' },
    ]);
    expect(deletionHolds([{ kind: 'membership', total: 1_000_000, unseen: 500 }], limits)).toEqual([]);
  });

  it('lets a few deletions pass unless they empty the kind, and judges each kind alone', () => {
    expect(deletionHolds([{ kind: 'user', total: 3, unseen: 1 }], limits)).toEqual([]);
    expect(deletionHolds([{ kind: 'app', total: 2, unseen: 2 }], limits)).toMatchObject([{ kind: 'app', rule: 'threshold' }]);
    const holds = deletionHolds(
      [
        { kind: 'user', total: 1000, unseen: 10 },
        { kind: 'membership', total: 100, unseen: 50 },
        { kind: 'group', total: 0, unseen: 0 },
      ],
      limits,
    );
    expect(holds.map((h) => h.kind)).toEqual(['membership']);
  });
});

describe('reconcilableKinds', () => {
  it('skips incomplete reads and links whose parent was not read completely', () => {
    const d = reconcilableKinds(oktaType.manifest, ['users', 'groups', 'memberships'], ['groups']);
    expect(d.kinds).toEqual(['user']);
    expect(d.skipped.map((s) => s.kind)).toEqual(['group', 'membership']);
  });
});
