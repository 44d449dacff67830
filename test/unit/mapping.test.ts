import { describe, expect, it } from 'vitest';
import { checkMappingValue, compileMapping } from '../../config/mapping';
import { unknownMappingPaths } from '../../config/filter-paths';
import { OKTA_ATTRIBUTE_PATHS } from '../../connectors/okta/attributes';
import { OKTA_GROUP_SCIM_ALIASES, OKTA_USER_SCIM_ALIASES } from '../../connectors/okta/scim-aliases';
import { coverageWarning, MappingCoverage, unresolvedPaths } from '../../pipeline/mapping-coverage';

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

describe('mapping rules', () => {
  const rule = (src: string, raw: Record<string, unknown>) => compileMapping({ v: src }, {}).map(raw).v;

  it.each<[string, Record<string, unknown>, unknown]>([
    ['status == "ACTIVE"', { status: 'ACTIVE' }, true],
    ['status == "ACTIVE"', { status: 'SUSPENDED' }, false],
    ['status == "ACTIVE"', {}, false],
    ['status != "ACTIVE"', { status: 'STAGED' }, true],
    ["status == 'active'", { status: 'ACTIVE' }, false],
    ['manager != null', { manager: 'x' }, true],
    ['manager == null', {}, true],
    ['n == 3', { n: 3 }, true],
    ['flag == true', { flag: true }, true],
    ['profile.nickName ?? profile.login', { profile: { login: 'ada' } }, 'ada'],
    ['a ?? b ?? "none"', {}, 'none'],
    ['a ?? b', { a: false, b: 1 }, false],
    ['first + " " + last', { first: 'Ada', last: 'Lovelace' }, 'Ada Lovelace'],
    ['first + " " + last', { first: 'Ada' }, null],
    ['first + " " + (middle ?? "") + last', { first: 'A', last: 'L' }, 'A L'],
    ['"x" + n', { n: 7 }, 'x7'],
    ['(a ?? b) == "k"', { b: 'k' }, true],
    ['"Employee"', {}, 'Employee'],
    ['42', {}, 42],
    ['-1.5', {}, -1.5],
    ['null', { null: 'no' }, null],
    ['["null"]', { null: 'yes' }, 'yes'],
    ['emails[type eq "work"].value == "a@b"', { emails: [{ type: 'work', value: 'a@b' }] }, true],
    ['status=="ACTIVE"', { status: 'ACTIVE' }, true],
    ['OU={{department}},OU=Users,DC=corp', { department: 'Sales' }, 'OU=Sales,OU=Users,DC=corp'],
    ['OU={{ department }},OU=Users', {}, null],
    ['{{name.givenName}}.{{name.familyName}}@corp', { name: { givenName: 'ada', familyName: 'l' } }, 'ada.l@corp'],
    ['"a\\"b"', {}, 'a"b'],
  ])('%s on %j → %j', (src, raw, expected) => {
    expect(rule(src, raw)).toEqual(expected);
  });

  it.each([
    ['status = "ACTIVE"', 'mapping v: unexpected "=" (operators are ==, !=, ?? and +) at position 8 in "status = \\"ACTIVE\\""'],
    ['status == "ACTIVE', 'mapping v: unterminated string (missing closing ") at position 11'],
    ['status ==', 'mapping v: expected a path, a literal or "(" after the operator at position 10'],
    ['a b', 'mapping v: unexpected "b"; expected an operator (==, !=, ??, +) or the end at position 3'],
    ['(a ?? b', 'mapping v: missing ")" at position 8'],
    ['a + + b', 'mapping v: unexpected "+"; expected a path, a literal or "(" at position 5'],
    ['x == profile..email', 'mapping v: invalid path "profile..email": expected a name at position 9 (the path starts at position 6)'],
    ['OU={{}}', 'mapping v: empty {{}} placeholder at position 4'],
    ['OU={{secret:pw}}', 'mapping v: a secret cannot be a mapped value at position 4'],
    ['OU={{dept', 'mapping v: "{{" without a closing "}}" at position 4'],
    ['', 'mapping v: expected a path or a rule, got nothing at position 1'],
  ])('refuses %j, naming the key and the position', (src, message) => {
    expect(() => compileMapping({ v: src }, {})).toThrow(message);
  });

  it('checks a value on its own for the config check', () => {
    expect(() => checkMappingValue('status == "ACTIVE"')).not.toThrow();
    expect(() => checkMappingValue('emails[type eq "work"].value')).not.toThrow();
    expect(() => checkMappingValue('a ==')).toThrow('after the operator');
  });

  it('reports which entries are plain paths and which paths each reads', () => {
    const m = compileMapping({ email: 'profile.email', active: 'status == "ACTIVE"', name: 'a ?? b.c', fixed: '"x"' }, {});
    expect(m.entries.map((e) => [e.target, e.kind, e.paths()])).toEqual([
      ['email', 'path', ['profile.email']],
      ['active', 'rule', ['status']],
      ['name', 'rule', ['a', 'b.c']],
      ['fixed', 'rule', []],
    ]);
  });

  it('stores attributes declared multi-valued as arrays', () => {
    const m = compileMapping({ roles: 'profile.roles', tags: 'profile.tags', one: 'profile.one', none: 'profile.none' }, {}, { multiValued: ['roles', 'tags', 'one', 'none'] });
    expect(m.map({ profile: { roles: ['a', 'b'], tags: '[x;;y]', one: 'solo' } })).toEqual({ roles: ['a', 'b'], tags: ['x', 'y'], one: ['solo'], none: null });
  });
});

describe('path aliases (Okta SCIM view of seed 001)', () => {
  const okta = {
    id: '00u1',
    status: 'ACTIVE',
    created: '2024-01-01T00:00:00.000Z',
    lastUpdated: '2024-02-01T00:00:00.000Z',
    profile: {
      login: 'ada@example.com', email: 'ada@work.example', firstName: 'Ada', lastName: 'Lovelace', displayName: 'Ada Lovelace',
      employeeNumber: '42', department: 'R&D', managerId: '00u9', manager: 'Babbage', city: 'London', primaryPhone: '+44',
    },
  };
  const seed004 = { username: 'userName', email: 'emails[0].value', firstName: 'name.givenName', lastName: 'name.familyName', displayName: 'displayName', active: 'active' };

  it('maps seed 004\'s SCIM paths to Okta values, which without aliases are all null', () => {
    expect(compileMapping(seed004, {}).map(okta)).toEqual({ username: null, email: null, firstName: null, lastName: null, displayName: null, active: null });
    expect(compileMapping(seed004, {}, { aliases: OKTA_USER_SCIM_ALIASES }).map(okta)).toEqual({
      username: 'ada@example.com', email: 'ada@work.example', firstName: 'Ada', lastName: 'Lovelace', displayName: 'Ada Lovelace', active: true,
    });
    expect(compileMapping({ active: 'active' }, {}, { aliases: OKTA_USER_SCIM_ALIASES }).map({ ...okta, status: 'DEPROVISIONED' })).toEqual({ active: false });
  });

  it('matches aliases ignoring case and spacing, inside rules too, and resolves the id', () => {
    const m = compileMapping(
      {
        id: 'ID',
        given: 'Name.GivenName',
        email: 'Emails.value',
        work: 'emails[type  eq "work"].value',
        emp: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
        mgr: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value',
        mgrName: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName',
        city: 'addresses[0].locality',
        modified: 'meta.lastModified',
        label: 'name.familyName + ", " + name.givenName',
        state: 'active ?? false',
      },
      {},
      { aliases: OKTA_USER_SCIM_ALIASES },
    );
    expect(m.idPath(okta)).toBe('00u1');
    expect(m.map(okta)).toEqual({
      given: 'Ada', email: 'ada@work.example', work: 'ada@work.example', emp: '42', mgr: '00u9', mgrName: 'Babbage', city: 'London',
      modified: '2024-02-01T00:00:00.000Z', label: 'Lovelace, Ada', state: true,
    });
    expect(m.entries.find((e) => e.target === 'given')?.paths()).toEqual(['profile.firstName']);
    expect(m.entries.find((e) => e.target === 'state')?.kind).toBe('rule');
  });

  it('maps groups through their own table', () => {
    const m = compileMapping({ displayName: 'displayName', description: 'Description' }, {}, { aliases: OKTA_GROUP_SCIM_ALIASES });
    expect(m.map({ id: '00g1', profile: { name: 'Eng', description: 'Engineers' } })).toEqual({ displayName: 'Eng', description: 'Engineers' });
  });

  it('compiles every alias of both tables', () => {
    for (const aliases of [OKTA_USER_SCIM_ALIASES, OKTA_GROUP_SCIM_ALIASES]) {
      const m = compileMapping(Object.fromEntries(Object.keys(aliases).map((k, i) => [`a${i}`, k])), {}, { aliases });
      expect(m.entries).toHaveLength(Object.keys(aliases).length);
    }
  });
});

describe('mapping paths that resolve nowhere', () => {
  it('names the keys whose path no object had, over all objects', () => {
    const m = compileMapping({ email: 'profile.email', title: 'profile.title', active: 'state == "ACTIVE"', nick: 'profile.nick ?? profile.email' }, {});
    const raws = [{ profile: { email: 'a@x' } }, { profile: { title: 'CEO' } }];
    expect(unresolvedPaths(m, raws)).toEqual(['active', 'nick']);
    expect(unresolvedPaths(m, [])).toEqual([]);
    const coverage = new MappingCoverage(m);
    raws.forEach((r) => coverage.observe(r));
    expect(coverageWarning('users', coverage)).toBe(
      'mapping of users: active (state); nick (profile.nick) resolved on none of 2 objects read, so they are null (or constant) on every row; check the path\'s spelling and the source\'s attribute names',
    );
    coverage.observe({ state: 'ACTIVE', profile: { nick: 'n' } });
    expect(coverageWarning('users', coverage)).toBeUndefined();
  });

  it('warns at create time for a path Okta objects cannot have, after aliases', () => {
    const map = { email: 'emails[0].value', first: 'name.givenName', active: 'active', bad: 'profile.x + type.name', ok: 'status' };
    expect(unknownMappingPaths(map, OKTA_ATTRIBUTE_PATHS.users, 'okta users').map((w) => w.key)).toEqual(['email', 'first', 'active', 'bad']);
    const withAliases = unknownMappingPaths(map, OKTA_ATTRIBUTE_PATHS.users, 'okta users', OKTA_USER_SCIM_ALIASES);
    expect(withAliases).toEqual([{ key: 'bad', path: 'type.name', message: 'source path type.name (from profile.x + type.name) does not occur on okta users, so bad would be null on every row' }]);
  });
});
