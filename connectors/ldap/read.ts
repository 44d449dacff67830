// Full reads (paged, resumable on any worker: see scans.ts), objects and links from entries.
//
// Order requirement: members are DNs, links need ids. The DN → id index is filled while users and
// groups are read, and rebuilt by one id-only listing of the user and group scopes whenever a
// memberships scan starts from the beginning, so it is never older than the scan it serves. A
// member DN the index does not know but that lies under a scope base is looked up once; member
// DNs outside the scopes (e.g. foreign security principals) are not synced and are skipped.
import type { Entry } from 'ldapts';
import type { ReadPageResult, SourceLink, SourceObject, SourceRecord } from '../types';
import type { ObjectResource, Resource } from './classes';
import { ConnectorError } from '../errors';
import { normalizeDn } from './escape';
import { guidToString } from './guid';
import { andFilter, sidToString, type DirectoryProfile } from './profile';
import type { Filter } from 'ldapts';
import type { ScanSpec } from './paged';
import { parseScanCursor, ScanRegistry, type ScanCursor } from './scans';
import type { LdapConfig } from './schema';
import type { LdapSession } from './session';

type Hit = { id: string; kind: 'user' | 'group' };

export class DirectoryReader {
  readonly scans: ScanRegistry;
  private dnIndex = new Map<string, Hit>();
  private misses = new Map<string, Hit | null>();
  private indexed = false;

  constructor(
    readonly s: LdapSession,
    readonly p: DirectoryProfile,
    readonly cfg: LdapConfig,
  ) {
    this.scans = new ScanRegistry((key, spec) => this.s.newScan(key, spec));
  }

  scope(resource: ObjectResource): { base: string; filter: string } {
    if (resource === 'groups') return { base: this.cfg.groupSearchBase ?? this.cfg.baseDn, filter: this.cfg.groupSearchFilter ?? this.p.groupFilter };
    if (resource === 'users') return { base: this.cfg.userSearchBase ?? this.cfg.baseDn, filter: this.cfg.userSearchFilter ?? this.p.userFilter };
    throw new ConnectorError('bad-request', `${this.s.connector}: ${this.s.type} has no ${resource}`, { connector: this.s.connector, resource });
  }

  async readPage(resource: Resource, cursor: string | null): Promise<ReadPageResult> {
    if (resource !== 'users' && resource !== 'groups' && resource !== 'memberships') {
      throw new ConnectorError('bad-request', `${this.s.connector}: ${this.s.type} cannot read ${resource}`, { connector: this.s.connector, resource });
    }
    const at = parseCursor(cursor);
    const key = `full:${resource}`;
    if (resource === 'memberships') {
      if (!this.scans.canContinue(key, at)) this.resetIndex();
      await this.ensureIndex();
    }
    const step = await this.scanStep(key, this.fullSpec(resource), at, resource);
    const records: SourceRecord[] = [];
    for (const e of step.entries) {
      if (resource === 'memberships') records.push(...(await this.linksOf(e)));
      else {
        const o = this.toObject(resource, e);
        if (o) records.push(o);
      }
    }
    if (step.final) return { records, nextCursor: null, warnings: [] };
    return { records, nextCursor: JSON.stringify(step.cursor), warnings: [], affinity: true };
  }

  /** One step of a resumable scan, with failures turned into ConnectorErrors naming the resource. */
  async scanStep(key: string, spec: ScanSpec, at: ScanCursor | null, resource: string): Promise<{ entries: Entry[]; final: boolean; cursor: ScanCursor }> {
    try {
      return await this.scans.step(key, spec, at);
    } catch (e) {
      throw this.s.toError(e, 'search', resource);
    }
  }

  private fullSpec(resource: 'users' | 'groups' | 'memberships'): ScanSpec {
    const { base, filter } = this.scope(resource === 'memberships' ? 'groups' : resource);
    const attributes = resource === 'memberships' ? [this.p.idAttribute, ...this.memberRequest()] : this.p.objectAttributes;
    return { base, options: { scope: 'sub', filter, attributes, explicitBufferAttributes: this.p.binaryAttributes } };
  }

  memberRequest(): string[] {
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

  /** Makes sure member DNs can be turned into ids (the index is built once per process for deltas). */
  prepareLinks(): Promise<void> {
    return this.ensureIndex();
  }

  private resetIndex(): void {
    this.dnIndex = new Map();
    this.misses = new Map();
    this.indexed = false;
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

  /** A member DN → its id, when the DN is a synced user or group. */
  private async resolve(dn: string): Promise<Hit | null> {
    const key = normalizeDn(dn);
    const hit = this.dnIndex.get(key) ?? this.misses.get(key);
    if (hit !== undefined) return hit;
    let found: Hit | null = null;
    for (const resource of ['users', 'groups'] as const) {
      const { base, filter } = this.scope(resource);
      if (key !== normalizeDn(base) && !key.endsWith(`,${normalizeDn(base)}`)) continue;
      const [e] = await this.s.search(dn, { scope: 'base', filter, attributes: [this.p.idAttribute], explicitBufferAttributes: this.p.binaryAttributes }, undefined, 'memberships').catch((err: ConnectorError) => {
        // The member entry is gone (a dangling member value): not a link.
        if (err.details.status === 32) return [];
        throw err;
      });
      const id = e ? this.p.idOf(e) : null;
      if (id) {
        found = { id, kind: resource === 'groups' ? 'group' : 'user' };
        break;
      }
    }
    this.misses.set(key, found);
    return found;
  }

  async linksOf(group: Entry): Promise<SourceLink[]> {
    const parentId = this.p.idOf(group);
    if (!parentId) return [];
    const dns: string[] = [];
    for (const attr of this.p.memberAttributes) dns.push(...(await this.s.rangedValues(group.dn, attr, group)));
    const links: SourceLink[] = [];
    const seen = new Set<string>();
    for (const dn of dns) {
      const hit = await this.resolve(dn);
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
}

function parseCursor(cursor: string | null): ScanCursor | null {
  if (!cursor) return null;
  try {
    return parseScanCursor(JSON.parse(cursor));
  } catch {
    return { scan: '', delivered: 0 };
  }
}
