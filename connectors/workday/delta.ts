// Deltas. The watermark is one instant of the tenant's clock (deltaScope 'connector'): the upper
// bound of the last window, taken from Workday's Date header before that window was read, and
// stored only after the window is applied.
//
// RaaS: the workers report is asked twice, through its prompts —
//  1. Updated_From/Updated_Through = (last mark, now]: workers whose data changed;
//  2. Effective_From/Effective_Through = the tenant's days (last day, today]: workers whose hire or
//     termination date arrived since the last run. Their documents did not change, but `active`
//     did (records.ts). Without effective prompts a window whose day moved on reads the whole
//     report instead, so nothing is missed, only more is read.
//  Organisations come from their report (small; read whole); the members of one renamed in the
//  window are read again (their entries show its name). When any worker changed, the memberships
//  of every organisation are read whole from the workers report (a move leaves no trace on the
//  organisation it left, so only whole child sets are right).
// REST: the workers API has no change filter, so a delta re-reads the lists page by page
// (unchanged rows stay unchanged in the store); effective-dated changes come with it.
// Neither API reports deletions: those are found by full runs (sync.fullInterval).

import { forbiddenWarning } from '../http/forbidden';
import type { ChangesResult, LinkSet, ReadWarning, SourceLink, SourceRecord } from '../types';
import { dayIn, nextDay, workdayDateTime, type Doc, type WorkdayApi } from './api';
import { derivedOrgs, orgId, workerFacts } from './records';
import { parseCursor, raasOrganizations, restAll, restPage, restPath, toRecords } from './read';

/** An empty window ending at the epoch: the cheapest report request, asked only for its Date. */
const EPOCH = '1970-01-01T00:00:00.000+00:00';

export async function serverNow(api: WorkdayApi): Promise<Date> {
  if (api.config.mode === 'rest') return (await api.get(restPath(api, 'workers'), { limit: 1, offset: 0 }, 'workers', 'data')).at;
  const r = api.config.raas!;
  if (r.prompts) return (await api.report(r.workersReport, { [r.prompts.updatedFrom]: EPOCH, [r.prompts.updatedThrough]: EPOCH }, 'workers')).at;
  return (await raasOrganizations(api)).at;
}

export async function currentWatermark(api: WorkdayApi): Promise<string> {
  return (await serverNow(api)).toISOString();
}

const empty = (watermark: string): ChangesResult => ({ records: [], deletions: [], linkSets: [], warnings: [], nextCursor: null, watermark });

interface RestCursor {
  step: number;
  next: string | null;
  now: string;
  /** Part of the window was refused: the old mark is kept. */
  short?: boolean;
}

export async function readChanges(api: WorkdayApi, classes: string[], watermark: string, cursor: string | null): Promise<ChangesResult> {
  const since = new Date(watermark);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(watermark) || Number.isNaN(since.getTime())) {
    return { ...empty(watermark), fullSyncRequired: 'the stored watermark is not a Workday time (it was written by another connector type or version)' };
  }
  if (api.config.mode === 'rest') return restChanges(api, classes, watermark, cursor);
  if (!api.config.raas!.prompts) {
    return { ...empty(watermark), fullSyncRequired: 'config.raas.prompts is not set, so the workers report cannot select changes (add Updated_From/Updated_Through prompts to the report and name them there)' };
  }
  try {
    return await raasChanges(api, classes, since);
  } catch (err) {
    const denied = classes.map((c) => forbiddenWarning(err, c)).filter((w): w is ReadWarning => w !== null);
    if (!denied.length) throw err;
    return { ...empty(watermark), warnings: denied };
  }
}

async function raasChanges(api: WorkdayApi, classes: string[], since: Date): Promise<ChangesResult> {
  const r = api.config.raas!;
  const p = r.prompts!;
  const tz = api.config.timeZone;
  const now = await serverNow(api);
  const changed = await api.report(r.workersReport, { [p.updatedFrom]: workdayDateTime(since), [p.updatedThrough]: workdayDateTime(now) }, 'workers');
  // The whole workers report, read at most once per window and only when needed.
  let whole: Promise<{ body: Doc[]; at: Date }> | null = null;
  const all = () => (whole ??= api.report(r.workersReport, {}, 'workers'));
  const lastDay = dayIn(since, tz);
  const today = dayIn(now, tz);
  let effective: { body: Doc[]; at: Date } = { body: [], at: now };
  if (today > lastDay) {
    effective = p.effectiveFrom && p.effectiveThrough ? await api.report(r.workersReport, { [p.effectiveFrom]: nextDay(lastDay), [p.effectiveThrough]: today }, 'workers') : await all();
  }
  const orgs = r.organizationsReport && (classes.includes('organizations') || classes.includes('workers') || classes.includes('memberships')) ? await raasOrganizations(api) : null;
  // A renamed organisation changes what its members' entries say (Supervisory_Organization)
  // without touching their Last_Updated: its members are read again.
  const renamed = new Set(
    (orgs?.items ?? []).filter((d) => {
      const at = Date.parse(String(d[r.fields.lastUpdated] ?? ''));
      return Number.isFinite(at) && at >= since.getTime() && at <= now.getTime();
    }).map((d) => orgId(api.config, d)),
  );
  const records: SourceRecord[] = [];
  const linkSets: LinkSet[] = [];
  if (classes.includes('workers')) {
    const members = renamed.size ? await all() : { body: [], at: now };
    const ofRenamed = members.body.filter((d) => renamed.has(workerFacts(api.config, d).orgId ?? ''));
    // One record per worker: the later read wins (all are Workday's current data).
    const byId = new Map<string, SourceRecord>();
    const reads = [toRecords(api, 'workers', changed.body, changed.at), toRecords(api, 'workers', effective.body, effective.at), toRecords(api, 'workers', ofRenamed, members.at)];
    for (const rec of reads.flat()) byId.set((rec as { id: string }).id, rec);
    records.push(...byId.values());
  }
  if (classes.includes('organizations') && orgs) records.push(...toRecords(api, 'organizations', orgs.items, orgs.at));
  if (classes.includes('organizations') && !orgs) {
    const w = await all();
    records.push(...toRecords(api, 'organizations', derivedOrgs(api.config, w.body), w.at));
  }
  if (classes.includes('memberships') && changed.body.length > 0) {
    const w = await all();
    const links = toRecords(api, 'memberships', w.body, w.at) as SourceLink[];
    const known = (orgs?.items ?? []).map((d) => orgId(api.config, d));
    const parents = new Set([...known, ...links.map((l) => l.parentId), ...changed.body.map((d) => workerFacts(api.config, d).orgId).filter((x): x is string => x !== null)]);
    for (const parentId of parents) linkSets.push({ resource: 'memberships', parentId, links: links.filter((l) => l.parentId === parentId) });
  }
  return { records, deletions: [], linkSets, warnings: [], nextCursor: null, watermark: now.toISOString() };
}

const REST_ORDER = ['workers', 'organizations', 'memberships'] as const;

async function restChanges(api: WorkdayApi, classes: string[], watermark: string, cursor: string | null): Promise<ChangesResult> {
  const steps = REST_ORDER.filter((c) => classes.includes(c));
  const c: RestCursor = cursor ? parseCursor<RestCursor>(api, cursor, 'changes') : { step: 0, next: null, now: (await serverNow(api)).toISOString() };
  const cls = steps[c.step];
  if (!cls) return empty(c.short ? watermark : c.now);
  const records: SourceRecord[] = [];
  const linkSets: LinkSet[] = [];
  let warnings: ReadWarning[] = [];
  let next: string | null = null;
  try {
    // Memberships walk the organisations, reading each one's members whole.
    const page = await restPage(api, restPath(api, cls === 'memberships' ? 'organizations' : cls), cls, c.next);
    warnings = page.warnings;
    next = page.next;
    if (cls !== 'memberships') records.push(...toRecords(api, cls, page.items, page.at));
    else {
      for (const org of page.items) {
        const parentId = orgId(api.config, org);
        const members = await restAll(api, `${api.restBase}/supervisoryOrganizations/${encodeURIComponent(parentId)}/workers`, 'memberships');
        warnings.push(...members.warnings);
        if (!members.warnings.length) linkSets.push({ resource: 'memberships', parentId, links: toRecords(api, 'memberships', members.items, members.at) as SourceLink[] });
      }
    }
  } catch (err) {
    const denied = forbiddenWarning(err, cls);
    if (!denied) throw err;
    warnings = [denied];
    next = null;
  }
  const short = Boolean(c.short) || warnings.some((w) => w.incomplete);
  const after: RestCursor = next ? { ...c, next, short } : { step: c.step + 1, next: null, now: c.now, short };
  const done = after.step >= steps.length;
  return { records, deletions: [], linkSets, warnings, nextCursor: done ? null : JSON.stringify(after), watermark: done ? (short ? watermark : c.now) : watermark };
}
