// Generates the seed LDIF for the test directories (Samba AD DC and OpenLDAP), deterministic so
// tests can rely on names: users spread over department OUs, every 7th disabled, an "All Staff"
// group large enough to need ranged `member` retrieval, and nested groups.
// Usage: tsx scripts/directories/make-ldif.ts ad|ldap|ad-extra <users> <out.ldif>
import { writeFileSync } from 'node:fs';

export const DEPARTMENTS = ['Engineering', 'Sales', 'Support', 'Finance', 'Marketing'] as const;
export const BIG_GROUP_MEMBERS = 3000;
/** AD only (groupOfNames needs a member): groups with no members, and groups whose member count is
 *  exactly one and two range windows (1,500 values each), the edges of ranged retrieval. */
export const EMPTY_GROUPS = ['Empty Group A', 'Empty Group B'] as const;
export const EXACT_GROUPS = { 'Exactly 1500': 1500, 'Exactly 3000': 3000 } as const;

type Flavour = 'ad' | 'ldap';

const pad = (n: number): string => String(n).padStart(5, '0');

function userDn(f: Flavour, base: string, i: number): string {
  const dept = DEPARTMENTS[i % DEPARTMENTS.length];
  return f === 'ad' ? `CN=User ${pad(i)},OU=${dept},OU=Users,${base}` : `uid=u${pad(i)},ou=${dept},ou=people,${base}`;
}

function* entries(f: Flavour, users: number): Generator<string> {
  yield* baseEntries(f, users);
  if (f === 'ad') yield* adExtras(users);
}

/** Entries added after the first seed: samba-up.sh adds them to a server seeded before them. */
function* adExtras(users: number): Generator<string> {
  const base = 'DC=corp,DC=example,DC=com';
  const group = (name: string, count: number): string =>
    `dn: CN=${name},OU=Groups,${base}\nobjectClass: group\nsAMAccountName: ${name.replace(/ /g, '-')}\n` +
    Array.from({ length: Math.min(count, users) }, (_, k) => `member: ${userDn('ad', base, k + 1)}\n`).join('');
  for (const name of EMPTY_GROUPS) yield group(name, 0);
  for (const [name, count] of Object.entries(EXACT_GROUPS)) yield group(name, count);
}

function* baseEntries(f: Flavour, users: number): Generator<string> {
  const base = f === 'ad' ? 'DC=corp,DC=example,DC=com' : 'dc=example,dc=org';
  const ou = (name: string, parent: string): string =>
    f === 'ad' ? `dn: OU=${name},${parent}\nobjectClass: organizationalUnit\nou: ${name}\n` : `dn: ou=${name},${parent}\nobjectClass: organizationalUnit\nou: ${name}\n`;
  if (f === 'ldap') yield `dn: ${base}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n`;
  const usersOu = f === 'ad' ? `OU=Users,${base}` : `ou=people,${base}`;
  const groupsOu = f === 'ad' ? `OU=Groups,${base}` : `ou=groups,${base}`;
  yield ou(f === 'ad' ? 'Users' : 'people', base);
  yield ou(f === 'ad' ? 'Groups' : 'groups', base);
  for (const d of DEPARTMENTS) yield ou(d, usersOu);

  for (let i = 1; i <= users; i++) {
    const id = pad(i);
    const dept = DEPARTMENTS[i % DEPARTMENTS.length];
    const disabled = i % 7 === 0;
    const common = `givenName: User\nsn: N${id}\ndisplayName: User ${id}\nmail: u${id}@example.com\nemployeeNumber: E${id}\n`;
    if (f === 'ad') {
      // 544 = NORMAL_ACCOUNT|PASSWD_NOTREQD: seeded accounts carry no password; 514 = disabled.
      yield `dn: ${userDn(f, base, i)}\nobjectClass: user\nsAMAccountName: u${id}\nuserPrincipalName: u${id}@corp.example.com\n${common}department: ${dept}\nuserAccountControl: ${disabled ? 514 : 544}\n`;
    } else {
      yield `dn: ${userDn(f, base, i)}\nobjectClass: inetOrgPerson\nuid: u${id}\ncn: User ${id}\n${common}departmentNumber: ${dept}\n`;
    }
  }

  const group = (name: string, members: string[], unique = false): string => {
    const attr = unique ? 'uniqueMember' : 'member';
    const head =
      f === 'ad'
        ? `dn: CN=${name},${groupsOu}\nobjectClass: group\nsAMAccountName: ${name.replace(/ /g, '-')}\n`
        : `dn: cn=${name},${groupsOu}\nobjectClass: ${unique ? 'groupOfUniqueNames' : 'groupOfNames'}\ncn: ${name}\n`;
    return head + members.map((m) => `${attr}: ${m}\n`).join('');
  };
  const groupDn = (name: string): string => (f === 'ad' ? `CN=${name},${groupsOu}` : `cn=${name},${groupsOu}`);
  const range = (from: number, to: number, step = 1): number[] => {
    const out: number[] = [];
    for (let i = from; i <= Math.min(to, users); i += step) out.push(i);
    return out;
  };

  yield group('All Staff', range(1, BIG_GROUP_MEMBERS).map((i) => userDn(f, base, i)));
  yield group('Platform', range(5, 50, 5).map((i) => userDn(f, base, i)));
  for (const [k, d] of DEPARTMENTS.entries()) {
    const members = range(1, users).filter((i) => i % DEPARTMENTS.length === k).map((i) => userDn(f, base, i));
    // Platform sits inside Engineering: a nested group (group → group link).
    yield group(d, d === 'Engineering' ? [...members, groupDn('Platform')] : members);
  }
  yield group('Everyone', DEPARTMENTS.map((d) => groupDn(d)));
  if (f === 'ldap') yield group('Auditors', range(1, 20).map((i) => userDn(f, base, i)), true);
}

if (require.main === module) {
  const flavour = process.argv[2];
  const users = Number(process.argv[3] ?? '3500');
  const out = process.argv[4];
  if ((flavour !== 'ad' && flavour !== 'ldap' && flavour !== 'ad-extra') || !Number.isInteger(users) || users < 1 || !out) {
    process.stderr.write('usage: make-ldif.ts ad|ldap|ad-extra <users> <out.ldif>\n');
    process.exit(2);
  }
  writeFileSync(out, [...(flavour === 'ad-extra' ? adExtras(users) : entries(flavour, users))].join('\n'));
}
