// Claim-check pages in SQLite: staging a fetched page and applying it to objects and links in one
// transaction. Kept apart from the store so a writer thread (sqlite-writer.ts) can run it on its own
// connection to the same file, and the store in-process (':memory:', tests of either).
import type Database from 'better-sqlite3';
import { statementCache, type Sql } from './sqlite-connection';
import { checkStage, unknownRun } from './run-rules';
import { LINK_KINDS, LINK_PARENT_KIND, isObjectKind, tableOf, toPageRows } from './staged-rows';
import type { LinkRow, ObjectRow, PageRows } from './staged-rows';
import type { ApplyCounts, DeletionCandidates, LinkKind, ObjectKind, StagedPage } from './types';

/** A live row the run did not see and nothing has written since the run began. */
const UNSEEN = '(last_seen_run IS NOT @runId AND (seen_seq IS NULL OR seen_seq < @startSeq))';

export class SqlitePages {
  private readonly sql: Sql;

  constructor(private readonly db: Database.Database) {
    this.sql = statementCache(db);
  }

  /** Callers hold the write lock (an IMMEDIATE transaction), so values are taken in commit order. */
  nextChangeSeq(): number {
    return this.sql('UPDATE change_seq SET value = value + 1 WHERE id = 1 RETURNING value').pluck().get() as number;
  }

  /** An already applied key keeps its row: re-staging it (a retried fetch) must not turn the
   *  remembered counts back into a pending page. */
  stage(stageKey: string, connector: string, payload: string, runId: string | null): void {
    this.sql(
      `INSERT INTO staged_pages (stage_key, connector, run_id, payload, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (stage_key) DO UPDATE SET connector = excluded.connector, payload = excluded.payload,
         created_at = excluded.created_at, run_id = coalesce(excluded.run_id, staged_pages.run_id)
       WHERE staged_pages.applied_at IS NULL`,
    ).run(stageKey, connector, runId, payload, new Date().toISOString());
  }

  apply(stageKey: string, connector: string, runId: string): ApplyCounts {
    // IMMEDIATE takes the write lock up front, so two processes applying the same key queue up
    // and the second one reads applied_at instead of applying twice.
    return this.db.transaction(() => this.applyInTransaction(stageKey, connector, runId)).immediate();
  }

  private applyInTransaction(stageKey: string, connector: string, runId: string): ApplyCounts {
    const stage = this.sql('SELECT connector, payload, counts, applied_at FROM staged_pages WHERE stage_key = ?').get(
      stageKey,
    ) as { connector: string; payload: string | null; counts: string | null; applied_at: string | null } | undefined;
    checkStage(stage, stageKey, connector);
    if (stage.applied_at !== null) return JSON.parse(stage.counts!) as ApplyCounts;

    const rows = toPageRows(JSON.parse(stage.payload!) as StagedPage);
    const now = new Date().toISOString();
    const counts: ApplyCounts = { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
    const seq = this.nextChangeSeq();
    // Upserts first, deletions last: a page that both lists and deletes an id ends deleted,
    // which is what a source reporting the deletion later than the record means.
    this.applyObjects(connector, runId, seq, now, rows.objects, counts);
    this.applyLinks(connector, runId, seq, rows.links, counts);
    this.pruneLinkSets(connector, now, rows.linkSets, counts);
    this.applyDeletions(connector, now, rows.deletions, counts);

    this.sql(
      'UPDATE staged_pages SET payload = NULL, counts = ?, run_id = ?, applied_at = ? WHERE stage_key = ?',
    ).run(JSON.stringify(counts), runId, now, stageKey);
    return counts;
  }

  /**
   * insert when new; update when the content hash differs, unless the source's updatedAt is
   * older than the stored one (a late page must not undo a newer change); an object seen again
   * after a deletion is revived and counts as updated even when its content is the same. Every
   * object is marked seen by this run and stamped with this apply's change sequence, whatever
   * else happens.
   */
  private applyObjects(connector: string, runId: string, seq: number, now: string, objects: ObjectRow[], counts: ApplyCounts): void {
    const get = this.sql(
      `SELECT hash, source_updated_at AS updatedAt, deleted_at AS deletedAt, updated_at AS rowUpdatedAt
       FROM objects WHERE connector = ? AND kind = ? AND external_id = ?`,
    );
    const insert = this.sql(
      `INSERT INTO objects (connector, kind, external_id, attributes, hash, source_updated_at, last_seen_run,
         changed_run, seen_seq, deleted_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
    );
    const update = this.sql(
      `UPDATE objects SET attributes = ?, hash = ?, source_updated_at = ?, last_seen_run = ?, changed_run = ?, seen_seq = ?,
         deleted_at = NULL, updated_at = ?
       WHERE connector = ? AND kind = ? AND external_id = ?`,
    );
    const seen = this.sql(
      `UPDATE objects SET source_updated_at = ?, last_seen_run = ?,
         changed_run = CASE WHEN deleted_at IS NULL THEN changed_run ELSE ? END, seen_seq = ?, deleted_at = NULL, updated_at = ?
       WHERE connector = ? AND kind = ? AND external_id = ?`,
    );
    for (const o of objects) {
      const prev = get.get(connector, o.kind, o.id) as
        | { hash: string; updatedAt: string | null; deletedAt: string | null; rowUpdatedAt: string }
        | undefined;
      if (!prev) {
        insert.run(connector, o.kind, o.id, o.attributes, o.hash, o.updatedAt, runId, runId, seq, now, now);
        counts.inserted++;
        continue;
      }
      const older = o.updatedAt !== null && prev.updatedAt !== null && o.updatedAt < prev.updatedAt;
      const sourceUpdatedAt = older ? prev.updatedAt : (o.updatedAt ?? prev.updatedAt);
      if (!older && o.hash !== prev.hash) {
        update.run(o.attributes, o.hash, sourceUpdatedAt, runId, runId, seq, now, connector, o.kind, o.id);
        counts.updated++;
      } else if (prev.deletedAt !== null) {
        seen.run(sourceUpdatedAt, runId, runId, seq, now, connector, o.kind, o.id);
        counts.updated++;
      } else {
        seen.run(sourceUpdatedAt, runId, runId, seq, prev.rowUpdatedAt, connector, o.kind, o.id);
        counts.unchanged++;
      }
    }
  }

  /**
   * Links have no source timestamp: the content hash (attributes, child kind) alone decides; a
   * deleted link seen again is revived and counts as updated.
   * Links are most of the volume (a million memberships), so each row costs one statement in the
   * common case instead of a read plus a write: a first sync mostly inserts and a later full sync
   * mostly re-sees unchanged rows, so whichever of the two the previous row needed is tried first.
   */
  private applyLinks(connector: string, runId: string, seq: number, links: LinkRow[], counts: ApplyCounts): void {
    const insert = this.sql(
      `INSERT INTO links (connector, kind, parent_id, child_id, child_kind, attributes, hash, last_seen_run, seen_seq,
         deleted_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
       ON CONFLICT (connector, kind, parent_id, child_id) DO NOTHING`,
    );
    const seenIfSame = this.sql(
      `UPDATE links SET last_seen_run = ?, seen_seq = ?
       WHERE connector = ? AND kind = ? AND parent_id = ? AND child_id = ?
         AND hash IS ? AND child_kind = ? AND deleted_at IS NULL`,
    );
    const update = this.sql(
      `UPDATE links SET child_kind = ?, attributes = ?, hash = ?, last_seen_run = ?, seen_seq = ?, deleted_at = NULL
       WHERE connector = ? AND kind = ? AND parent_id = ? AND child_id = ?`,
    );
    const tryInsert = (l: LinkRow): boolean =>
      insert.run(connector, l.kind, l.parent, l.child, l.childKind, l.attributes, l.hash, runId, seq).changes > 0;
    const trySeen = (l: LinkRow): boolean =>
      seenIfSame.run(runId, seq, connector, l.kind, l.parent, l.child, l.hash, l.childKind).changes > 0;
    let insertFirst = true;
    for (const l of links) {
      const outcome: 'inserted' | 'unchanged' | 'updated' = insertFirst
        ? tryInsert(l) ? 'inserted' : trySeen(l) ? 'unchanged' : 'updated'
        : trySeen(l) ? 'unchanged' : tryInsert(l) ? 'inserted' : 'updated';
      if (outcome === 'updated') {
        update.run(l.childKind, l.attributes, l.hash, runId, seq, connector, l.kind, l.parent, l.child);
      }
      counts[outcome]++;
      insertFirst = outcome === 'inserted';
    }
  }

  private pruneLinkSets(connector: string, now: string, sets: PageRows['linkSets'], counts: ApplyCounts): void {
    const live = this.sql(
      'SELECT child_id FROM links WHERE connector = ? AND kind = ? AND parent_id = ? AND deleted_at IS NULL',
    ).pluck();
    const remove = this.sql(
      `UPDATE links SET deleted_at = ? WHERE connector = ? AND kind = ? AND parent_id = ? AND child_id = ?
         AND deleted_at IS NULL`,
    );
    for (const set of sets) {
      for (const child of live.all(connector, set.kind, set.parent) as string[]) {
        if (!set.children.has(child)) counts.deleted += remove.run(now, connector, set.kind, set.parent, child).changes;
      }
    }
  }

  /** Deleted objects take their links with them; counts include those links. */
  private applyDeletions(connector: string, now: string, deletions: PageRows['deletions'], counts: ApplyCounts): void {
    const remove = this.sql(
      `UPDATE objects SET deleted_at = ?, updated_at = ?
       WHERE connector = ? AND kind = ? AND external_id = ? AND deleted_at IS NULL`,
    );
    for (const d of deletions) {
      counts.deleted += remove.run(now, now, connector, d.kind, d.id).changes;
    }
    // Also for ids the store never held live: a link can arrive before its user does.
    counts.deleted += this.cascadeToLinks(connector, now, deletions);
  }

  cascadeToLinks(connector: string, now: string, gone: { kind: ObjectKind; id: string }[]): number {
    const asParent = this.sql(
      'UPDATE links SET deleted_at = ? WHERE connector = ? AND kind = ? AND parent_id = ? AND deleted_at IS NULL',
    );
    // One pass over the connector's links per child kind (there is no index by child, see the schema).
    const asChild = this.sql(
      `UPDATE links SET deleted_at = ?
       WHERE connector = ? AND child_kind = ? AND deleted_at IS NULL AND child_id IN (SELECT value FROM json_each(?))`,
    );
    let n = 0;
    for (const childKind of ['user', 'group'] as const) {
      const ids = gone.filter((d) => d.kind === childKind).map((d) => d.id);
      if (ids.length > 0) n += asChild.run(now, connector, childKind, JSON.stringify(ids)).changes;
    }
    for (const d of gone) {
      for (const linkKind of LINK_KINDS) {
        if (LINK_PARENT_KIND[linkKind] === d.kind) n += asParent.run(now, connector, linkKind, d.id).changes;
      }
    }
    return n;
  }

  // ---- the deletion step's sweeps: whole-table work, so also off the caller's thread ----

  /** The change sequence a run began at; a run begun before sequences existed counts as 0, which
   *  leaves only rows no apply has stamped since the upgrade eligible for its deletion step. */
  private startSeqOf(runId: string): number {
    const row = this.sql('SELECT start_seq AS startSeq FROM runs WHERE run_id = ?').get(runId) as
      | { startSeq: number | null }
      | undefined;
    if (!row) throw unknownRun(runId);
    return row.startSeq ?? 0;
  }

  countUnseen(connector: string, runId: string, kinds: (ObjectKind | LinkKind)[]): DeletionCandidates[] {
    const startSeq = this.startSeqOf(runId);
    return kinds.map((kind) => {
      const row = this.sql(
        `SELECT count(*) AS total, coalesce(sum(${UNSEEN}), 0) AS unseen
         FROM ${tableOf(kind)} WHERE connector = @connector AND kind = @kind AND deleted_at IS NULL`,
      ).get({ connector, runId, kind, startSeq }) as { total: number; unseen: number };
      return { kind, total: row.total, unseen: row.unseen };
    });
  }

  /** Unseen objects take their links with them, as deletions in a page do; the count includes them. */
  deleteUnseen(connector: string, runId: string, kinds: (ObjectKind | LinkKind)[]): number {
    return this.db.transaction(() => {
      const startSeq = this.startSeqOf(runId);
      const now = new Date().toISOString();
      let n = 0;
      for (const kind of kinds.filter(isObjectKind)) {
        const gone = this.sql(
          `UPDATE objects SET deleted_at = @now, updated_at = @now
           WHERE connector = @connector AND kind = @kind AND deleted_at IS NULL AND ${UNSEEN}
           RETURNING kind, external_id AS id`,
        ).all({ now, connector, kind, runId, startSeq }) as { kind: ObjectKind; id: string }[];
        // Only the objects swept here take their links along: one written since the run began
        // kept its row, and so keeps its memberships.
        n += gone.length + this.cascadeToLinks(connector, now, gone);
      }
      for (const kind of kinds.filter((k) => !isObjectKind(k))) {
        n += this.sql(
          `UPDATE links SET deleted_at = @now
           WHERE connector = @connector AND kind = @kind AND deleted_at IS NULL AND ${UNSEEN}`,
        ).run({ now, connector, kind, runId, startSeq }).changes;
      }
      return n;
    }).immediate();
  }
}
