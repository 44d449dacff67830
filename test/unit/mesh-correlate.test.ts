import { describe, expect, it } from 'vitest';
import { normalizeMesh } from '../../config/mesh';
import {
  accountKeys,
  computePerson,
  correlateBatch,
  lookupsFor,
  matchKey,
  normalize,
  personKeys,
  sourceOrder,
  type MeshAccount,
} from '../../pipeline/mesh-correlate';

const def = normalizeMesh({
  name: 'people',
  sources: ['hr', 'ad', 'okta'],
  correlation: [
    { name: 'employee-id', match: { source: 'ad', attribute: 'employeeNumber' }, with: { source: 'hr', attribute: 'employeeId' }, normalize: ['trim', 'lower'] },
    { name: 'email', match: { source: 'okta', attribute: 'email' }, with: { mesh: 'email' }, normalize: ['lower'] },
    { name: 'username', match: { source: 'ad', attribute: 'sAMAccountName' }, with: { source: 'okta', attribute: 'login' }, normalize: ['lower', 'stripDomain'] },
  ],
  attributes: {
    email: { from: ['hr.email', 'okta.email'], transform: 'lower' },
    department: ['hr.department', 'ad.department'],
    username: ['ad.sAMAccountName'],
  },
  lifecycle: { source: 'hr' },
}, 'mesh.yaml');

const acct = (source: string, id: string, attributes: Record<string, unknown>, deleted = false): MeshAccount => ({ source, id, attributes, deleted });

describe('mesh correlation (pure)', () => {
  it('normalizes like the rules say', () => {
    expect(normalize('  E-100 ', ['trim', 'lower'])).toBe('e-100');
    expect(normalize('Jane.Doe@Corp.Example', ['lower', 'stripDomain'])).toBe('jane.doe');
    expect(normalize('CORP\\jdoe', ['stripDomain'])).toBe('jdoe');
    expect(normalize(['A', 'B'], ['lower'])).toBe('a');
    expect(normalize('   ', ['trim'])).toBeNull();
    expect(normalize(undefined, [])).toBeNull();
  });

  it('publishes keys per rule side and looks up the other side, in rule order', () => {
    const ad = acct('ad', 'a1', { employeeNumber: ' E1 ', sAMAccountName: 'JDoe' });
    expect(accountKeys(def, ad)).toEqual([{ key: 'employee-id:match', value: 'e1' }, { key: 'username:match', value: 'jdoe' }]);
    expect(lookupsFor(def, ad).map((l) => `${l.rule}>${l.key}=${l.value}`)).toEqual(['employee-id>employee-id:with=e1', 'username>username:with=jdoe']);
    const okta = acct('okta', 'o1', { email: 'J@X.io', login: 'corp\\JDOE' });
    expect(lookupsFor(def, okta).map((l) => `${l.key}=${l.value}`)).toEqual(['email:with=j@x.io', 'username:match=jdoe']);
    expect(personKeys(def, { email: 'J@X.io' })).toEqual([{ key: 'email:with', value: 'j@x.io' }]);
    expect(accountKeys(def, { ...ad, deleted: true })).toEqual([]);
    expect(sourceOrder({ ...def, lifecycle: { source: 'okta', onLeave: 'disable' } })).toEqual(['okta', 'hr', 'ad']);
  });

  it('joins one candidate, founds persons from the lifecycle source, and never joins ambiguity', () => {
    const accounts = [
      acct('ad', 'one', { employeeNumber: 'E1' }),
      acct('ad', 'two', { employeeNumber: 'E2' }),
      acct('ad', 'dup', { employeeNumber: 'e1' }),
      acct('ad', 'none', { employeeNumber: 'E9' }),
      acct('ad', 'manual', { employeeNumber: 'E2' }),
      acct('ad', 'fallback', { employeeNumber: 'E8', sAMAccountName: 'fb' }),
      acct('ad', 'gone', { employeeNumber: 'E1' }, true),
    ];
    const matches = new Map([
      [matchKey('employee-id:with', 'e1'), ['hr:E1']],
      [matchKey('employee-id:with', 'e2'), ['hr:E2', 'hr:E2b']],
      [matchKey('username:with', 'fb'), ['hr:E8']],
    ]);
    const links = new Map([['manual', { status: 'linked' as const, personId: 'hr:E3', rule: 'manual' }]]);
    const d = correlateBatch({ def, accounts, links, matches, linkedFromSource: new Map() });
    expect(d.get('one')).toEqual({ action: 'link', personId: 'hr:E1', rule: 'employee-id' });
    expect(d.get('two')).toMatchObject({ action: 'review', rule: 'employee-id', candidates: ['hr:E2', 'hr:E2b'] });
    // The person `one` took in this batch is taken for `dup`: an ambiguous match, not a join.
    expect(d.get('dup')).toMatchObject({ action: 'review', reason: expect.stringContaining('already has ad account one') });
    expect(d.get('none')).toEqual({ action: 'unmatched' });
    expect(d.get('manual')).toEqual({ action: 'keep' });
    expect(d.get('fallback')).toEqual({ action: 'link', personId: 'hr:E8', rule: 'username' });
    expect(d.get('gone')).toEqual({ action: 'gone' });

    const hr = correlateBatch({ def, accounts: [acct('hr', 'E5', { employeeId: 'E5' })], links: new Map(), matches: new Map(), linkedFromSource: new Map() });
    expect(hr.get('E5')).toEqual({ action: 'found', personId: 'hr:E5', rule: 'joiner' });
    const taken = correlateBatch({ def, accounts: [acct('ad', 'x', { employeeNumber: 'E1' })], links: new Map(), matches, linkedFromSource: new Map([['hr:E1', ['other']]]) });
    expect(taken.get('x')).toMatchObject({ action: 'review', candidates: ['hr:E1'] });
  });

  it('keeps a rule link while a rule still finds its person, and re-correlates it when none does', () => {
    const matches = new Map([[matchKey('employee-id:with', 'e1'), ['hr:E1']], [matchKey('employee-id:with', 'e2'), ['hr:E2']]]);
    const linked = (personId: string, rule: string) => ({ status: 'linked' as const, personId, rule });
    const d = correlateBatch({
      def,
      accounts: [
        acct('ad', 'same', { employeeNumber: 'E1' }),
        acct('ad', 'moved', { employeeNumber: 'E2' }),
        acct('ad', 'cleared', { employeeNumber: '' }),
        acct('ad', 'manual', { employeeNumber: 'E2' }),
        acct('ad', 'left', { employeeNumber: 'E2' }, true),
        acct('hr', 'E7', { employeeId: 'E2' }),
      ],
      links: new Map([
        ['same', linked('hr:E1', 'employee-id')], ['moved', linked('hr:E1', 'employee-id')], ['cleared', linked('hr:E1', 'employee-id')],
        ['manual', linked('hr:E9', 'manual')], ['left', linked('hr:E1', 'employee-id')], ['E7', linked('hr:E7', 'joiner')],
      ]),
      matches,
      linkedFromSource: new Map(),
    });
    expect(Object.fromEntries(d)).toEqual({
      same: { action: 'keep' },
      moved: { action: 'link', personId: 'hr:E2', rule: 'employee-id' },
      cleared: { action: 'unmatched' },
      manual: { action: 'keep' },
      left: { action: 'keep' },
      E7: { action: 'keep' },
    });
  });

  it('computes attributes by authority with provenance, and the lifecycle state', () => {
    const hr = acct('hr', 'E1', { email: 'Jane@X.io', department: '', active: true });
    const ad = acct('ad', 'a1', { department: 'Sales', sAMAccountName: 'jane', mail: 'ignored' });
    const okta = acct('okta', 'o1', { email: 'other@x.io' });
    const p = computePerson(def, [{ account: hr, rule: 'joiner' }, { account: ad, rule: 'employee-id' }, { account: okta, rule: 'email' }], 'run-1');
    expect(p.state).toBe('active');
    expect(p.attributes).toEqual({ email: 'jane@x.io', department: 'Sales', username: 'jane' });
    expect(p.provenance.department).toEqual({ source: 'ad', account: 'a1', rule: 'employee-id', run: 'run-1' });
    expect(p.provenance.email).toEqual({ source: 'hr', account: 'E1', rule: 'joiner', run: 'run-1' });

    // A mover: HR's department arrives and wins; unchanged attributes keep the run that set them.
    const moved = computePerson(def, [{ account: { ...hr, attributes: { ...hr.attributes, department: 'Ops' } }, rule: 'joiner' }, { account: ad, rule: 'employee-id' }], 'run-2', p);
    expect(moved.attributes.department).toBe('Ops');
    expect(moved.provenance.department).toEqual({ source: 'hr', account: 'E1', rule: 'joiner', run: 'run-2' });
    expect(moved.provenance.username.run).toBe('run-1');
    expect(moved.attributes.email).toBe('jane@x.io');

    // Leavers: the lifecycle account inactive, deleted, or missing.
    expect(computePerson(def, [{ account: { ...hr, attributes: { active: false } }, rule: 'joiner' }], 'r').state).toBe('left');
    expect(computePerson(def, [{ account: { ...hr, deleted: true }, rule: 'joiner' }, { account: ad, rule: 'x' }], 'r').state).toBe('left');
    expect(computePerson(def, [{ account: ad, rule: 'manual' }], 'r').state).toBe('left');
  });
});
