import { describe, expect, it } from 'vitest';
import { escapeDnValue, escapeFilterValue, normalizeDn, renderContainer } from '../../connectors/ldap/escape';
import { guidToBytes, guidToString } from '../../connectors/ldap/guid';
import { parseRangedAttribute } from '../../connectors/ldap/session';

describe('ldap escaping', () => {
  it('escapes filter metacharacters (RFC 4515)', () => {
    expect(escapeFilterValue('*)(objectClass=*')).toBe('\\2a\\29\\28objectClass=\\2a');
    expect(escapeFilterValue('a\\b\0')).toBe('a\\5cb\\00');
    expect(escapeFilterValue(Buffer.from([0x01, 0xab]))).toBe('\\01\\ab');
  });
  it('escapes DN values (RFC 4514)', () => {
    expect(escapeDnValue('Smith, John+Jr')).toBe('Smith\\, John\\+Jr');
    expect(escapeDnValue(' #lead ')).toBe('\\ #lead\\ ');
    expect(normalizeDn('CN=A\\, B , OU=X,DC=corp')).toBe('cn=a\\, b,ou=x,dc=corp');
  });
  it('renders container templates, escaping values and keeping unresolved tokens', () => {
    expect(renderContainer('OU={{department}},OU=Users,DC=corp,DC=com', { department: 'R,D' })).toEqual({ dn: 'OU=R\\,D,OU=Users,DC=corp,DC=com', unresolved: [] });
    expect(renderContainer('OU={{department}},DC=corp', {})).toEqual({ dn: 'OU={{department}},DC=corp', unresolved: ['department'] });
  });
  it('renders objectGUID with the first three fields little-endian', () => {
    const bytes = Buffer.from('963a2c3065ac1e45b94137a3a68d89af', 'hex');
    expect(guidToString(bytes)).toBe('302c3a96-ac65-451e-b941-37a3a68d89af');
    expect(guidToBytes('302c3a96-ac65-451e-b941-37a3a68d89af').equals(bytes)).toBe(true);
  });
  it('parses ranged attribute names', () => {
    expect(parseRangedAttribute({ dn: 'x', 'member;range=0-1499': ['a'] }, 'member')).toEqual({ values: ['a'], start: 0, end: 1499 });
    expect(parseRangedAttribute({ dn: 'x', 'member;range=1500-*': ['b'] }, 'member')).toEqual({ values: ['b'], start: 1500, end: '*' });
    // An empty group: ldapts hands back the requested key with no values.
    expect(parseRangedAttribute({ dn: 'x', 'member;range=0-1499': [] }, 'member')).toEqual({ values: [], start: 0, end: 1499 });
    expect(parseRangedAttribute({ dn: 'x', member: ['c'] }, 'member')).toBeNull();
  });
});
