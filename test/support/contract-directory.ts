// The contract harness for the directory connectors (slapd and Samba AD). Each run works in its own
// OU (the servers are shared with other tests) that the connector's search bases and projection
// point into; the harness seeds and changes it with its own LDAP client, never through the
// connector under test, and removes the OU afterwards.
import { readFileSync } from 'node:fs';
import { Attribute, Change, Client } from 'ldapts';
import { adType, createLdapConnector, ldapType } from '../../connectors/ldap';
import type { ConnectorHarness, Seeded, WriteSample } from '../connector-contract';
import type { Directories } from './directories';

const USERS = 10;
const GROUPS = 7;
/** Small pages: 10 users, 7 groups and their members each span several. */
const PAGE = 4;

/** objectGUID bytes → the GUID string AD tools show (first three fields little-endian). */
function guidText(b: Buffer): string {
  const le = (x: Buffer) => Buffer.from(x).reverse().toString('hex');
  return `${le(b.subarray(0, 4))}-${le(b.subarray(4, 6))}-${le(b.subarray(6, 8))}-${b.subarray(8, 10).toString('hex')}-${b.subarray(10).toString('hex')}`;
}

/** `start` brings the directories up (it is called when the suite opens the connector). */
export function directoryHarness(kind: 'ldap' | 'ad', start: () => Promise<Directories>): ConnectorHarness {
  const ad = kind === 'ad';
  // Short: AD's sAMAccountName holds at most 20 characters.
  const r = `${Date.now().toString(36).slice(-5)}${process.pid.toString(36).slice(-2)}`;
  const ou = ad ? 'OU' : 'ou';
  let dirs: Directories;
  let target: Directories['ldap'];
  let root = '';
  let people = '';
  let groupsBase = '';
  const dnOf = new Map<string, string>();
  const idOfDn = new Map<string, string>();
  const members = new Map<string, string[]>();
  let client: Client | null = null;

  async function admin(): Promise<Client> {
    if (client) return client;
    client = new Client({ url: target.url, tlsOptions: ad ? { ca: [readFileSync(dirs.ad.caFile)] } : undefined });
    await client.bind(target.bindDn, target.password);
    return client;
  }
  async function idOf(dn: string): Promise<string> {
    const attr = ad ? 'objectGUID' : 'entryUUID';
    const { searchEntries } = await (await admin()).search(dn, { scope: 'base', attributes: [attr], explicitBufferAttributes: ad ? [attr] : [] });
    const v = searchEntries[0]?.[attr];
    const id = ad ? guidText(v as Buffer) : String(Array.isArray(v) ? v[0] : v);
    dnOf.set(id, dn);
    idOfDn.set(dn.toLowerCase(), id);
    return id;
  }
  const replace = (type: string, value: string) => new Change({ operation: 'replace', modification: new Attribute({ type, values: [value] }) });

  return {
    name: ad ? 'active-directory (Samba over LDAPS)' : 'ldap (slapd)',
    manifest: ad ? adType.manifest : ldapType.manifest,
    async open() {
      dirs = await start();
      target = ad ? dirs.ad : dirs.ldap;
      root = `${ou}=contract-${r},${target.baseDn}`;
      people = `${ou}=people,${root}`;
      groupsBase = `${ou}=groups,${root}`;
      return createLdapConnector({ name: `contract-${kind}`, type: ad ? 'active-directory' : 'ldap' }, {
        host: '127.0.0.1', port: Number(new URL(target.url).port), useSsl: ad, caFile: ad ? dirs.ad.caFile : undefined,
        baseDn: target.baseDn, bindDn: target.bindDn, bindPassword: target.password,
        userSearchBase: people, groupSearchBase: groupsBase, pageSize: PAGE,
        projection: { targetContainer: people, groupContainer: groupsBase, disableInsteadOfDelete: false },
      });
    },
    async seed(): Promise<Seeded> {
      const c = await admin();
      for (const dn of [root, people, groupsBase]) await c.add(dn, { objectClass: ['top', 'organizationalUnit'] });
      const users: string[] = [];
      for (let i = 0; i < USERS; i++) {
        const name = `c${r}u${i}`;
        const dn = ad ? `CN=${name},${people}` : `uid=${name},${people}`;
        await c.add(dn, ad
          ? { objectClass: 'user', sAMAccountName: name, mail: `${name}@example.org`, department: 'Seeded', userAccountControl: '514' }
          : { objectClass: 'inetOrgPerson', uid: name, cn: name, sn: `S${i}`, mail: `${name}@example.org`, departmentNumber: 'Seeded' });
        users.push(await idOf(dn));
      }
      const groups: string[] = [];
      const groupDns: string[] = [];
      for (let i = 0; i < GROUPS; i++) {
        const name = `c${r}g${i}`;
        const dn = `${ad ? 'CN' : 'cn'}=${name},${groupsBase}`;
        // Group i holds users i, i+1, i+2; group 0 also holds group 1 (a nested group).
        const memberIds = [i, i + 1, i + 2].map((k) => users[k % USERS]!);
        const memberDns = memberIds.map((id) => dnOf.get(id)!);
        await c.add(dn, ad ? { objectClass: 'group', sAMAccountName: name, member: memberDns } : { objectClass: 'groupOfNames', cn: name, member: memberDns });
        groupDns.push(dn);
        const id = await idOf(dn);
        groups.push(id);
        members.set(id, memberIds);
      }
      await c.modify(groupDns[0]!, [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [groupDns[1]!] }) })]);
      members.get(groups[0]!)!.push(groups[1]!);
      return {
        ids: { users, groups, memberships: [...members].flatMap(([g, ms]) => ms.map((m) => `${g}>${m}`)) },
        mutable: { users, groups, memberships: groups },
      };
    },
    async mutate(cls, id) {
      const c = await admin();
      if (cls === 'users') await c.modify(dnOf.get(id)!, [replace('title', `changed ${r}`)]);
      else if (cls === 'groups') await c.modify(dnOf.get(id)!, [replace('description', `changed ${r}`)]);
      else if (cls === 'memberships') {
        const outsider = [...dnOf.keys()].find((x) => !members.get(id)!.includes(x) && !members.has(x))!;
        await c.modify(dnOf.get(id)!, [new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [dnOf.get(outsider)!] }) })]);
        members.get(id)!.push(outsider);
      } else throw new Error(`contract-${kind}: cannot change ${cls} out of band`);
    },
    async remove(cls, id) {
      if (cls !== 'users' && cls !== 'groups') throw new Error(`contract-${kind}: cannot remove ${cls} out of band`);
      await (await admin()).del(dnOf.get(id)!);
      dnOf.delete(id);
    },
    writeSample(cls, variant): WriteSample {
      if (cls === 'groups') {
        return { attributes: { name: `c${r}w${variant}`, description: `before ${variant}` }, uniqueName: 'name', update: { attribute: 'description', value: `after ${variant}`, raw: 'description' } };
      }
      // Store attributes, mapped to LDAP ones by the connector's projection; each variant differs
      // in mail and employee number, which is how a directory tells a retry from a stranger.
      const name = `c${r}${variant}`;
      return {
        attributes: { username: name, displayName: `Contract ${r} ${variant}`, firstName: 'Contract', lastName: variant, email: `${name}@example.org`, employeeId: `X-${r}-${variant}`, department: `Before ${variant}` },
        uniqueName: ad ? 'displayName' : 'username',
        update: { attribute: 'department', value: `After ${variant}`, raw: ad ? 'department' : 'departmentNumber' },
      };
    },
    async linkSample() {
      // Group 0 holds users 0-2 and group 1; users 3-5 are outside it and no delta case touches them.
      const [parentId] = [...members.keys()];
      const users = [...dnOf.keys()].filter((id) => !members.has(id));
      return { parentId: parentId!, childIds: users.slice(3, 6) };
    },
    enabledOf: (_cls, raw) => raw.active === true,
    volatile: ad ? ['whenChanged', 'uSNChanged', 'dSCorePropagationData'] : ['modifyTimestamp', 'entryCSN', 'modifiersName'],
    // OpenLDAP's delta re-reads `overlapMs` (2 s) before the watermark: seeding must be older.
    settleMs: ad ? 0 : 3500,
    unsupported(kase) {
      if (kase === 'incomplete') {
        return `${ad ? 'Samba' : 'slapd'} cannot be made to refuse one class: an ACL hides entries silently (nothing to mark), and a cut connection fails the read for a retry instead of returning part of it`;
      }
      if (kase === 'delta-delete' && !ad) return 'an OpenLDAP delta (modifyTimestamp) cannot see deletions: full runs find them (sync.fullInterval)';
      return undefined;
    },
    async cleanup() {
      if (!root) return;
      const c = await admin();
      try {
        const { searchEntries } = await c.search(root, { scope: 'sub', attributes: ['1.1'] });
        // Leaves first: a directory refuses to delete an entry that still has children.
        const dns = searchEntries.map((e) => e.dn).sort((a, b) => b.split(',').length - a.split(',').length);
        for (const dn of dns) await c.del(dn);
      } finally {
        await c.unbind();
        client = null;
      }
    },
  };
}
