import { describe, expect, it } from 'vitest';
import { assignPath, compilePath, compileSetter, parsePath } from '../../config/paths';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const user = {
  userName: 'ada@example.com',
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [
    { value: 'ada@home.example', type: 'home' },
    { value: 'ada@work.example', type: 'work', primary: true },
    { value: 'ada@other.example', type: 'work' },
  ],
  [ENTERPRISE]: { employeeNumber: '701984', manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' } },
};

describe('SCIM paths (RFC 7644 §3.10)', () => {
  it.each([
    ['name.givenName', 'Ada'],
    ['emails[0].value', 'ada@home.example'],
    ['emails[type eq "work"].value', 'ada@work.example'],
    ['emails[type eq "work" and primary eq true].value', 'ada@work.example'],
    ['emails[type eq "work" and not (primary pr)].value', 'ada@other.example'],
    ['emails[primary pr].value', 'ada@work.example'],
    ['emails[type eq "WORK"].value', 'ada@work.example'],
    ['emails[value co "]"].value', undefined],
    [`${ENTERPRISE}:employeeNumber`, '701984'],
    [`${ENTERPRISE}:manager.value`, '26118915-6090-4610-87e4-49d8ca9f808d'],
    [`${ENTERPRISE}:manager.displayName`, 'John Smith'],
    // Attribute names are case-insensitive (RFC 7643 §2.1).
    ['Name.GivenName', 'Ada'],
    ['USERNAME', 'ada@example.com'],
    ['Emails[Type eq "work"].Value', 'ada@work.example'],
    [`${ENTERPRISE.toLowerCase()}:EmployeeNumber`, '701984'],
  ])('%s', (path, expected) => {
    expect(compilePath(path)(user)).toEqual(expected);
  });

  it('yields undefined when no element matches or the attribute is not a list', () => {
    expect(compilePath('emails[type eq "fax"].value')(user)).toBeUndefined();
    expect(compilePath('name[type eq "x"].givenName')(user)).toBeUndefined();
    expect(compilePath('emails[type eq "work"].value')({ emails: null })).toBeUndefined();
  });

  it('splits a URN path at its last ":" into the extension key and the attribute path', () => {
    expect(parsePath(`${ENTERPRISE}:manager.value`)).toEqual([ENTERPRISE, 'manager', 'value']);
  });

  it('prefers the exact spelling over another case', () => {
    expect(compilePath('title')({ Title: 'wrong', title: 'right' })).toBe('right');
    expect(compilePath('title')({ TITLE: 'only' })).toBe('only');
  });

  it('does not fall back to prototype members in any case', () => {
    expect(compilePath('Constructor')({})).toBeUndefined();
    expect(compilePath('a.ToString')({ a: {} })).toBeUndefined();
  });

  it.each([
    ['emails[type eq].value', /invalid path .*expected an index like \[0\].*value filter like \[type eq "work"\] at position 7/],
    ['emails[type eq "work".value', /closed by "\]"/],
    [`${ENTERPRISE}:`, /expected an attribute name after the schema URN/],
  ])('rejects %j', (path, message) => {
    expect(() => compilePath(path)).toThrow(message);
  });
});

describe('assignPath', () => {
  it('builds nested objects and lists', () => {
    const out: Record<string, unknown> = {};
    assignPath(out, 'name.givenName', 'Ada');
    assignPath(out, 'emails[0].value', 'ada@home.example');
    assignPath(out, `${ENTERPRISE}:manager.value`, 'm-1');
    expect(out).toEqual({ name: { givenName: 'Ada' }, emails: [{ value: 'ada@home.example' }], [ENTERPRISE]: { manager: { value: 'm-1' } } });
  });

  it('creates the element a value filter names, then updates that same element', () => {
    const out: Record<string, unknown> = { emails: [{ value: 'ada@home.example', type: 'home' }] };
    const set = compileSetter('emails[type eq "work" and primary eq true].value');
    set(out, 'ada@work.example');
    expect(out.emails).toEqual([
      { value: 'ada@home.example', type: 'home' },
      { type: 'work', primary: true, value: 'ada@work.example' },
    ]);
    set(out, 'ada@new.example');
    expect(out.emails).toEqual([
      { value: 'ada@home.example', type: 'home' },
      { type: 'work', primary: true, value: 'ada@new.example' },
    ]);
  });

  it('reuses a key spelled in another case', () => {
    const out: Record<string, unknown> = { Name: { GivenName: 'x' } };
    assignPath(out, 'name.givenName', 'Ada');
    expect(out).toEqual({ Name: { GivenName: 'Ada' } });
  });

  it('refuses what it cannot build, naming the path', () => {
    expect(() => compileSetter('emails[value pr].value')).toThrow(/emails\[value pr\]\.value.*cannot create an element/);
    expect(() => compileSetter('emails[type eq "work"]')).toThrow(/must end in an attribute/);
    expect(() => compileSetter('a.constructor')).toThrow(/cannot write "constructor"/);
    expect(() => assignPath({ name: 'Ada' }, 'name.givenName', 'x')).toThrow('cannot write name.givenName: name holds a string, not an object');
    expect(() => assignPath({ emails: {} }, 'emails[type eq "work"].value', 'x')).toThrow(/needs a list of objects/);
  });

  it('round-trips with compilePath', () => {
    for (const path of ['userName', 'name.familyName', 'emails[type eq "work"].value', `${ENTERPRISE}:employeeNumber`, 'phoneNumbers[1].value']) {
      const out: Record<string, unknown> = {};
      assignPath(out, path, 'v');
      expect(compilePath(path)(out)).toBe('v');
    }
  });
});
