// Key-based adoption and group updates of the directory writer, against the real slapd and Samba
// AD: a retried create finds its own entry by the identity key it wrote (projection.keyAttribute),
// a stranger with the same name, mail and employee number is refused and left as it was, and a
// group's description and name follow updateDelta.
import { readFileSync } from 'node:fs';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLdapConnector } from '../../connectors/ldap';
import type { Connector } from '../../connectors/framework/define';
import { ensureDirectories, type Directories } from '../support/directories';

const r = `${Date.now().toString(36).slice(-5)}${process.pid.toString(36).slice(-2)}`;

for (const kind of ['ldap', 'ad'] as const) {
  const ad = kind === 'ad';
  describe(`directory adoption by identity key: ${kind}`, () => {
    let dirs: Directories;
    let target: Directories['ldap'];
    let admin: Client;
    let root = '';
    const open = (projection: Record<string, unknown> = {}): Connector => createLdapConnector({ name: `adopt-${kind}`, type: ad ? 'active-directory' : 'ldap' }, {
      host: '127.0.0.1', port: Number(new URL(target.url).port), useSsl: ad, caFile: ad ? dirs.ad.caFile : undefined,
      baseDn: target.baseDn, bindDn: target.bindDn, bindPassword: target.password, userSearchBase: root, groupSearchBase: root,
      projection: { targetContainer: `${ad ? 'OU' : 'ou'}=people,${root}`, groupContainer: `${ad ? 'OU' : 'ou'}=groups,${root}`, disableInsteadOfDelete: false, ...projection },
    });
    const entry = async (dn: string, attrs: string[]) => (await admin.search(dn, { scope: 'base', attributes: attrs })).searchEntries[0];
    const user = (v: string) => ({ username: `a${r}${v}`, displayName: `Adopt ${r} ${v}`, firstName: 'A', lastName: v, email: `a${r}@example.org`, employeeId: `X-${r}-emp`, department: 'Ops' });
    const userDn = (v: string) => (ad ? `CN=Adopt ${r} ${v},OU=people,${root}` : `uid=a${r}${v},ou=people,${root}`);
    const keyAttr = ad ? 'adminDescription' : 'businessCategory';
    let c: Connector;

    beforeAll(async () => {
      dirs = await ensureDirectories();
      target = ad ? dirs.ad : dirs.ldap;
      root = `${ad ? 'OU' : 'ou'}=adopt-${r},${target.baseDn}`;
      admin = new Client({ url: target.url, tlsOptions: ad ? { ca: [readFileSync(dirs.ad.caFile)] } : undefined });
      await admin.bind(target.bindDn, target.password);
      await admin.add(root, { objectClass: ['top', 'organizationalUnit'] });
      c = open();
    });
    afterAll(async () => {
      await c?.close();
      if (!admin) return;
      const { searchEntries } = await admin.search(root, { scope: 'sub', attributes: ['1.1'] }).catch(() => ({ searchEntries: [] as { dn: string }[] }));
      for (const dn of searchEntries.map((e) => e.dn).sort((a, b) => b.split(',').length - a.split(',').length)) await admin.del(dn).catch(() => undefined);
      await admin.unbind();
    });

    it('writes the key at create; a retry under the same key adopts the entry', async () => {
      const first = await c.create!('users', { key: `okta:${r}:1`, attributes: user('k') });
      expect(first.action).toBe('created');
      expect((await entry(userDn('k'), [keyAttr]))?.[keyAttr]).toBe(`okta:${r}:1`);
      const again = await c.create!('users', { key: `okta:${r}:1`, attributes: user('k') });
      expect(again.targetId).toBe(first.targetId);
    });

    it('refuses a stranger with the same name, mail and employee number but another key, and leaves its entry alone', async () => {
      // The mail/employeeNumber rule took this entry over; the key tells it apart.
      const attrs = ['mail', 'employeeNumber', 'sn', keyAttr];
      const before = await entry(userDn('k'), attrs);
      const stranger = { ...user('k'), lastName: 'Stranger' };
      await expect(c.create!('users', { key: `okta:${r}:2`, attributes: stranger })).rejects.toThrow(new RegExp(`its ${keyAttr} does not hold this identity's key`));
      expect(await entry(userDn('k'), attrs)).toEqual(before);
    });

    it('without a key attribute (keyAttribute: null) falls back to mail/employeeNumber, and a group is never adopted', async () => {
      const legacy = open({ keyAttribute: null, groupKeyAttribute: null });
      try {
        const first = await legacy.create!('users', { key: `okta:${r}:3`, attributes: user('l') });
        expect([(await entry(userDn('l'), [keyAttr]))?.[keyAttr] ?? []].flat()).toEqual([]);
        expect((await legacy.create!('users', { key: `okta:${r}:3`, attributes: user('l') })).targetId).toBe(first.targetId);
        await legacy.create!('groups', { key: `okta:${r}:g0`, attributes: { name: `ag${r}l` } });
        await expect(legacy.create!('groups', { key: `okta:${r}:g0`, attributes: { name: `ag${r}l` } })).rejects.toThrow(/already exists and is not this identity/);
      } finally {
        await legacy.close();
      }
    });

    it('refuses a key attribute the connector also writes, naming the field, before writing anything', async () => {
      const clash = open({ keyAttribute: 'mail' });
      try {
        await expect(clash.create!('users', { key: `okta:${r}:4`, attributes: user('x') })).rejects.toThrow(/config\.projection\.keyAttribute "mail"/);
        expect(await entry(userDn('x'), ['1.1']).catch(() => undefined)).toBeUndefined();
      } finally {
        await clash.close();
      }
    });

    it('groups: description at create, retried create adopts, updateDelta sets description and renames', async () => {
      const name = `ag${r}`;
      const g = await c.create!('groups', { key: `okta:${r}:g1`, attributes: { name, description: 'first' } });
      const dn = `${ad ? 'CN' : 'cn'}=${name},${ad ? 'OU' : 'ou'}=groups,${root}`;
      expect(await entry(dn, ['description', keyAttr])).toMatchObject({ description: 'first', [keyAttr]: `okta:${r}:g1` });
      expect((await c.create!('groups', { key: `okta:${r}:g1`, attributes: { name, description: 'first' } })).targetId).toBe(g.targetId);
      await expect(c.create!('groups', { key: `okta:${r}:g9`, attributes: { name, description: 'other' } })).rejects.toThrow(/not this identity/);
      expect(await c.updateDelta!('groups', g.targetId, { replace: { description: 'second' } })).toEqual({ targetId: g.targetId, action: 'updated' });
      expect((await c.getById!('groups', g.targetId))!.raw.description).toBe('second');
      expect(await c.updateDelta!('groups', g.targetId, { replace: { name: `${name}n` } })).toEqual({ targetId: g.targetId, action: 'updated' });
      const renamed = (await c.getById!('groups', g.targetId))!.raw;
      expect(String(renamed.dn).toLowerCase()).toBe(dn.replace(name, `${name}n`).toLowerCase());
      expect(renamed.cn).toBe(`${name}n`);
      if (ad) expect(renamed.sAMAccountName).toBe(`${name}n`);
      expect(renamed.description).toBe('second');
    });

    if (!ad) {
      it('ldap: a group another group holds as a member is not renamed (its DN would dangle)', async () => {
        const inner = await c.create!('groups', { key: `okta:${r}:g2`, attributes: { name: `ag${r}i` } });
        const outer = await c.create!('groups', { key: `okta:${r}:g3`, attributes: { name: `ag${r}o` } });
        expect(await c.link!('memberships', outer.targetId, [inner.targetId])).toEqual([{ childId: inner.targetId, ok: true }]);
        await expect(c.updateDelta!('groups', inner.targetId, { replace: { name: `ag${r}x` } })).rejects.toThrow(/cannot be renamed.*hold its DN as a member/);
        expect((await c.getById!('groups', inner.targetId))!.raw.cn).toBe(`ag${r}i`);
      });
    }
  });
}
