// What an active-directory connector must read (and the store must hold) for a search base, computed
// from an independent `ldapsearch` listing of the Samba AD DC, never from the connector's code.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Directories } from './directories';

const exec = promisify(execFile);

/** The active-directory type's default filters. */
export const AD_USER_FILTER = '(&(objectClass=user)(objectCategory=person))';
export const AD_GROUP_FILTER = '(objectClass=group)';

export interface AdEntry {
  dn: string;
  /** objectGUID rendered like the connector renders ids. */
  id: string;
  memberOf: string[];
}

/** lower-cased dn → entry, from ldapsearch (paged, so no size limit applies). */
export async function adListing(ad: Directories['ad'], base: string, filter: string): Promise<Map<string, AdEntry>> {
  const { stdout } = await exec('ldapsearch', ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', ad.url, '-D', ad.bindDn, '-w', ad.password, '-b', base, '-E', 'pr=500/noprompt', filter, 'objectGUID', 'memberOf'], {
    env: { ...process.env, LDAPTLS_CACERT: ad.caFile },
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = new Map<string, AdEntry>();
  for (const block of stdout.split(/\n\n+/)) {
    let dn = '';
    let id = '';
    const memberOf: string[] = [];
    for (const line of block.split('\n')) {
      const m = /^([^:#][^:]*)(::?) ?(.*)$/.exec(line);
      if (!m) continue;
      const a = m[1].toLowerCase();
      const v = m[2] === '::' ? Buffer.from(m[3], 'base64') : Buffer.from(m[3], 'utf8');
      if (a === 'dn') dn = v.toString('utf8');
      else if (a === 'objectguid') id = guidOf(v);
      else if (a === 'memberof') memberOf.push(v.toString('utf8'));
    }
    if (dn) out.set(dn.toLowerCase(), { dn, id, memberOf });
  }
  return out;
}

/** objectGUID bytes → the registry-style string (first three fields little-endian). */
export function guidOf(b: Buffer): string {
  const le = (x: Buffer) => Buffer.from(x).reverse().toString('hex');
  return `${le(b.subarray(0, 4))}-${le(b.subarray(4, 6))}-${le(b.subarray(6, 8))}-${b.subarray(8, 10).toString('hex')}-${b.subarray(10).toString('hex')}`;
}

export interface AdExpected {
  users: Map<string, AdEntry>;
  groups: Map<string, AdEntry>;
  /** `${parentId}>${childId}:${user|group}`, from each member's memberOf (the DC's own back-links). */
  links: Set<string>;
}

/** Users, groups and memberships of a connector whose user and group search bases are given. */
export async function adExpected(ad: Directories['ad'], o: { userBase: string; groupBase: string; userFilter?: string; groupFilter?: string }): Promise<AdExpected> {
  const users = await adListing(ad, o.userBase, o.userFilter ?? AD_USER_FILTER);
  const groups = await adListing(ad, o.groupBase, o.groupFilter ?? AD_GROUP_FILTER);
  const links = new Set<string>();
  for (const [kind, list] of [['user', users], ['group', groups]] as const) {
    for (const e of list.values()) {
      for (const parent of e.memberOf) {
        const p = groups.get(parent.toLowerCase());
        if (p) links.add(linkKey(p.id, e.id, kind));
      }
    }
  }
  return { users, groups, links };
}

export const linkKey = (parentId: string, childId: string, kind: string): string => `${parentId}>${childId}:${kind}`;
