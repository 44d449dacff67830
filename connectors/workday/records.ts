// Workday documents as source records. Both shapes (a RaaS report entry, a REST worker) are kept
// as Workday sent them, with one field added: `active`, computed from the hire and termination
// dates against the tenant's day when the document was read. Workday keeps future-dated hires
// and terminated workers in its lists, so "active" is a question of dates, and the same document
// answers it differently the day its date arrives — which is why deltas re-read those workers.

import { ConnectorError } from '../errors';
import type { SourceLink, SourceObject } from '../types';
import type { Doc } from './api';
import type { WorkdayConfig } from './config';

export type WorkdayClass = 'workers' | 'organizations';
const OBJECTS: readonly string[] = ['workers', 'organizations'];

export function objectClass(cls: string): WorkdayClass {
  if (!OBJECTS.includes(cls)) throw new ConnectorError('config', `workday has no object class "${cls}" (it has workers, organizations, memberships)`);
  return cls as WorkdayClass;
}

export function linkClass(cls: string): 'memberships' {
  if (cls !== 'memberships') throw new ConnectorError('config', `workday has no link class "${cls}" (it has memberships)`);
  return cls;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : null);
/** Workday dates may carry an offset (2025-03-01-08:00): the calendar day is the first ten. */
const day = (v: unknown): string | null => text(v)?.slice(0, 10) ?? null;

/** What the connector itself reads from a worker, whichever API it came from. */
export interface WorkerFacts {
  id: string | null;
  hireDate: string | null;
  terminationDate: string | null;
  orgId: string | null;
  orgName: string | null;
  lastUpdated: string | null;
}

export function workerFacts(config: WorkdayConfig, doc: Doc): WorkerFacts {
  if (config.mode === 'rest') {
    const org = doc.primarySupervisoryOrganization as Doc | undefined;
    return { id: text(doc.id), hireDate: day(doc.hireDate), terminationDate: day(doc.terminationDate), orgId: text(org?.id), orgName: text(org?.descriptor), lastUpdated: null };
  }
  const f = config.raas!.fields;
  const updated = text(doc[f.lastUpdated]);
  const ms = updated ? Date.parse(updated) : NaN;
  return {
    id: text(doc[f.id]),
    hireDate: day(doc[f.hireDate]),
    terminationDate: day(doc[f.terminationDate]),
    orgId: text(doc[f.organization]),
    orgName: text(doc[f.organizationName]),
    lastUpdated: Number.isFinite(ms) ? new Date(ms).toISOString() : null,
  };
}

/** Active on `today`: hired on or before it (no hire date: hired), and not terminated on or before it. */
export function isActive(f: Pick<WorkerFacts, 'hireDate' | 'terminationDate'>, today: string): boolean {
  return (f.hireDate === null || f.hireDate <= today) && (f.terminationDate === null || f.terminationDate > today);
}

function missingId(cls: string, field: string): ConnectorError {
  return new ConnectorError('bad-request', `a Workday ${cls} document has no ${field}; the connector cannot key it (check the report's fields and config.raas.fields)`, { resource: cls });
}

export function workerObject(config: WorkdayConfig, doc: Doc, today: string): SourceObject {
  const f = workerFacts(config, doc);
  if (!f.id) throw missingId('worker', config.mode === 'rest' ? 'id' : `${config.raas!.fields.id} (config.raas.fields.id)`);
  return { type: 'object', resource: 'workers', id: f.id, raw: { ...doc, active: isActive(f, today) }, updatedAt: f.lastUpdated };
}

export function orgId(config: WorkdayConfig, doc: Doc): string {
  const id = config.mode === 'rest' ? text(doc.id) : text(doc[config.raas!.fields.organizationId]);
  if (!id) throw missingId('organization', config.mode === 'rest' ? 'id' : `${config.raas!.fields.organizationId} (config.raas.fields.organizationId)`);
  return id;
}

export function orgObject(config: WorkdayConfig, doc: Doc): SourceObject {
  const updated = text(doc[config.raas?.fields.lastUpdated ?? 'Last_Updated']);
  return { type: 'object', resource: 'organizations', id: orgId(config, doc), raw: { ...doc }, updatedAt: updated && Number.isFinite(Date.parse(updated)) ? new Date(updated).toISOString() : null };
}

/** Without an organizations report, the organisations workers belong to, as `{<id field>, Organization_Name}`. */
export function derivedOrgs(config: WorkdayConfig, workers: Doc[]): Doc[] {
  const seen = new Map<string, Doc>();
  for (const w of workers) {
    const f = workerFacts(config, w);
    if (f.orgId && !seen.has(f.orgId)) seen.set(f.orgId, { [config.raas!.fields.organizationId]: f.orgId, Organization_Name: f.orgName });
  }
  return [...seen.values()].sort((a, b) => orgId(config, a).localeCompare(orgId(config, b)));
}

/** A worker's membership in its primary supervisory organisation. */
export function membershipOf(config: WorkdayConfig, doc: Doc): SourceLink | null {
  const f = workerFacts(config, doc);
  if (!f.id || !f.orgId) return null;
  return { type: 'link', resource: 'memberships', parentId: f.orgId, childId: f.id, childKind: 'user' };
}
