import { describe, expect, it } from 'vitest';
import { compileFilter, parseFilter } from '../../config/filter';

const users = [
  { id: 'u1', status: 'ACTIVE', profile: { department: 'Engineering', email: 'ada@example.com' }, lastUpdated: '2024-03-01T10:00:00.000Z', emails: [{ value: 'ada@work.example', type: 'work' }] },
  { id: 'u2', status: 'SUSPENDED', profile: { department: 'Sales', email: null }, lastUpdated: '2023-12-31T23:59:59Z', emails: [] },
  { id: 'u3', status: 'active', profile: { department: '' }, lastUpdated: '2024-01-01T00:00:00+02:00' },
];
const groups = [
  { id: 'g1', type: { name: 'OKTA_GROUP' }, profile: { name: 'Engineering' } },
  { id: 'g2', type: { name: 'APP_GROUP' }, profile: { name: 'Salesforce users' } },
  { id: 'g3', type: { name: 'BUILT_IN' }, profile: { name: 'Everyone' } },
];

const keep = (exprs: string[] | undefined, records: Record<string, unknown>[]) => records.filter(compileFilter(exprs)).map((r) => r.id);

describe('compileFilter', () => {
  it('keeps everything without filters', () => {
    expect(keep(undefined, users)).toEqual(['u1', 'u2', 'u3']);
    expect(keep([], users)).toEqual(['u1', 'u2', 'u3']);
  });

  it('status eq "ACTIVE" matches case-insensitively, as RFC 7644 says for non-caseExact strings', () => {
    expect(keep(['status eq "ACTIVE"'], users)).toEqual(['u1', 'u3']);
    expect(keep(['status ne "ACTIVE"'], users)).toEqual(['u2']);
  });

  it('type.name eq "OKTA_GROUP" follows dotted attribute paths', () => {
    expect(keep(['type.name eq "OKTA_GROUP"'], groups)).toEqual(['g1']);
  });

  it('combines with and / or / not and requires every expression of the list', () => {
    expect(keep(['type.name eq "OKTA_GROUP" or type.name eq "APP_GROUP"'], groups)).toEqual(['g1', 'g2']);
    expect(keep(['status eq "ACTIVE" and profile.department eq "Engineering"'], users)).toEqual(['u1']);
    expect(keep(['not (type.name eq "BUILT_IN")'], groups)).toEqual(['g1', 'g2']);
    expect(keep(['status eq "ACTIVE"', 'profile.department sw "eng"'], users)).toEqual(['u1']);
  });

  it('pr needs a non-empty value', () => {
    expect(keep(['profile.email pr'], users)).toEqual(['u1']);
    expect(keep(['profile.department pr'], users)).toEqual(['u1', 'u2']);
    expect(keep(['emails pr'], users)).toEqual(['u1']);
  });

  it('gt / le compare ISO dates chronologically, whatever their precision or offset', () => {
    expect(keep(['lastUpdated gt "2024-01-01T00:00:00Z"'], users)).toEqual(['u1']);
    // u3 is 2023-12-31T22:00Z; lexically it would look later than u2.
    expect(keep(['lastUpdated le "2023-12-31T23:00:00Z"'], users)).toEqual(['u3']);
    expect(keep(['lastUpdated ge "2024-03-01"'], users)).toEqual(['u1']);
  });

  it('co / ew and multi-valued attributes', () => {
    expect(keep(['profile.name co "sales"'], groups)).toEqual(['g2']);
    expect(keep(['emails.value ew "@work.example"'], users)).toEqual(['u1']);
    expect(keep(['emails[type eq "work"]'], users)).toEqual(['u1']);
  });

  it('matches attribute names case-insensitively', () => {
    expect(keep(['STATUS eq "suspended"'], users)).toEqual(['u2']);
  });

  it('compares booleans and numbers exactly', () => {
    const rows = [
      { id: 'a', active: true, level: 3 },
      { id: 'b', active: false, level: 10 },
    ];
    expect(keep(['active eq true'], rows)).toEqual(['a']);
    expect(keep(['level gt 5'], rows)).toEqual(['b']);
    expect(keep(['active gt false'], rows)).toEqual([]);
  });
});

describe('parseFilter', () => {
  it.each([['status = "ACTIVE"'], ['status eq'], ['(status eq "A"'], ['']])('rejects %j with a clear message', (expr) => {
    expect(() => parseFilter(expr)).toThrow(/SCIM filter/);
    expect(() => compileFilter([expr])).toThrow(/SCIM filter/);
  });

  it('quotes the expression and shows an example', () => {
    expect(() => parseFilter('status = "ACTIVE"')).toThrow('invalid SCIM filter "status = \\"ACTIVE\\"" (unexpected token = "ACTIVE"); expected e.g. status eq "ACTIVE"');
  });
});
