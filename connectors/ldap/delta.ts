// Delta reads: uSNChanged on AD, modifyTimestamp on OpenLDAP, in bounded steps. Each call reads
// one page of one phase and returns a JSON cursor `{phase, scan, delivered, snap, max}`; the
// framework calls again until the cursor is null, so a big delta is many small batches, each
// resumable on any worker like a full read (scans.ts).
//
// AD: the DC's highestCommittedUSN is read once, at the start of the window, and every query of
// the window (changes, tombstones, objects that left the scope) is bounded by it. An object changed
// after the snapshot is in none of them and comes with the next window; without the upper bound an
// object modified between the changes query and the scope query would look like it left the scope.
import type { ChangesResult, LinkSet, SourceRecord } from '../types';
import type { ObjectResource, Resource } from './classes';
import { ConnectorError } from '../errors';
import { normalizeDn } from './escape';
import { guidToString } from './guid';
import type { ScanSpec } from './paged';
import { isoToGeneralized } from './profile';
import type { DirectoryReader } from './read';
import { parseScanCursor, type ScanCursor } from './scans';
import { asStrings, showDeletedControl } from './session';

interface AdWatermark { kind: 'ad'; usn: number; invocationId: string }
interface LdapWatermark { kind: 'ldap'; time: string }

type Phase =
  | { kind: 'changes'; resource: 'users' | 'groups' }
  | { kind: 'tombstones' }
  /** Changed objects of the class outside the scope base, or under it but not matching the filter. */
  | { kind: 'outside' | 'unmatched'; resource: 'users' | 'groups' };

interface DeltaCursor extends ScanCursor {
  v: 2;
  phase: number;
  /** AD: the USN snapshot that bounds this window. */
  snap?: AdWatermark;
  /** OpenLDAP: the newest modifyTimestamp delivered so far in this window (ISO). */
  max?: string;
}

const CLASS: Record<'users' | 'groups', string> = { users: '(objectClass=user)', groups: '(objectClass=group)' };

export class DirectoryDeltas {
  constructor(private readonly r: DirectoryReader) {}

  async currentWatermark(): Promise<string> {
    if (!this.r.p.ad) return JSON.stringify({ kind: 'ldap', time: new Date().toISOString() } satisfies LdapWatermark);
    return JSON.stringify(await this.adState());
  }

  async readChanges(resources: Resource[], watermark: string, cursor: string | null): Promise<ChangesResult> {
    let wm: AdWatermark | LdapWatermark;
    try {
      wm = JSON.parse(watermark);
    } catch {
      return { ...empty(), watermark, fullSyncRequired: 'the stored watermark is not readable' };
    }
    const at = parseDeltaCursor(cursor);
    return this.r.p.ad ? this.adChanges(resources, wm as AdWatermark, at) : this.ldapChanges(resources, wm as LdapWatermark, at);
  }

  private async adState(): Promise<AdWatermark> {
    const s = this.r.s;
    const [root] = await s.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['highestCommittedUSN', 'dsServiceName'] });
    const usn = Number(asStrings(root?.highestCommittedUSN)[0]);
    const dsa = asStrings(root?.dsServiceName)[0];
    if (!Number.isFinite(usn) || !dsa) throw new ConnectorError('bad-request', `${s.connector}: rootDSE has no highestCommittedUSN/dsServiceName: is this an Active Directory DC?`, { connector: s.connector });
    const [ntds] = await s.search(dsa, { scope: 'base', filter: '(objectClass=*)', attributes: ['invocationId'], explicitBufferAttributes: ['invocationId'] });
    const inv = ntds?.invocationId;
    return { kind: 'ad', usn, invocationId: Buffer.isBuffer(inv) ? guidToString(inv) : '' };
  }

  private async adChanges(resources: Resource[], wm: AdWatermark, at: DeltaCursor | null): Promise<ChangesResult> {
    let snap = at?.snap;
    if (!snap) {
      const now = await this.adState();
      if (wm.kind !== 'ad' || !Number.isFinite(wm.usn)) return { ...empty(), watermark: JSON.stringify(now), fullSyncRequired: 'the stored watermark is not an Active Directory USN watermark' };
      if (wm.invocationId !== now.invocationId) {
        return { ...empty(), watermark: JSON.stringify(now), fullSyncRequired: `the domain controller's invocationId changed (${wm.invocationId} → ${now.invocationId}): it was restored or replaced, USNs are no longer comparable` };
      }
      snap = now;
    }
    const watermark = JSON.stringify(snap);
    const phases = adPhases(resources);
    const index = at?.phase ?? 0;
    if (snap.usn <= wm.usn || index >= phases.length) return { ...empty(), watermark };
    const since = `(uSNChanged>=${wm.usn + 1})(uSNChanged<=${snap.usn})`;
    const phase = phases[index];
    const res = await this.runPhase(resources, phase, `ad:${index}:${wm.usn}:${snap.usn}`, since, at);
    const next = res.final ? (index + 1 < phases.length ? { v: 2, phase: index + 1, scan: '', delivered: 0, snap } : null) : { v: 2, phase: index, ...res.cursor, snap };
    return { ...res.result, nextCursor: next ? JSON.stringify(next) : null, watermark };
  }

  private async ldapChanges(resources: Resource[], wm: LdapWatermark, at: DeltaCursor | null): Promise<ChangesResult> {
    const t = Date.parse(wm.time);
    if (wm.kind !== 'ldap' || Number.isNaN(t)) return { ...empty(), watermark: await this.currentWatermark(), fullSyncRequired: 'the stored watermark is not an LDAP modifyTimestamp watermark' };
    const from = isoToGeneralized(new Date(t - this.r.cfg.overlapMs).toISOString());
    const phases = (['users', 'groups'] as const).filter((r) => resources.includes(r) || (r === 'groups' && resources.includes('memberships')));
    const index = at?.phase ?? 0;
    // Server-side times only move the watermark: the client clock never enters it, except the
    // initial value of currentWatermark (the overlap window covers small skew).
    let max = Math.max(t, at?.max ? Date.parse(at.max) : t);
    if (index >= phases.length) return { ...empty(), watermark: JSON.stringify({ kind: 'ldap', time: new Date(max).toISOString() } satisfies LdapWatermark) };
    const res = await this.runPhase(resources, { kind: 'changes', resource: phases[index] }, `ldap:${index}:${from}`, `(modifyTimestamp>=${from})`, at);
    for (const rec of res.result.records) if (rec.type === 'object' && rec.updatedAt) max = Math.max(max, Date.parse(rec.updatedAt));
    const maxIso = new Date(max).toISOString();
    const next = res.final ? (index + 1 < phases.length ? { v: 2, phase: index + 1, scan: '', delivered: 0, max: maxIso } : null) : { v: 2, phase: index, ...res.cursor, max: maxIso };
    return { ...res.result, nextCursor: next ? JSON.stringify(next) : null, watermark: JSON.stringify({ kind: 'ldap', time: maxIso } satisfies LdapWatermark) };
  }

  /** One step of one phase: its page(s) turned into records, link sets or deletions. */
  private async runPhase(resources: Resource[], phase: Phase, key: string, since: string, at: DeltaCursor | null) {
    const r = this.r;
    const cfg = r.cfg;
    const wantLinks = resources.includes('memberships');
    let spec: ScanSpec;
    if (phase.kind === 'changes') {
      const { base, filter } = r.scope(phase.resource);
      const attributes = phase.resource === 'groups' && wantLinks ? [...r.p.objectAttributes, ...r.memberRequest()] : r.p.objectAttributes;
      spec = { base, options: { scope: 'sub', filter: `(&${filter}${since})`, attributes, explicitBufferAttributes: r.p.binaryAttributes } };
    } else if (phase.kind === 'tombstones') {
      spec = { base: cfg.baseDn, options: { scope: 'sub', filter: `(&(isDeleted=TRUE)(|${CLASS.users}${CLASS.groups})${since})`, attributes: ['objectGUID', 'objectClass'], explicitBufferAttributes: ['objectGUID'] }, controls: [showDeletedControl()] };
    } else {
      const { base, filter } = r.scope(phase.resource);
      spec =
        phase.kind === 'outside'
          ? { base: cfg.baseDn, options: { scope: 'sub', filter: `(&${CLASS[phase.resource]}${since})`, attributes: ['objectGUID', 'objectClass'], explicitBufferAttributes: ['objectGUID'] } }
          : { base, options: { scope: 'sub', filter: `(&${CLASS[phase.resource]}${since}(!${filter}))`, attributes: ['objectGUID', 'objectClass'], explicitBufferAttributes: ['objectGUID'] } };
    }
    const step = await r.scanStep(key, spec, at?.scan ? { scan: at.scan, delivered: at.delivered } : null, phase.kind === 'changes' ? phase.resource : 'deletions');
    const result = { ...empty() };
    const records: SourceRecord[] = result.records;
    const linkSets: LinkSet[] = result.linkSets;
    if (phase.kind === 'changes') {
      if (phase.resource === 'groups' && wantLinks) await r.prepareLinks();
      for (const e of step.entries) {
        const o = r.toObject(phase.resource, e);
        if (!o) continue;
        if (resources.includes(phase.resource)) records.push(o);
        if (phase.resource === 'groups' && wantLinks) linkSets.push({ resource: 'memberships', parentId: o.id, links: await r.linksOf(e) });
      }
    } else {
      const scopeBase = phase.kind === 'outside' ? normalizeDn(r.scope(phase.resource).base) : '';
      for (const e of step.entries) {
        const id = r.p.idOf(e);
        if (!id) continue;
        if (phase.kind === 'outside') {
          const dn = normalizeDn(e.dn);
          if (dn === scopeBase || dn.endsWith(`,${scopeBase}`)) continue;
        }
        const resource: ObjectResource = phase.kind === 'tombstones' ? (asStrings(e.objectClass).some((c) => c.toLowerCase() === 'group') ? 'groups' : 'users') : phase.resource;
        if (resources.includes(resource)) result.deletions.push({ resource, id });
      }
    }
    return { result, final: step.final, cursor: step.cursor };
  }
}

/** Phases of an AD window; the order is fixed by `resources`, so a cursor means the same everywhere. */
function adPhases(resources: Resource[]): Phase[] {
  const phases: Phase[] = [];
  const objects = (['users', 'groups'] as const).filter((r) => resources.includes(r));
  if (resources.includes('users')) phases.push({ kind: 'changes', resource: 'users' });
  if (resources.includes('groups') || resources.includes('memberships')) phases.push({ kind: 'changes', resource: 'groups' });
  if (objects.length) phases.push({ kind: 'tombstones' });
  for (const resource of objects) phases.push({ kind: 'outside', resource }, { kind: 'unmatched', resource });
  return phases;
}

function parseDeltaCursor(cursor: string | null): DeltaCursor | null {
  if (!cursor) return null;
  try {
    const c = JSON.parse(cursor) as Partial<DeltaCursor>;
    const scan = parseScanCursor(c);
    if (c.v !== 2 || !Number.isInteger(c.phase) || !scan) return null;
    return { v: 2, phase: c.phase!, scan: scan.scan, delivered: scan.delivered, snap: c.snap, max: c.max };
  } catch {
    // Not ours (an older format): the window starts over, which re-reads but skips nothing.
    return null;
  }
}

const empty = (): Omit<ChangesResult, 'watermark'> => ({ records: [], deletions: [], linkSets: [], warnings: [], nextCursor: null });
