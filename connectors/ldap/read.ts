// Full reads (paged) and deltas (USN on AD, modifyTimestamp on OpenLDAP) into SourceRecords.
//
// Order requirement: members are DNs, links need ids. The DN → id index is filled while users and
// groups are read; when memberships are read by a fresh instance (another activity), the index is
// built first by one id-only paged search over the user and group scopes. Member DNs outside those
// scopes (e.g. foreign security principals) are not synced and are skipped.
import type { Entry } from 'ldapts';
import { randomUUID } from 'node:crypto';
import type { ChangesResult, LinkSet, ObjectResource, ReadPageResult, Resource, SourceLink, SourceObject, SourceRecord } from '../types';
import { ConnectorError } from '../errors';
import { normalizeDn } from './escape';
import { guidToString } from './guid';
import { andFilter, generalizedToIso, isoToGeneralized, sidToString, type DirectoryProfile } from './profile';
import type { Filter } from 'ldapts';
import type { LdapConfig } from './schema';
import { asStrings, showDeletedControl, type LdapSession } from './session';

interface Scan { it: AsyncGenerator<Entry[]>; pages: number }
interface AdWatermark { kind: 'ad'; usn: number; invocationId: string }
interface LdapWatermark { kind: 'ldap'; time: string }

export class DirectoryReader {
  private scans = new Map<string, Scan>();
  private dnIndex = new Map<string, { id: string; kind: 'user' | 'group' }>();
  private indexed = false;

  constructor(
    private readonly s: LdapSession,
    private readonly p: DirectoryProfile,
    private readonly cfg: LdapConfig,
  ) {}

  scope(resource: ObjectResource): { base: string; filter: string } {
    if (resource === 'groups') return { base: this.cfg.groupSearchBase ?? this.cfg.baseDn, filter: this.cfg.groupSearchFilter ?? this.p.groupFilter };
    if (resource === 'users') return { base: this.cfg.userSearchBase ?? this.cfg.baseDn, filter: this.cfg.userSearchFilter ?? this.p.userFilter };
    throw new ConnectorError('bad-request', `${this.s.connector}: ${this.s.type} has no ${resource}`, { connector: this.s.connector, resource });
  }

  async readPage(resource: Resource, cursor: string | null): Promise<ReadPageResult> {
    if (resource !== 'users' && resource !== 'groups' && resource !== 'memberships') {
      throw new ConnectorError('bad-request', `${this.s.connector}: ${this.s.type} cannot read ${resource}`, { connector: this.s.connector, resource });
    }
    const state = cursor ? (JSON.parse(cursor) as { t: string; p: number }) : { t: randomUUID(), p: 0 };
    let scan = this.scans.get(state.t);
    if (!scan) {
      // A new process lost the live paged search: start it again and skip the pages already
      // delivered (the server returns entries in a stable order while nothing changes; re-applied
      // entries are harmless because the store is idempotent).
      scan = { it: this.startScan(resource), pages: 0 };
      while (scan.pages < state.p) {
        const n = await scan.it.next();
        if (n.done) break;
        scan.pages++;
      }
      this.scans.set(state.t, scan);
    }
    if (resource === 'memberships') await this.ensureIndex();
    const next = await scan.it.next();
    if (next.done) {
      this.scans.delete(state.t);
      return { records: [], nextCursor: null, warnings: [] };
    }
    scan.pages++;
    const records: SourceRecord[] = [];
    for (const e of next.value) {
      if (resource === 'memberships') records.push(...(await this.linksOf(e)));
      else {
        const o = this.toObject(resource, e);
        if (o) records.push(o);
      }
    }
    return { records, nextCursor: JSON.stringify({ t: state.t, p: scan.pages }), warnings: [] };
  }

  private startScan(resource: 'users' | 'groups' | 'memberships'): AsyncGenerator<Entry[]> {
    const { base, filter } = this.scope(resource === 'memberships' ? 'groups' : resource);
    const attributes = resource === 'memberships' ? [this.p.idAttribute, ...this.memberRequest()] : this.p.objectAttributes;
    return this.s.pages(base, { scope: 'sub', filter, attributes, explicitBufferAttributes: this.p.binaryAttributes }, undefined, resource);
  }

  private memberRequest(): string[] {
    return this.p.ad ? [`member;range=0-${this.cfg.rangeSize - 1}`] : this.p.memberAttributes;
  }

  toObject(resource: ObjectResource, e: Entry): SourceObject | null {
    const id = this.p.idOf(e);
    if (!id) return null;
    const raw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) {
      const lk = k.toLowerCase();
      if (resource === 'groups' && (lk === 'member' || lk === 'uniquemember' || lk.startsWith('member;range='))) continue;
      if (k === 'objectSid' && Buffer.isBuffer(v)) raw[k] = sidToString(v);
      else if (k === 'objectGUID' && Buffer.isBuffer(v)) raw[k] = guidToString(v);
      else if (Buffer.isBuffer(v) || (Array.isArray(v) && v.some((x) => Buffer.isBuffer(x)))) continue;
      else raw[k] = v;
    }
    raw.dn = e.dn;
    raw.active = this.p.isActive(e);
    this.dnIndex.set(normalizeDn(e.dn), { id, kind: resource === 'groups' ? 'group' : 'user' });
    return { type: 'object', resource, id, raw, updatedAt: this.p.updatedAt(e) };
  }

  private async ensureIndex(): Promise<void> {
    if (this.indexed) return;
    for (const resource of ['users', 'groups'] as const) {
      const { base, filter } = this.scope(resource);
      for await (const page of this.s.pages(base, { scope: 'sub', filter, attributes: [this.p.idAttribute], explicitBufferAttributes: this.p.binaryAttributes }, undefined, resource)) {
        for (const e of page) {
          const id = this.p.idOf(e);
          if (id) this.dnIndex.set(normalizeDn(e.dn), { id, kind: resource === 'groups' ? 'group' : 'user' });
        }
      }
    }
    this.indexed = true;
  }

  async linksOf(group: Entry): Promise<SourceLink[]> {
    const parentId = this.p.idOf(group);
    if (!parentId) return [];
    const dns: string[] = [];
    for (const attr of this.p.memberAttributes) dns.push(...(await this.s.rangedValues(group.dn, attr, group)));
    const links: SourceLink[] = [];
    const seen = new Set<string>();
    for (const dn of dns) {
      const hit = this.dnIndex.get(normalizeDn(dn));
      if (!hit || seen.has(hit.id)) continue;
      seen.add(hit.id);
      links.push({ type: 'link', resource: 'memberships', parentId, childId: hit.id, childKind: hit.kind });
    }
    return links;
  }

  async getById(resource: ObjectResource, id: string): Promise<SourceObject | null> {
    const { base, filter } = this.scope(resource);
    let idFilter: Filter;
    try {
      idFilter = this.p.idFilter(id);
    } catch {
      return null;
    }
    const [e] = await this.s.search(base, { scope: 'sub', filter: andFilter(filter, idFilter), attributes: this.p.objectAttributes, explicitBufferAttributes: this.p.binaryAttributes }, undefined, resource);
    return e ? this.toObject(resource, e) : null;
  }

  async getLinks(parentId: string): Promise<SourceLink[]> {
    const { base, filter } = this.scope('groups');
    const [g] = await this.s.search(base, { scope: 'sub', filter: andFilter(filter, this.p.idFilter(parentId)), attributes: [this.p.idAttribute, ...this.memberRequest()], explicitBufferAttributes: this.p.binaryAttributes }, undefined, 'memberships');
    if (!g) return [];
    await this.ensureIndex();
    return this.linksOf(g);
  }

  // ---- deltas ----

  async currentWatermark(): Promise<string> {
    if (!this.p.ad) return JSON.stringify({ kind: 'ldap', time: new Date().toISOString() } satisfies LdapWatermark);
    return JSON.stringify(await this.adState());
  }

  private async adState(): Promise<AdWatermark> {
    const [root] = await this.s.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['highestCommittedUSN', 'dsServiceName'] });
    const usn = Number(asStrings(root?.highestCommittedUSN)[0]);
    const dsa = asStrings(root?.dsServiceName)[0];
    if (!Number.isFinite(usn) || !dsa) throw new ConnectorError('bad-request', `${this.s.connector}: rootDSE has no highestCommittedUSN/dsServiceName: is this an Active Directory DC?`, { connector: this.s.connector });
    const [ntds] = await this.s.search(dsa, { scope: 'base', filter: '(objectClass=*)', attributes: ['invocationId'], explicitBufferAttributes: ['invocationId'] });
    const inv = ntds?.invocationId;
    return { kind: 'ad', usn, invocationId: Buffer.isBuffer(inv) ? guidToString(inv) : '' };
  }

  async readChanges(resources: Resource[], watermark: string, _cursor: string | null): Promise<ChangesResult> {
    let wm: AdWatermark | LdapWatermark;
    try {
      wm = JSON.parse(watermark);
    } catch {
      return { records: [], deletions: [], linkSets: [], warnings: [], nextCursor: null, watermark, fullSyncRequired: 'the stored watermark is not readable' };
    }
    return this.p.ad ? this.adChanges(resources, wm as AdWatermark) : this.ldapChanges(resources, wm as LdapWatermark);
  }

  private async adChanges(resources: Resource[], wm: AdWatermark): Promise<ChangesResult> {
    // The USN is read before searching, so changes committed during the search come again next time.
    const now = await this.adState();
    const empty = { records: [], deletions: [], linkSets: [], warnings: [], nextCursor: null };
    if (wm.kind !== 'ad' || !Number.isFinite(wm.usn)) return { ...empty, watermark: JSON.stringify(now), fullSyncRequired: 'the stored watermark is not an Active Directory USN watermark' };
    if (wm.invocationId !== now.invocationId) {
      return { ...empty, watermark: JSON.stringify(now), fullSyncRequired: `the domain controller's invocationId changed (${wm.invocationId} → ${now.invocationId}): it was restored or replaced, USNs are no longer comparable` };
    }
    const since = `(uSNChanged>=${wm.usn + 1})`;
    return { ...(await this.changesSince(resources, since, true)), watermark: JSON.stringify(now) };
  }

  private async ldapChanges(resources: Resource[], wm: LdapWatermark): Promise<ChangesResult> {
    const empty = { records: [], deletions: [], linkSets: [], warnings: [], nextCursor: null };
    const t = Date.parse(wm.time);
    if (wm.kind !== 'ldap' || Number.isNaN(t)) return { ...empty, watermark: await this.currentWatermark(), fullSyncRequired: 'the stored watermark is not an LDAP modifyTimestamp watermark' };
    const from = isoToGeneralized(new Date(t - this.cfg.overlapMs).toISOString());
    const res = await this.changesSince(resources, `(modifyTimestamp>=${from})`, false);
    // Server-side times only move the watermark: the client clock never enters it, except the
    // initial value of currentWatermark (the overlap window covers small skew).
    let max = t;
    for (const r of res.records) if (r.type === 'object' && r.updatedAt) max = Math.max(max, Date.parse(r.updatedAt));
    return { ...res, watermark: JSON.stringify({ kind: 'ldap', time: new Date(max).toISOString() } satisfies LdapWatermark) };
  }

  private async changesSince(resources: Resource[], since: string, deletions: boolean): Promise<Omit<ChangesResult, 'watermark'>> {
    const records: SourceRecord[] = [];
    const linkSets: LinkSet[] = [];
    const gone: ChangesResult['deletions'] = [];
    const wantLinks = resources.includes('memberships');
    const seen = new Set<string>();
    for (const resource of ['users', 'groups'] as const) {
      if (!resources.includes(resource) && !(resource === 'groups' && wantLinks)) continue;
      const { base, filter } = this.scope(resource);
      const attributes = resource === 'groups' && wantLinks ? [...this.p.objectAttributes, ...this.memberRequest()] : this.p.objectAttributes;
      for await (const page of this.s.pages(base, { scope: 'sub', filter: `(&${filter}${since})`, attributes, explicitBufferAttributes: this.p.binaryAttributes }, undefined, resource)) {
        for (const e of page) {
          const o = this.toObject(resource, e);
          if (!o) continue;
          seen.add(o.id);
          if (resources.includes(resource)) records.push(o);
          if (resource === 'groups' && wantLinks) {
            await this.ensureIndex();
            linkSets.push({ resource: 'memberships', parentId: o.id, links: await this.linksOf(e) });
          }
        }
      }
    }
    if (deletions) {
      // Deleted objects (tombstones, Show Deleted control) and objects that changed but no longer
      // match the scope (moved out, filter no longer true) both leave the synced set.
      const classes = '(|(objectClass=user)(objectClass=group))';
      for (const [filter, controls] of [
        [`(&(isDeleted=TRUE)${classes}${since})`, [showDeletedControl()]],
        [`(&${classes}${since})`, undefined],
      ] as const) {
        for await (const page of this.s.pages(this.cfg.baseDn, { scope: 'sub', filter, attributes: ['objectGUID', 'objectClass'], explicitBufferAttributes: ['objectGUID'] }, controls ? [...controls] : undefined, 'deletions')) {
          for (const e of page) {
            const id = this.p.idOf(e);
            if (!id || seen.has(id)) continue;
            const resource: ObjectResource = asStrings(e.objectClass).some((c) => c.toLowerCase() === 'group') ? 'groups' : 'users';
            if (!resources.includes(resource)) continue;
            seen.add(id);
            gone.push({ resource, id });
          }
        }
      }
    }
    return { records, deletions: gone, linkSets, warnings: [], nextCursor: null };
  }
}

export { generalizedToIso };
