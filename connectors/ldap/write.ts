// Projection: store identities written into the directory under templated containers.
import { randomBytes } from 'node:crypto';
import { Attribute, Change, EqualityFilter, OrFilter } from 'ldapts';
import { ConnectorError } from '../errors';
import { escapeDnValue, normalizeDn, parentDn, renderContainer, splitDn } from './escape';
import type { DirectoryProfile } from './profile';
import type { DirectoryReader } from './read';
import { KEY_ATTRIBUTE_DEFAULTS, type LdapConfig, type ProjectionConfig } from './schema';
import { asStrings, type LdapSession } from './session';
import type { ObjectResource } from './classes';

/** An identity as the directory writer takes it: store attributes, mapped to LDAP attributes by
 *  `config.projection.attributes` (the directory's own rules: containers, naming, disable). */
export interface WriteObject {
  /** At create: the identity key (`<source>:<id>`); at update: the target id. */
  id: string;
  attributes: Record<string, unknown>;
}
export interface WriteResult { targetId: string; action: 'created' | 'updated' | 'moved' | 'unchanged' | 'activated' | 'deactivated' | 'deleted' }

const AD_USER_ATTRS: Record<string, string> = { sAMAccountName: 'username', givenName: 'firstName', sn: 'lastName', displayName: 'displayName', mail: 'email', employeeNumber: 'employeeId', department: 'department' };
const LDAP_USER_ATTRS: Record<string, string> = { uid: 'username', givenName: 'firstName', sn: 'lastName', displayName: 'displayName', mail: 'email', employeeNumber: 'employeeId', departmentNumber: 'department' };
/** Attributes the writer sets itself, besides the mapped ones: never a key attribute. */
const OWN_ATTRS: Record<ObjectResource, string[]> = {
  users: ['objectClass', 'cn', 'sn', 'uid', 'sAMAccountName', 'userAccountControl', 'unicodePwd'],
  groups: ['objectClass', 'cn', 'sAMAccountName', 'description', 'member', 'uniqueMember'],
};
const replace = (type: string, values: string[]) => new Change({ operation: 'replace', modification: new Attribute({ type, values }) });

export class DirectoryWriter {
  constructor(
    private readonly s: LdapSession,
    private readonly p: DirectoryProfile,
    private readonly cfg: LdapConfig,
    private readonly reader: DirectoryReader,
  ) {}

  private get projection(): ProjectionConfig {
    if (!this.cfg.projection) throw new ConnectorError('config', `${this.s.connector}: config.projection is required to write to this directory`, { connector: this.s.connector });
    return this.cfg.projection;
  }

  private get userMap(): Record<string, string> {
    return this.projection.attributes ?? (this.p.ad ? AD_USER_ATTRS : LDAP_USER_ATTRS);
  }

  /** The attribute that holds the identity key on entries of `resource`, or null when none is
   *  configured (then adoption falls back to mail/employeeNumber; see adopt()). */
  private keyAttribute(resource: ObjectResource): string | null {
    const field = resource === 'groups' ? 'groupKeyAttribute' : 'keyAttribute';
    const configured = this.projection[field];
    const attr = configured === undefined ? KEY_ATTRIBUTE_DEFAULTS[this.p.ad ? 'ad' : 'ldap'] : configured;
    if (!attr) return null;
    const taken = [...OWN_ATTRS[resource], ...(resource === 'users' ? [...Object.keys(this.userMap), this.projection.disableAttribute] : [])];
    if (taken.some((a) => a.toLowerCase() === attr.toLowerCase())) {
      throw new ConnectorError('config', `${this.s.connector}: config.projection.${field} "${attr}" is also written from the identity's attributes or by the connector itself: choose an attribute of its own (default ${KEY_ATTRIBUTE_DEFAULTS[this.p.ad ? 'ad' : 'ldap']})`, { connector: this.s.connector, resource });
    }
    return attr;
  }

  private values(obj: WriteObject): Record<string, string> {
    const map = this.userMap;
    const out: Record<string, string> = {};
    for (const [ldapAttr, storeAttr] of Object.entries(map)) {
      const v = obj.attributes[storeAttr];
      if (v !== undefined && v !== null && v !== '') out[ldapAttr] = String(v);
    }
    return out;
  }

  private container(resource: ObjectResource, obj: WriteObject): string {
    const template = resource === 'groups' ? (this.projection.groupContainer ?? this.projection.targetContainer) : this.projection.targetContainer;
    const { dn, unresolved } = renderContainer(template, obj.attributes);
    if (unresolved.length) {
      throw new ConnectorError('bad-request', `${this.s.connector}: ${resource} ${obj.id}: target container "${dn}" has unresolved ${unresolved.map((t) => `{{${t}}}`).join(', ')}: the identity has no such attribute`, { connector: this.s.connector, resource });
    }
    return dn;
  }

  private namesContainer(resource: ObjectResource, obj: WriteObject): boolean {
    const template = resource === 'groups' ? (this.projection.groupContainer ?? this.projection.targetContainer) : this.projection.targetContainer;
    return [...template.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)].some((m) => m[1].split('.')[0] in obj.attributes);
  }

  private rdn(resource: ObjectResource, obj: WriteObject): string {
    const a = obj.attributes;
    const name = resource === 'groups' ? (a.name ?? a.displayName) : (a.displayName ?? a.username ?? a.email);
    if (name === undefined || name === null || name === '') throw new ConnectorError('bad-request', `${this.s.connector}: ${resource} ${obj.id} has no displayName/username to name its entry`, { connector: this.s.connector, resource });
    return `${this.p.ad || resource === 'groups' ? 'CN' : 'uid'}=${escapeDnValue(String(!this.p.ad && resource === 'users' ? (a.username ?? name) : name))}`;
  }

  /** Creates missing OU=… containers below baseDn, top-down. */
  private async ensureContainer(dn: string): Promise<void> {
    const base = normalizeDn(this.cfg.baseDn);
    const rdns = splitDn(dn);
    for (let i = rdns.length - 1; i >= 0; i--) {
      const cur = rdns.slice(i).join(',');
      if (normalizeDn(cur).length <= base.length) continue;
      const [e] = await this.s.search(cur, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] }).catch((err: ConnectorError) => {
        if (err.kind === 'config' || err.kind === 'not-found') return [];
        throw err;
      });
      if (e) continue;
      const m = /^ou=(.*)$/i.exec(rdns[i]);
      if (!m) throw new ConnectorError('bad-request', `${this.s.connector}: container ${cur} does not exist and is not an OU to create`, { connector: this.s.connector });
      // Another create in the same new container may have added it meanwhile (entryAlreadyExists).
      await this.s.write((c) => c.add(cur, { objectClass: ['top', 'organizationalUnit'], ou: m[1].replace(/\\(.)/g, '$1') })).catch((err: unknown) => {
        if (!(err instanceof ConnectorError && err.details.status === 68)) throw err;
      });
    }
  }

  async create(resource: ObjectResource, obj: WriteObject): Promise<WriteResult> {
    const keyAttr = this.keyAttribute(resource);
    const container = this.container(resource, obj);
    const dn = `${this.rdn(resource, obj)},${container}`;
    await this.ensureContainer(container);
    const attrs: Record<string, string | string[]> = {};
    if (resource === 'groups') {
      const name = String(obj.attributes.name ?? obj.attributes.displayName);
      Object.assign(attrs, this.p.ad ? { objectClass: 'group', sAMAccountName: this.groupAccountName(name) } : { objectClass: 'groupOfNames', cn: name, member: this.cfg.bindDn });
    } else if (this.p.ad) {
      Object.assign(attrs, { objectClass: 'user', ...this.values(obj) });
      const active = obj.attributes.active !== false;
      // AD refuses an enabled account without a password; projected users get a random one
      // (LDAPS only) and sign in through the source's own flows.
      if (active && this.cfg.useSsl) {
        attrs.unicodePwd = []; // a marker: the random password is added as a Buffer below
        attrs.userAccountControl = '512';
      } else attrs.userAccountControl = '514';
    } else {
      const v = this.values(obj);
      Object.assign(attrs, { objectClass: 'inetOrgPerson', cn: String(obj.attributes.displayName ?? v.uid), sn: v.sn ?? String(obj.attributes.displayName ?? v.uid), ...v });
    }
    if (resource === 'groups') {
      const description = obj.attributes.description;
      if (description !== undefined && description !== null && description !== '') attrs.description = String(description);
    }
    if (keyAttr) attrs[keyAttr] = obj.id;
    try {
      await this.s.write(async (c) => {
        const list = Object.entries(attrs).filter(([k]) => k !== 'unicodePwd').map(([type, values]) => new Attribute({ type, values: Array.isArray(values) ? values : [values] }));
        if ('unicodePwd' in attrs) list.push(new Attribute({ type: 'unicodePwd', values: [Buffer.from(`"${randomBytes(18).toString('base64')}Aa1!"`, 'utf16le')] }));
        await c.add(dn, list);
      }, resource);
    } catch (err) {
      // entryAlreadyExists: a retry of a create whose answer was lost (the worker died after the
      // add) finds its own entry — adopt it. Someone else's account at that DN is never taken over.
      if (!(err instanceof ConnectorError && err.details.status === 68)) throw err;
      return this.adopt(resource, dn, obj, attrs, keyAttr);
    }
    const [e] = await this.s.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [this.p.idAttribute], explicitBufferAttributes: this.p.binaryAttributes });
    const id = e && this.p.idOf(e);
    if (!id) throw new ConnectorError('transient', `${this.s.connector}: created ${dn} but could not read its ${this.p.idAttribute}`, { connector: this.s.connector, resource });
    return { targetId: id, action: 'created' };
  }

  /** The entry at `dn` is ours when it carries this identity's key in the key attribute. Only
   *  without a key attribute (projection.keyAttribute: null) does the older rule apply: every one
   *  of employeeNumber/mail we send must be equal on it, which a stranger with the same mail also
   *  passes, and which a group (it has neither) never passes. */
  private async adopt(resource: ObjectResource, dn: string, obj: WriteObject, wanted: Record<string, string | string[]>, keyAttr: string | null): Promise<WriteResult> {
    const keys = keyAttr ? [keyAttr] : ['employeeNumber', 'mail'].filter((k) => typeof wanted[k] === 'string');
    const [e] = await this.s.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [this.p.idAttribute, ...keys], explicitBufferAttributes: this.p.binaryAttributes });
    const id = e && this.p.idOf(e);
    const valueOf = (k: string) => asStrings(e?.[Object.keys(e).find((a) => a.toLowerCase() === k.toLowerCase()) ?? k] as string | string[] | undefined);
    const same = e && keys.length > 0 && keys.every((k) => valueOf(k).length === 1 && valueOf(k)[0] === wanted[k]);
    if (!id || !same) {
      const what = keyAttr ? `its ${keyAttr} does not hold this identity's key` : `its ${keys.join('/') || 'identifying attributes'} differ`;
      throw new ConnectorError('bad-request', `${this.s.connector}: ${resource} ${obj.id}: ${dn} already exists and is not this identity (${what}): rename or remove it`, { connector: this.s.connector, resource });
    }
    const updated = await this.update(resource, id, obj);
    return { targetId: id, action: updated.action === 'unchanged' ? 'created' : updated.action };
  }

  private async entryOf(resource: ObjectResource, targetId: string): Promise<{ dn: string; raw: Record<string, unknown> }> {
    const o = await this.reader.getById(resource, targetId);
    if (!o) throw new ConnectorError('not-found', `${this.s.connector}: ${resource} ${targetId} is not in the directory`, { connector: this.s.connector, resource });
    return { dn: String(o.raw.dn), raw: o.raw };
  }

  /** `partial`: `obj` carries only the attributes to change; the entry moves only when the
   *  attributes its container template names are among them. */
  async update(resource: ObjectResource, targetId: string, obj: WriteObject, partial = false): Promise<WriteResult> {
    const { dn, raw } = await this.entryOf(resource, targetId);
    const container = partial && !this.namesContainer(resource, obj) ? parentDn(dn) : this.container(resource, obj);
    const changes: Change[] = [];
    let rdn = splitDn(dn)[0];
    if (resource === 'users') {
      for (const [attr, value] of Object.entries(this.values(obj))) {
        if (attr === 'sAMAccountName' || attr === 'uid') continue; // naming attributes are not re-keyed on update
        const current = asStrings(raw[attr] as string | string[] | undefined);
        if (current.length !== 1 || current[0] !== value) changes.push(replace(attr, [value]));
      }
    } else {
      rdn = await this.groupChanges(dn, raw, obj, changes);
    }
    if (changes.length) await this.s.modify(dn, changes);
    const renamed = normalizeDn(rdn) !== normalizeDn(splitDn(dn)[0]);
    const moved = normalizeDn(parentDn(dn)) !== normalizeDn(container);
    if (renamed || moved) {
      await this.ensureContainer(container);
      await this.s.write((c) => c.modifyDN(dn, `${rdn},${container}`), resource);
    }
    return { targetId, action: moved ? 'moved' : renamed || changes.length ? 'updated' : 'unchanged' };
  }

  /** A group's description, and its name when it is given and differs: returns the RDN the entry
   *  should have. AD keeps member links by GUID, so a renamed group stays every group's member;
   *  a generic LDAP server stores member DNs, so a group another entry points at is not renamed
   *  (that would break those references unless the server runs refint): the update fails, naming
   *  the referencing entries. */
  private async groupChanges(dn: string, raw: Record<string, unknown>, obj: WriteObject, changes: Change[]): Promise<string> {
    const a = obj.attributes;
    if ('description' in a) {
      const want = a.description === undefined || a.description === null || a.description === '' ? [] : [String(a.description)];
      const current = asStrings(raw.description as string | string[] | undefined);
      if (want.length && (current.length !== 1 || current[0] !== want[0])) changes.push(replace('description', want));
      else if (!want.length && current.length) changes.push(new Change({ operation: 'delete', modification: new Attribute({ type: 'description' }) }));
    }
    const rdn = splitDn(dn)[0];
    const name = a.name ?? a.displayName;
    if (name === undefined || name === null || name === '') return rdn;
    const wanted = this.rdn('groups', obj);
    if (normalizeDn(wanted) === normalizeDn(rdn)) return rdn;
    if (this.p.ad) {
      changes.push(replace('sAMAccountName', [this.groupAccountName(String(name))]));
      return wanted;
    }
    const refs = await this.s.search(this.cfg.baseDn, {
      scope: 'sub',
      filter: new OrFilter({ filters: this.p.memberAttributes.map((attribute) => new EqualityFilter({ attribute, value: dn })) }),
      attributes: ['1.1'],
    }, undefined, 'groups');
    if (refs.length) {
      throw new ConnectorError('bad-request', `${this.s.connector}: group ${dn} cannot be renamed to "${String(name)}": ${refs.map((r) => r.dn).slice(0, 3).join('; ')}${refs.length > 3 ? ` and ${refs.length - 3} more` : ''} hold its DN as a member; rename it by hand or remove those memberships first`, { connector: this.s.connector, resource: 'groups' });
    }
    return wanted;
  }

  /** Groups are not held to the 20-character logon-name limit of users; 64 keeps "Sales Team 1"
   *  and "Sales Team 10" apart. */
  private groupAccountName(name: string): string {
    return name.replace(/[^\w.-]/g, '-').slice(0, 64);
  }

  async deactivate(resource: ObjectResource, targetId: string): Promise<WriteResult> {
    const { dn, raw } = await this.entryOf(resource, targetId);
    if (raw.active === false) return { targetId, action: 'unchanged' };
    if (this.p.ad) {
      const uac = Number(asStrings(raw.userAccountControl as string | undefined)[0] ?? 512);
      await this.s.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [String(uac | 0x2)] }) })]);
    } else {
      const { disableAttribute, disableValue } = this.projection;
      await this.s.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: disableAttribute, values: [disableValue] }) })]);
    }
    return { targetId, action: 'deactivated' };
  }

  /** Re-enables an account whose identity is active again; an enabled one is left alone. */
  async activate(resource: ObjectResource, targetId: string): Promise<WriteResult> {
    const { dn, raw } = await this.entryOf(resource, targetId);
    if (this.p.ad) {
      if (raw.active !== false) return { targetId, action: 'unchanged' };
      const uac = Number(asStrings(raw.userAccountControl as string | undefined)[0] ?? 514);
      const enable = new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [String(uac & ~0x2)] }) });
      try {
        await this.s.modify(dn, [enable]);
      } catch (err) {
        // An account created disabled has no password, and AD refuses to enable it without one
        // (unwillingToPerform / constraintViolation): give it a random one, as create does.
        const status = (err as ConnectorError).details?.status;
        if (!this.cfg.useSsl || (status !== 53 && status !== 19)) throw err;
        const pwd = Buffer.from(`"${randomBytes(18).toString('base64')}Aa1!"`, 'utf16le');
        await this.s.modify(dn, [new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [pwd] }) }), enable]);
      }
      return { targetId, action: 'activated' };
    }
    // The configured disable attribute may be operational (pwdAccountLockedTime): ask for it by name.
    const { disableAttribute } = this.projection;
    const [e] = await this.s.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [disableAttribute] });
    if (!e || asStrings(e[disableAttribute] as string | string[] | undefined).length === 0) return { targetId, action: 'unchanged' };
    await this.s.modify(dn, [new Change({ operation: 'delete', modification: new Attribute({ type: disableAttribute }) })]);
    return { targetId, action: 'activated' };
  }

  async delete(resource: ObjectResource, targetId: string): Promise<WriteResult> {
    if (this.projection.disableInsteadOfDelete && resource === 'users') return this.deactivate(resource, targetId);
    const { dn } = await this.entryOf(resource, targetId);
    await this.s.write((c) => c.del(dn), resource);
    return { targetId, action: 'deleted' };
  }

  private async memberChange(operation: 'add' | 'delete', groupId: string, memberId: string): Promise<void> {
    const group = await this.entryOf('groups', groupId);
    const member = (await this.reader.getById('users', memberId)) ?? (await this.reader.getById('groups', memberId));
    if (!member) throw new ConnectorError('not-found', `${this.s.connector}: member ${memberId} is not in the directory`, { connector: this.s.connector });
    const attr = asStrings(group.raw.objectClass as string[]).some((c) => c.toLowerCase() === 'groupofuniquenames') ? 'uniqueMember' : 'member';
    try {
      await this.s.modify(group.dn, [new Change({ operation, modification: new Attribute({ type: attr, values: [String(member.raw.dn)] }) })]);
    } catch (e) {
      // 20 = value already there, 16 = value already gone (53 is Samba's answer to both): done.
      const status = (e as ConnectorError).details?.status;
      if (status === 20 || status === 16 || (status === 53 && this.p.ad) || (status === 68 && operation === 'add')) return;
      throw e;
    }
  }

  addMember(groupId: string, memberId: string): Promise<void> {
    return this.memberChange('add', groupId, memberId);
  }
  removeMember(groupId: string, memberId: string): Promise<void> {
    return this.memberChange('delete', groupId, memberId);
  }
}
