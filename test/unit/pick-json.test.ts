import { describe, expect, it } from 'vitest';
import { pickFromArray } from '../../connectors/http/pick-json';

const bytes = (s: string) => new TextEncoder().encode(s);

/** What JSON.parse would give for the same picks. */
function expected(json: string, names: string[]) {
  return (JSON.parse(json) as Record<string, unknown>[]).map((o) => Object.fromEntries(names.filter((n) => n in o).map((n) => [n, o[n]])));
}

describe('pickFromArray', () => {
  it('reads only the top-level members named, as JSON.parse would give them', () => {
    const bodies = [
      // An Okta group member: the user type's id is nested and must not be taken for the user's.
      '[{"id":"00u1","type":{"id":"oty1"},"profile":{"id":"not-it","login":"a@example.com"},"_links":{"self":{"href":"https://x/api/v1/users/00u1"}}}]',
      // Key order, whitespace between every token, id after nested arrays of objects.
      ' [ {\n "profile" : { "emails" : [ { "id" : "e1" } , "x" ] } ,\t"id" : "00u2" } , { "id":"00u3" } ] \n',
      // Escapes: in keys ("\\u0069d" is "id"), in values, quotes and backslashes inside strings.
      '[{"\\u0069d":"00u4"},{"name":"say \\"id\\":\\"fake\\"","id":"00u\\u00355"},{"x":"a\\\\","id":"00u6"}]',
      // Unicode, non-string ids, a missing id, a repeated key (the last wins).
      // A value that begins with U+FEFF keeps it, as in JSON.parse.
      '[{"id":"\uFEFFbom-first"},{"id":"ü-Ωmega-名前"},{"id":42},{"id":null},{"id":{"a":[1,2]}},{"other":true},{"id":"first","id":"last"}]',
      '[]',
      '[{}]',
    ];
    for (const body of bodies) expect(pickFromArray(bytes(body), ['id']), body).toEqual(expected(body, ['id']));
  });

  it('picks several members and ignores keys that only end like one', () => {
    const body = '[{"xid":"no","id":"00u7","status":"ACTIVE","statusChanged":"2024","scope":"USER"}]';
    expect(pickFromArray(bytes(body), ['id', 'status'])).toEqual([{ id: '00u7', status: 'ACTIVE' }]);
  });

  it('declines anything that is not a closed array of objects, so JSON.parse decides', () => {
    const declined = [
      '',
      '{"id":"00u1"}',
      '[{"id":"00u1"}', // truncated
      '[{"id":"00u1"},{"id":"00u', // truncated inside a string
      '[{"id":"00u1"}]]',
      '[{"id":"00u1"}] x',
      '[{"id":"00u1"]}', // brackets that do not match
      '["00u1"]',
      '[1,2]',
      '[[{"id":"00u1"}]]',
      '[{"id":}]',
      '[{"id":"bad \\x escape"}]',
      '\ufeff[{"id":"00u1"}]', // a byte-order mark: left to the decoder and JSON.parse
    ];
    for (const body of declined) expect(pickFromArray(bytes(body), ['id']), body).toBeUndefined();
  });

  it('reads every element of a long page', () => {
    const users = Array.from({ length: 1000 }, (_, i) => ({ id: `00u${i}`, profile: { login: `u${i}@example.com`, tags: ['a', { id: 'no' }] } }));
    const body = JSON.stringify(users);
    expect(pickFromArray(bytes(body), ['id'])).toEqual(users.map((u) => ({ id: u.id })));
  });
});
