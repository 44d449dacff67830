// Mesh activities: accounts of a mesh's sources correlated into persons (pipeline/mesh-correlate.ts
// decides; this file reads and writes the store). Every batch is idempotent: keys are replaced,
// links and persons are upserts, and an account linked by an earlier attempt is kept as it is.
import type { Client } from '@temporalio/client';
import { ConfigError } from '../config/types';
import { meshOfSource, meshWorkflowId, type MeshDefinition } from '../config/mesh';
import {
  accountKeys,
  accountOwner,
  computePerson,
  correlateBatch,
  lookupsFor,
  matchKey,
  parseOwner,
  personKeys,
  personOwner,
  sourceOrder,
  type AccountLink,
  type LinkedAccount,
  type MeshAccount,
} from '../pipeline/mesh-correlate';
import { stableStringify } from '../store/stable-json';
import type { ExportedObject, IdentityStore, MeshLink, MeshLinkStatus, MeshReview } from '../store/types';
import { meshWorkflow, requestMeshSignal } from '../workflows/definitions';
import { zeroMeshCounts, type MeshCounts, type MeshRequest, type MeshWorkflowInput } from '../workflows/mesh-types';
import { asActivity } from './failures';
import { heartbeat } from './heartbeat';

export interface MeshDeps {
  store: IdentityStore;
  client?: () => Promise<Client>;
}

/** Rows are stamped by the writer's clock (PostgreSQL: at its transaction's start), so a window
 *  starts this long before the last run's end: re-reading is idempotent, missing is not. */
const WINDOW_OVERLAP_MS = 5 * 60_000;
const meshRunsOf = (mesh: string) => `mesh/${mesh}`;

export async function loadMesh(store: IdentityStore, name: string): Promise<MeshDefinition> {
  const m = await store.getMesh(name);
  if (!m) throw new ConfigError([{ file: 'store', path: 'mesh', message: `no mesh named "${name}" (see: tiger mesh apply -f FILE)` }]);
  return m.definition as MeshDefinition;
}

const toAccount = (source: string, o: ExportedObject): MeshAccount => ({ source, id: o.id, attributes: o.attributes, deleted: !!o.deletedAt });

/** Reads these accounts of one source (absent rows count as deleted). */
async function readAccounts(store: IdentityStore, source: string, ids: string[]): Promise<MeshAccount[]> {
  const found = new Map((await store.getObjects(source, 'user', ids, { includeDeleted: true })).map((o) => [o.id, o]));
  return ids.map((id) => (found.has(id) ? toAccount(source, found.get(id)!) : { source, id, attributes: {}, deleted: true }));
}

/** Correlates one batch of accounts of one source and recomputes the persons it touches. */
export async function correlateAccounts(store: IdentityStore, def: MeshDefinition, runId: string, source: string, accounts: MeshAccount[]): Promise<MeshCounts> {
  const mesh = def.name;
  const counts = zeroMeshCounts();
  counts.accounts = accounts.length;
  if (accounts.length === 0) return counts;
  await store.replaceMeshKeys(mesh, accounts.map((a) => ({ owner: accountOwner(a.source, a.id), keys: accountKeys(def, a) })));

  // Each lookup key → the persons behind its owners (linked accounts, or persons themselves).
  const byKey = new Map<string, Set<string>>();
  for (const a of accounts) for (const l of lookupsFor(def, a)) (byKey.get(l.key) ?? byKey.set(l.key, new Set()).get(l.key)!).add(l.value);
  const hits: { key: string; value: string; owner: string }[] = [];
  for (const [key, values] of byKey) hits.push(...(await store.findMeshKeys(mesh, key, [...values])));
  const ownerAccounts = hits.map((h) => parseOwner(h.owner)).filter((o): o is { source: string; id: string } => 'source' in o);
  const ownerLinks = await store.getMeshLinks(mesh, ownerAccounts.map((o) => ({ connector: o.source, accountId: o.id })));
  const personOf = new Map(ownerLinks.filter((l) => l.status === 'linked' && l.personId).map((l) => [accountOwner(l.connector, l.accountId), l.personId!]));
  const matches = new Map<string, string[]>();
  for (const h of hits) {
    const o = parseOwner(h.owner);
    const person = 'personId' in o ? o.personId : personOf.get(h.owner);
    if (person) matches.set(matchKey(h.key, h.value), [...(matches.get(matchKey(h.key, h.value)) ?? []), person]);
  }
  const candidates = [...new Set([...matches.values()].flat())];
  const linkedFromSource = new Map<string, string[]>();
  for (const l of await store.listMeshLinksOf(mesh, candidates)) {
    if (l.connector === source && l.status === 'linked' && l.personId) linkedFromSource.set(l.personId, [...(linkedFromSource.get(l.personId) ?? []), l.accountId]);
  }
  const existing = new Map<string, MeshLink>((await store.getMeshLinks(mesh, accounts.map((a) => ({ connector: source, accountId: a.id })))).map((l) => [l.accountId, l]));
  const links = new Map<string, AccountLink>([...existing].map(([id, l]) => [id, { status: l.status, personId: l.personId, rule: l.rule }]));

  const decisions = correlateBatch({ def, accounts, links, matches, linkedFromSource });
  const rows: Omit<MeshLink, 'updatedAt'>[] = [];
  const reviews: Omit<MeshReview, 'createdAt' | 'updatedAt'>[] = [];
  const dirty = new Set<string>();
  const wasInReview = [...existing.values()].some((l) => l.status === 'review');
  const openReviews = wasInReview ? new Map((await store.listMeshReviews(mesh, { status: 'open' })).filter((r) => r.connector === source).map((r) => [r.accountId, r])) : new Map<string, MeshReview>();
  const row = (id: string, status: MeshLinkStatus, personId: string | null, rule: string | null) => rows.push({ mesh, connector: source, accountId: id, personId, status, rule, runId });
  for (const a of accounts) {
    const d = decisions.get(a.id)!;
    const before = existing.get(a.id);
    if (before?.personId && before.status === 'linked') dirty.add(before.personId);
    if (d.action === 'keep') continue;
    if (d.action === 'link' || d.action === 'found') {
      row(a.id, 'linked', d.personId, d.rule);
      dirty.add(d.personId);
      counts[d.action === 'link' ? 'linked' : 'founded']++;
      const review = openReviews.get(a.id);
      if (review) reviews.push({ mesh, connector: source, accountId: a.id, rule: review.rule, reason: review.reason, candidates: review.candidates, status: 'resolved' });
    } else if (d.action === 'review') {
      row(a.id, 'review', null, d.rule);
      reviews.push({ mesh, connector: source, accountId: a.id, rule: d.rule, reason: d.reason, candidates: d.candidates, status: 'open' });
      counts.review++;
    } else if (before?.status !== d.action) {
      row(a.id, d.action, null, null);
      counts[d.action]++;
    }
  }
  await store.saveMeshLinks(rows);
  await store.saveMeshReviews(reviews);
  counts.persons = await recomputePersons(store, def, [...dirty], runId);
  return counts;
}

/** Recomputes persons from their linked accounts; saves (and re-keys) only those that changed.
 *  Returns how many changed. */
export async function recomputePersons(store: IdentityStore, def: MeshDefinition, personIds: string[], runId: string): Promise<number> {
  if (personIds.length === 0) return 0;
  const mesh = def.name;
  const links = (await store.listMeshLinksOf(mesh, personIds)).filter((l) => l.status === 'linked');
  const accounts = new Map<string, MeshAccount>();
  const bySource = new Map<string, string[]>();
  for (const l of links) bySource.set(l.connector, [...(bySource.get(l.connector) ?? []), l.accountId]);
  for (const [source, ids] of bySource) for (const a of await readAccounts(store, source, ids)) accounts.set(accountOwner(source, a.id), a);
  const previous = new Map((await store.getMeshPersons(mesh, personIds)).map((p) => [p.personId, p]));
  const changed: Parameters<IdentityStore['saveMeshPersons']>[0] = [];
  for (const personId of personIds) {
    const linked: LinkedAccount[] = links
      .filter((l) => l.personId === personId)
      .map((l) => ({ account: accounts.get(accountOwner(l.connector, l.accountId))!, rule: l.rule ?? 'manual' }));
    const before = previous.get(personId);
    const next = computePerson(def, linked, runId, before);
    if (before && stableStringify({ s: before.state, a: before.attributes, p: before.provenance }) === stableStringify({ s: next.state, a: next.attributes, p: next.provenance })) continue;
    changed.push({ mesh, personId, ...next });
  }
  await store.saveMeshPersons(changed);
  await store.replaceMeshKeys(mesh, changed.map((p) => ({ owner: personOwner(p.personId), keys: personKeys(def, p.attributes) })));
  return changed.length;
}

/** `provisioning.from: mesh/<name>`: a push's source identities are the mesh's persons, with
 *  their attributes; a leaver is inactive (onLeave: disable) or deleted (onLeave: delete) there. */
export async function listSourceObjects(store: IdentityStore, source: string, kind: 'user' | 'group', opts: { afterId: string | null; limit: number; includeDeleted: boolean }): Promise<ExportedObject[]> {
  const mesh = meshOfSource(source);
  if (mesh === null) return store.listObjects(source, kind, opts);
  if (kind !== 'user') return [];
  const def = await loadMesh(store, mesh);
  const persons = await store.listMeshPersons(mesh, { afterId: opts.afterId, limit: opts.limit });
  const out: ExportedObject[] = [];
  for (const p of persons) {
    const left = p.state === 'left' && def.lifecycle.onLeave !== 'keep';
    if (left && def.lifecycle.onLeave === 'delete' && !opts.includeDeleted) continue;
    out.push({
      id: p.personId,
      attributes: { ...p.attributes, active: !(left && def.lifecycle.onLeave === 'disable') },
      ...(opts.includeDeleted ? { deletedAt: left && def.lifecycle.onLeave === 'delete' ? (p.updatedAt ?? new Date().toISOString()) : null } : {}),
    });
  }
  // A page shorter than the limit ends the keyset walk; left-out persons must not end it early.
  return out;
}

/** A push source exists: a connector, or (`mesh/<name>`) a mesh. */
export async function sourceExists(store: IdentityStore, source: string): Promise<boolean> {
  const mesh = meshOfSource(source);
  return mesh === null ? !!(await store.getConnector(source)) : !!(await store.getMesh(mesh));
}

export function createMeshActivities({ store, client }: MeshDeps) {
  const log = (mesh: string, runId: string | null, level: 'info' | 'warn' | 'error', message: string) =>
    store.appendLog({ connector: meshRunsOf(mesh), runId, level, message });

  return {
    /** Records the run and fixes its window of changes: [last run's end − overlap, now). */
    async beginMeshRun(a: { mesh: string; runId: string; full: boolean; trigger: string }): Promise<{ since: string | null; until: string; sources: string[] }> {
      return asActivity(meshRunsOf(a.mesh), async () => {
        const def = await loadMesh(store, a.mesh);
        await store.beginRun({ runId: a.runId, connector: meshRunsOf(a.mesh), mode: a.full ? 'full' : 'delta', trigger: a.trigger, definition: def });
        const last = a.full ? null : await store.getWatermark(meshRunsOf(a.mesh), 'until');
        const since = last ? new Date(Date.parse(last) - WINDOW_OVERLAP_MS).toISOString() : null;
        const until = new Date(Date.now() + 1).toISOString();
        await log(a.mesh, a.runId, 'info', `mesh ${a.mesh}: ${a.full || !last ? 'full' : 'changed-only'} correlation of ${sourceOrder(def).join(', ')} started`);
        return { since, until, sources: sourceOrder(def) };
      });
    },

    /** One page of a source's accounts changed in the run's window, correlated. */
    async correlateChangedBatch(a: { mesh: string; runId: string; source: string; since: string | null; until: string; afterId: string | null; limit: number }): Promise<{ counts: MeshCounts; nextAfterId: string | null }> {
      return asActivity(meshRunsOf(a.mesh), async () => {
        heartbeat();
        const def = (await store.getRunDefinition(a.runId)) as MeshDefinition | null ?? (await loadMesh(store, a.mesh));
        const page = await store.listChangedObjects(a.source, 'user', { since: a.since, until: a.until, afterId: a.afterId, limit: a.limit });
        const counts = await correlateAccounts(store, def, a.runId, a.source, page.map((o) => toAccount(a.source, o)));
        return { counts, nextAfterId: page.length < a.limit ? null : page[page.length - 1].id };
      });
    },

    /** One page of accounts still unmatched (or in review), tried again: a person they match may
     *  have appeared since (its source synced later, or its mesh attributes changed). */
    async correlatePendingBatch(a: { mesh: string; runId: string; status: 'unmatched' | 'review'; after: { connector: string; accountId: string } | null; limit: number }): Promise<{ counts: MeshCounts; next: { connector: string; accountId: string } | null }> {
      return asActivity(meshRunsOf(a.mesh), async () => {
        heartbeat();
        const def = (await store.getRunDefinition(a.runId)) as MeshDefinition | null ?? (await loadMesh(store, a.mesh));
        const page = await store.listMeshLinksByStatus(a.mesh, a.status, { after: a.after, limit: a.limit });
        const counts = zeroMeshCounts();
        for (const source of sourceOrder(def)) {
          const ids = page.filter((l) => l.connector === source).map((l) => l.accountId);
          if (ids.length === 0) continue;
          const c = await correlateAccounts(store, def, a.runId, source, await readAccounts(store, source, ids));
          for (const k of Object.keys(counts) as (keyof MeshCounts)[]) counts[k] += c[k];
        }
        const last = page[page.length - 1];
        return { counts, next: page.length < a.limit ? null : { connector: last.connector, accountId: last.accountId } };
      });
    },

    /** Closes the run; a successful one moves the window's start. */
    async endMeshRun(a: { mesh: string; runId: string; until: string; counts: MeshCounts; error: string | null }): Promise<void> {
      return asActivity(meshRunsOf(a.mesh), async () => {
        const c = a.counts;
        if (!a.error) await store.setWatermark(meshRunsOf(a.mesh), 'until', a.until);
        // Counts are added, so a retried end adds them only while the run is still open.
        if ((await store.getRun(a.runId))?.status !== 'running') return;
        await store.addRunCounts(a.runId, { fetched: c.accounts, inserted: c.founded, updated: c.persons });
        await store.finishRun(a.runId, a.error ? 'failed' : 'succeeded', a.error);
        await log(a.mesh, a.runId, a.error ? 'error' : c.review ? 'warn' : 'info',
          `mesh ${a.mesh} ${a.error ? 'failed' : 'finished'}: ${c.accounts} accounts read, ${c.founded} persons founded, ${c.linked} accounts linked, ` +
          `${c.review} sent to review, ${c.unmatched} unmatched, ${c.persons} persons changed${a.error ? ` — ${a.error}` : ''}`);
      });
    },

    /** After a successful sync of `source`: a run of every mesh it feeds (signal-with-start). */
    async requestMeshesAfterSync(a: { source: string; runId: string }): Promise<string[]> {
      const meshes = (await store.listMeshes()).filter((m) => (m.definition as MeshDefinition).sources.some((s) => s.connector === a.source));
      if (meshes.length === 0 || !client) return [];
      const c = await client();
      for (const m of meshes) await requestMesh(c, m.name, { requestId: `sync/${a.runId}`, trigger: 'sync' });
      return meshes.map((m) => m.name);
    },
  };
}

/** Signal-with-start of mesh/<name>: requests during a run become one more run after it. */
export async function requestMesh(c: Client, mesh: string, req: MeshRequest): Promise<{ workflowId: string }> {
  const handle = await c.workflow.signalWithStart(meshWorkflow, {
    workflowId: meshWorkflowId(mesh),
    taskQueue: process.env.TIGER_TASK_QUEUE ?? 'tiger-sync',
    args: [{ mesh } satisfies MeshWorkflowInput],
    signal: requestMeshSignal,
    signalArgs: [req],
    staticSummary: `mesh ${mesh} · ${req.full ? 'full ' : ''}correlation · ${req.trigger}`,
  });
  return { workflowId: handle.workflowId };
}

export type MeshActivities = ReturnType<typeof createMeshActivities>;
