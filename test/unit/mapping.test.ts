import { describe, expect, it } from 'vitest';
import { compileMapping } from '../../config/mapping';

const oktaUser = {
  id: '00u1abc',
  status: 'ACTIVE',
  profile: { email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', login: 'ada' },
};
const scimUser = {
  id: 'scim-1',
  userName: 'ada',
  emails: [{ value: 'ada@work.example', primary: true }],
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  active: true,
};

describe('compileMapping', () => {
  it('maps the seed-000 user mapping and takes the id from the id entry', () => {
    const m = compileMapping(
      { id: 'id', email: 'profile.email', firstName: 'profile.firstName', lastName: 'profile.lastName', status: 'status' },
      {},
    );
    expect(m.idPath(oktaUser)).toBe('00u1abc');
    expect(m.map(oktaUser)).toEqual({ email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', status: 'ACTIVE' });
  });

  it('follows indexes and yields null (not undefined) for missing paths', () => {
    const m = compileMapping(
      { username: 'userName', email: 'emails[0].value', secondEmail: 'emails[1].value', firstName: 'name.givenName', title: 'title', active: 'active' },
      {},
    );
    const mapped = m.map(scimUser);
    expect(mapped).toEqual({ username: 'ada', email: 'ada@work.example', secondEmail: null, firstName: 'Ada', title: null, active: true });
    expect(Object.values(mapped)).not.toContain(undefined);
  });

  it('keeps falsy values that exist', () => {
    const m = compileMapping({ active: 'active', count: 'n', name: 's' }, {});
    expect(m.map({ active: false, n: 0, s: '' })).toEqual({ active: false, count: 0, name: '' });
  });

  it('falls back to `id` for the external id, and lets the file override defaults entry by entry', () => {
    const m = compileMapping({ email: 'emails[0].value' }, { email: 'profile.email', login: 'userName' });
    expect(m.idPath(scimUser)).toBe('scim-1');
    expect(m.map(scimUser)).toEqual({ email: 'ada@work.example', login: 'ada' });
    expect(compileMapping(undefined, { externalId: 'x' }).map({ x: 7 })).toEqual({ externalId: 7 });
  });

  it('uses a custom id path such as an LDAP GUID attribute', () => {
    const m = compileMapping({ id: 'attributes.objectGUID[0]', mail: 'attributes.mail[0]' }, {});
    const entry = { dn: 'CN=Ada', attributes: { objectGUID: ['guid-1'], mail: ['ada@corp'] } };
    expect(m.idPath(entry)).toBe('guid-1');
    expect(m.map(entry)).toEqual({ mail: 'ada@corp' });
  });

  it('names the attribute whose path is invalid', () => {
    expect(() => compileMapping({ email: 'profile..email' }, {})).toThrow('mapping email: invalid path "profile..email"');
  });
});
