import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../config/duration';
import { compilePath, parsePath } from '../../config/paths';

const user = {
  id: '00u1',
  profile: { email: 'ada@example.com', firstName: 'Ada' },
  emails: [{ value: 'ada@work.example', type: 'work' }, { value: 'ada@home.example' }],
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  _embedded: { users: [{ id: 'u1' }, { id: 'u2' }] },
  a: { b: [10, 20, 30] },
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D' },
  nothing: null,
};

describe('compilePath', () => {
  it.each([
    ['id', '00u1'],
    ['profile.email', 'ada@example.com'],
    ['emails[0].value', 'ada@work.example'],
    ['emails[1].value', 'ada@home.example'],
    ['name.givenName', 'Ada'],
    ['_embedded.users', [{ id: 'u1' }, { id: 'u2' }]],
    ['a.b[2]', 30],
    ['["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].department', 'R&D'],
  ])('%s', (path, expected) => {
    expect(compilePath(path)(user)).toEqual(expected);
  });

  it.each([['profile.missing'], ['emails[5].value'], ['nothing.deeper'], ['id.length.x'], ['a.b[0].c'], ['constructor'], ['profile.toString']])(
    'missing %s is undefined',
    (path) => {
      expect(compilePath(path)(user)).toBeUndefined();
    },
  );

  it('tolerates non-object input', () => {
    expect(compilePath('a.b')(null)).toBeUndefined();
    expect(compilePath('a')(42)).toBeUndefined();
  });

  it.each([
    ['', /empty path/],
    ['a..b', /invalid path "a..b": expected a name at position 3/],
    ['a.', /expected a name after "."/],
    ['.a', /expected a name at position 1/],
    ['a[x]', /expected an index like \[0\] or a quoted key/],
    ['a[0]b', /expected "." or "\[" at position 5/],
    ['a b', /expected "." or "\["/],
  ])('rejects %j', (path, message) => {
    expect(() => compilePath(path)).toThrow(message);
  });

  it('compiles to steps', () => {
    expect(parsePath('emails[0].value')).toEqual(['emails', 0, 'value']);
  });
});

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
    ['1d2h3m4s', 93_784_000],
  ])('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['5 minutes', '', 'm', '30m1h', '1.5h', '5ms', '-5m'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(`expected a duration like 5m or 1h, got ${JSON.stringify(text)}`);
  });
});
