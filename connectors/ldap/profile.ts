// What differs between Active Directory and a generic LDAP server: id attribute, default filters,
// how "disabled" is stored, which attributes hold members.
import { AndFilter, EqualityFilter, FilterParser, type Entry, type Filter } from 'ldapts';
import { guidToBytes, guidToString } from './guid';
import { asStrings } from './session';

export interface DirectoryProfile {
  ad: boolean;
  idAttribute: string;
  userFilter: string;
  groupFilter: string;
  memberAttributes: string[];
  /** Attributes to request for objects (operational ones are not in `*` on OpenLDAP). */
  objectAttributes: string[];
  binaryAttributes: string[];
  idOf(entry: Entry): string | null;
  /** A Filter object, not a string: ldapts re-encodes `\\XX` escapes above 0x7F as UTF-8, which
   *  would corrupt binary GUID bytes. */
  idFilter(id: string): Filter;
  isActive(entry: Entry): boolean;
  updatedAt(entry: Entry): string | null;
}

export const adProfile: DirectoryProfile = {
  ad: true,
  idAttribute: 'objectGUID',
  userFilter: '(&(objectClass=user)(objectCategory=person))',
  groupFilter: '(objectClass=group)',
  memberAttributes: ['member'],
  objectAttributes: ['*'],
  binaryAttributes: ['objectGUID', 'objectSid'],
  idOf: (e) => (Buffer.isBuffer(e.objectGUID) ? guidToString(e.objectGUID) : null),
  idFilter: (id) => new EqualityFilter({ attribute: 'objectGUID', value: guidToBytes(id) }),
  isActive: (e) => (Number(asStrings(e.userAccountControl)[0] ?? 0) & 0x2) === 0,
  updatedAt: (e) => generalizedToIso(asStrings(e.whenChanged)[0]),
};

export const ldapProfile: DirectoryProfile = {
  ad: false,
  idAttribute: 'entryUUID',
  userFilter: '(|(objectClass=inetOrgPerson)(objectClass=posixAccount))',
  groupFilter: '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))',
  memberAttributes: ['member', 'uniqueMember'],
  objectAttributes: ['*', 'entryUUID', 'modifyTimestamp', 'createTimestamp', 'pwdAccountLockedTime'],
  binaryAttributes: [],
  idOf: (e) => asStrings(e.entryUUID)[0] ?? null,
  idFilter: (id) => new EqualityFilter({ attribute: 'entryUUID', value: id }),
  isActive: (e) => asStrings(e.pwdAccountLockedTime).length === 0,
  updatedAt: (e) => generalizedToIso(asStrings(e.modifyTimestamp)[0]),
};

/** `20261125181227.0Z` / `20261125181227Z` → ISO-8601 (UTC only, as AD and OpenLDAP send it). */
export function generalizedToIso(v: string | undefined): string | null {
  const m = v && /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?Z$/.exec(v);
  if (!m) return null;
  const ms = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms)).toISOString();
}

export function isoToGeneralized(iso: string): string {
  return iso.replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z').replace(/Z$/, 'Z');
}

export function sidToString(b: Buffer): string {
  if (b.length < 8) return b.toString('hex');
  const auth = b.readUIntBE(2, 6);
  const subs: number[] = [];
  for (let i = 0; i < b[1] && 8 + i * 4 + 4 <= b.length; i++) subs.push(b.readUInt32LE(8 + i * 4));
  return `S-${b[0]}-${auth}${subs.map((s) => `-${s}`).join('')}`;
}

/** `(&<scope filter><id filter>)` with the id kept as an exact value. */
export const andFilter = (scopeFilter: string, idFilter: Filter): Filter => new AndFilter({ filters: [FilterParser.parseString(scopeFilter), idFilter] });
