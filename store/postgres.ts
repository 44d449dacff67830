// The PostgreSQL engine. Pages are applied with a few set-based statements (arrays unnested
// server-side), never one query per row: a round trip per membership would dominate a full sync.
import { Pool } from 'pg';
import type { PoolClient } from 'pg';
import { checkStage, finishedAt, unknownRun } from './run-rules';
import { exportedLink, exportedObject, pushStateCounts } from './rows';
import { POSTGRES_SCHEMA } from './schema-postgres';
import { LINK_KINDS, LINK_PARENT_KIND, isObjectKind, tableOf, toPageRows } from './staged-rows';
import type { LinkRow, ObjectRow, PageRows } from './staged-rows';
import type {
  ApplyCounts,
  DeletionCandidates,
  ExportData,
  ExportedLink,
  ExportedObject,
  IdentityStore,
  LinkKind,
  ObjectAudit,
  ObjectKind,
  ProjectionRecord,
  PushPlanPage,
  PushStateRecord,
  QuarantineRecord,
  QuarantineStatus,
  RunLogEntry,
  RunMode,
  RunRecord,
  RunStatus,
  StagedPage,
  StoredConnector,
} from './types';
import type { MeshKey, MeshLink, MeshLinkStatus, MeshPerson, MeshReview, MeshReviewStatus, StoredMesh } from './types';

/** Rows per statement: large enough to amortize the round trip, small enough for modest memory. */
const BATCH = 5000;
const MIGRATE_LOCK = 0x7469676572; // "tiger": processes starting together migrate one at a time

interface RunRow {
  run_id: string;
  connector: string;
  mode: RunMode;
  trigger: string;
  status: RunStatus;
  started_at: Date;
  finished_at: Date | null;
  fetched: string;
  inserted: string;
  updated: string;
  unchanged: string;
  deleted: string;
  error: string | null;
}

interface ConnectorRow {
  name: string;
  type: string;
  enabled: boolean;
  definition: unknown;
  created_at: Date;
  updated_at: Date;
}

// Shared by the object upsert and its counting query: take the incoming attributes when they
// differ and are not older than what is stored (no timestamp on either side: the hash decides).
// Arguments are column prefixes: 'excluded.' and 'o.' in the upsert, 'p.in_' and 'p.' in the count.
const takeIncoming = (incoming: string, stored: string): string =>
  `(${incoming}hash <> ${stored}hash AND (${incoming}source_updated_at IS NULL OR ` +
  `${stored}source_updated_at IS NULL OR ${incoming}source_updated_at >= ${stored}source_updated_at))`;

export const UPSERT_OBJECTS = `
WITH input AS (
  SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
    AS t(kind, external_id, attributes, hash, source_updated_at)
),
-- The stored row of each input key (keys are unique), with the incoming values beside it, so the
-- counts come from prev alone. One primary-key probe per key (LATERAL ... LIMIT 1 cannot be
-- flattened into a join): statistics lag a table that a sync is filling, and with them the planner
-- hashed the connector's whole table for every page (a full sync slowing as it grew), or joined
-- input to prev again as a 5000 x 5000 nested loop (1.7 s per page on a re-sync).
prev AS (
  SELECT o.hash, o.source_updated_at, o.deleted_at, i.hash AS in_hash, i.source_updated_at AS in_source_updated_at
  FROM input i CROSS JOIN LATERAL (
    SELECT hash, source_updated_at, deleted_at FROM objects
    WHERE connector = $1 AND kind = i.kind AND external_id = i.external_id LIMIT 1
  ) o
),
written AS (
  INSERT INTO objects AS o (connector, kind, external_id, attributes, hash, source_updated_at, last_seen_run,
    changed_run, seen_seq, deleted_at, created_at, updated_at)
  SELECT $1, kind, external_id, attributes::jsonb, hash, source_updated_at, $7, $7, $8, NULL, now(), now() FROM input
  ON CONFLICT (connector, kind, external_id) DO UPDATE SET
    attributes = CASE WHEN ${takeIncoming('excluded.', 'o.')} THEN excluded.attributes ELSE o.attributes END,
    hash = CASE WHEN ${takeIncoming('excluded.', 'o.')} THEN excluded.hash ELSE o.hash END,
    source_updated_at = GREATEST(o.source_updated_at, excluded.source_updated_at),
    updated_at = CASE WHEN ${takeIncoming('excluded.', 'o.')} OR o.deleted_at IS NOT NULL THEN now() ELSE o.updated_at END,
    last_seen_run = excluded.last_seen_run,
    changed_run = CASE WHEN ${takeIncoming('excluded.', 'o.')} OR o.deleted_at IS NOT NULL THEN excluded.changed_run ELSE o.changed_run END,
    seen_seq = GREATEST(o.seen_seq, excluded.seen_seq),
    deleted_at = NULL
)
SELECT
  ((SELECT count(*) FROM input) - count(*))::int AS inserted,
  count(*) FILTER (WHERE p.deleted_at IS NOT NULL OR ${takeIncoming('p.in_', 'p.')})::int AS updated
FROM prev p`;

export const UPSERT_LINKS = `
WITH input AS (
  SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
    AS t(kind, parent_id, child_id, child_kind, attributes, hash)
),
-- As in UPSERT_OBJECTS: one key probe per input link, counted from prev alone.
prev AS (
  SELECT l.child_kind, l.hash, l.deleted_at, i.hash AS in_hash, i.child_kind AS in_child_kind
  FROM input i CROSS JOIN LATERAL (
    SELECT child_kind, hash, deleted_at FROM links
    WHERE connector = $1 AND kind = i.kind AND parent_id = i.parent_id AND child_id = i.child_id LIMIT 1
  ) l
),
written AS (
  INSERT INTO links AS l (connector, kind, parent_id, child_id, child_kind, attributes, hash, last_seen_run, seen_seq,
    deleted_at)
  SELECT $1, kind, parent_id, child_id, child_kind, attributes::jsonb, hash, $8, $9, NULL FROM input
  ON CONFLICT (connector, kind, parent_id, child_id) DO UPDATE SET
    child_kind = excluded.child_kind, attributes = excluded.attributes, hash = excluded.hash,
    last_seen_run = excluded.last_seen_run, seen_seq = GREATEST(l.seen_seq, excluded.seen_seq), deleted_at = NULL
)
SELECT
  ((SELECT count(*) FROM input) - count(*))::int AS inserted,
  count(*) FILTER (WHERE p.deleted_at IS NOT NULL OR p.hash IS DISTINCT FROM p.in_hash OR p.child_kind <> p.in_child_kind)::int AS updated
FROM prev p`;

export class PostgresStore implements IdentityStore {
  readonly engine = 'postgres' as const;
  private readonly pool: Pool;
  private readonly schema: string | undefined;

  constructor(url: string, opts: { schema?: string } = {}) {
    if (opts.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(opts.schema)) {
      throw new Error(
        `postgres schema ${JSON.stringify(opts.schema)} is not a plain identifier: use letters, digits and _ (max 63)`,
      );
    }
    this.schema = opts.schema;
    // search_path travels in the startup packet, so every pooled connection has it before its
    // first query (no per-checkout SET to forget).
    this.pool = new Pool({
      connectionString: url,
      max: 4,
      ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
    });
    // An idle connection dropped by the server must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    await this.transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
      if (this.schema) {
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
        await c.query(`SET LOCAL search_path TO ${this.schema}`);
      }
      await c.query(POSTGRES_SCHEMA);
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async transaction<T>(work: (c: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw err;
    } finally {
      // A connection that cannot even roll back is discarded rather than handed out again.
      client.release(broken);
    }
  }

  // ---- connectors ----

  async saveConnector(c: Omit<StoredConnector, 'createdAt' | 'updatedAt'>): Promise<StoredConnector> {
    const { rows } = await this.pool.query<ConnectorRow>(
      `INSERT INTO connectors (name, type, enabled, definition, created_at, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, now(), now())
       ON CONFLICT (name) DO UPDATE SET type = excluded.type, enabled = excluded.enabled,
         definition = excluded.definition, updated_at = excluded.updated_at
       RETURNING *`,
      [c.name, c.type, c.enabled, JSON.stringify(c.definition ?? null)],
    );
    return toConnector(rows[0]);
  }

  async getConnector(name: string): Promise<StoredConnector | null> {
    const { rows } = await this.pool.query<ConnectorRow>('SELECT * FROM connectors WHERE name = $1', [name]);
    return rows[0] ? toConnector(rows[0]) : null;
  }

  async listConnectors(): Promise<StoredConnector[]> {
    const { rows } = await this.pool.query<ConnectorRow>('SELECT * FROM connectors ORDER BY name');
    return rows.map(toConnector);
  }

  /** Removes the connector and its watermarks (a connector created again under the name must
   *  start with a full sync); its synced data and run history stay for audit. */
  async deleteConnector(name: string): Promise<boolean> {
    return this.transaction(async (c) => {
      await c.query('DELETE FROM watermarks WHERE connector = $1', [name]);
      return ((await c.query('DELETE FROM connectors WHERE name = $1', [name])).rowCount ?? 0) > 0;
    });
  }

  // ---- runs and their log ----

  async beginRun(r: { runId: string; connector: string; mode: RunMode; trigger: string; definition?: unknown }): Promise<RunRecord> {
    await this.pool.query(
      `INSERT INTO runs (run_id, connector, mode, trigger, status, started_at, start_seq, definition)
       VALUES ($1, $2, $3, $4, 'running', now(), nextval('change_seq'), $5::jsonb)
       ON CONFLICT (run_id) DO NOTHING`,
      [r.runId, r.connector, r.mode, r.trigger, r.definition === undefined ? null : JSON.stringify(r.definition)],
    );
    return (await this.getRun(r.runId))!;
  }

  async getRunDefinition(runId: string): Promise<unknown> {
    const { rows } = await this.pool.query<{ definition: unknown }>('SELECT definition FROM runs WHERE run_id = $1', [runId]);
    return rows[0]?.definition ?? null;
  }

  async abandonRuns(connector: string, exceptRunId: string, error: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ run_id: string }>(
      `UPDATE runs SET status = 'failed', finished_at = now(), error = $3
       WHERE connector = $1 AND run_id <> $2 AND mode IN ('full', 'delta') AND status IN ('running', 'held')
       RETURNING run_id`,
      [connector, exceptRunId, error],
    );
    return rows.map((r) => r.run_id);
  }

  /** The change sequence a run began at; a run begun before sequences existed counts as 0, which
   *  leaves only rows no apply has stamped since the upgrade eligible for its deletion step. */
  private async startSeqOf(c: PoolClient | Pool, runId: string): Promise<number> {
    const { rows } = await c.query<{ start_seq: string | null }>('SELECT start_seq FROM runs WHERE run_id = $1', [runId]);
    if (!rows[0]) throw unknownRun(runId);
    return Number(rows[0].start_seq ?? 0);
  }

  async addRunCounts(runId: string, counts: Partial<ApplyCounts & { fetched: number }>): Promise<void> {
    const { rowCount } = await this.pool.query(
      `UPDATE runs SET fetched = fetched + $2, inserted = inserted + $3, updated = updated + $4,
         unchanged = unchanged + $5, deleted = deleted + $6
       WHERE run_id = $1`,
      [
        runId,
        counts.fetched ?? 0,
        counts.inserted ?? 0,
        counts.updated ?? 0,
        counts.unchanged ?? 0,
        counts.deleted ?? 0,
      ],
    );
    if (!rowCount) throw unknownRun(runId);
  }

  async setRunMode(runId: string, mode: RunMode): Promise<void> {
    const { rowCount } = await this.pool.query('UPDATE runs SET mode = $2 WHERE run_id = $1', [runId, mode]);
    if (!rowCount) throw unknownRun(runId);
  }

  async finishRun(runId: string, status: RunStatus, error?: string | null): Promise<RunRecord> {
    const { rows } = await this.pool.query<RunRow>(
      'UPDATE runs SET status = $2, finished_at = $3, error = $4 WHERE run_id = $1 RETURNING *',
      [runId, status, finishedAt(status, new Date().toISOString()), error ?? null],
    );
    if (!rows[0]) throw unknownRun(runId);
    return toRun(rows[0]);
  }

  async getRun(runId: string): Promise<RunRecord | null> {
    const { rows } = await this.pool.query<RunRow>('SELECT * FROM runs WHERE run_id = $1', [runId]);
    return rows[0] ? toRun(rows[0]) : null;
  }

  async listRuns(connector: string, limit: number, only: { mode?: RunMode; status?: RunStatus } = {}): Promise<RunRecord[]> {
    const { rows } = await this.pool.query<RunRow>(
      'SELECT * FROM runs WHERE connector = $1 AND ($3::text IS NULL OR mode = $3) AND ($4::text IS NULL OR status = $4) ' +
        'ORDER BY started_at DESC, seq DESC LIMIT $2',
      [connector, limit, only.mode ?? null, only.status ?? null],
    );
    return rows.map(toRun);
  }

  async appendLog(e: Omit<RunLogEntry, 'at'>): Promise<void> {
    await this.pool.query('INSERT INTO run_log (at, connector, run_id, level, message) VALUES (now(), $1, $2, $3, $4)', [
      e.connector,
      e.runId ?? null,
      e.level,
      e.message,
    ]);
  }

  async listLogs(connector: string, opts: { limit: number; runId?: string }): Promise<RunLogEntry[]> {
    const { rows } = await this.pool.query<{ at: Date; connector: string; run_id: string | null; level: RunLogEntry['level']; message: string }>(
      `SELECT at, connector, run_id, level, message FROM run_log
       WHERE connector = $1 AND ($2::text IS NULL OR run_id = $2)
       ORDER BY id DESC LIMIT $3`,
      [connector, opts.runId ?? null, opts.limit],
    );
    return rows.map((r) => ({ at: r.at.toISOString(), connector: r.connector, runId: r.run_id, level: r.level, message: r.message }));
  }

  // ---- claim-check staging ----

  /** An already applied key keeps its row: re-staging it (a retried fetch) must not turn the
   *  remembered counts back into a pending page. */
  async stagePage(stageKey: string, connector: string, page: StagedPage, runId?: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO staged_pages (stage_key, connector, run_id, payload, created_at) VALUES ($1, $2, $4, $3, now())
       ON CONFLICT (stage_key) DO UPDATE SET connector = excluded.connector, payload = excluded.payload,
         created_at = excluded.created_at, run_id = coalesce(excluded.run_id, staged_pages.run_id)
       WHERE staged_pages.applied_at IS NULL`,
      [stageKey, connector, JSON.stringify(page), runId ?? null],
    );
  }

  async applyStagedPage(stageKey: string, connector: string, runId: string): Promise<ApplyCounts> {
    return this.transaction(async (c) => {
      // FOR UPDATE queues a second apply of the same key behind this one; it then finds applied_at.
      const { rows } = await c.query<{
        connector: string;
        payload: string | null;
        counts: ApplyCounts | null;
        applied_at: Date | null;
      }>('SELECT connector, payload, counts, applied_at FROM staged_pages WHERE stage_key = $1 FOR UPDATE', [stageKey]);
      const stage = rows[0];
      checkStage(stage, stageKey, connector);
      if (stage.applied_at !== null) return stage.counts!;

      const page = toPageRows(JSON.parse(stage.payload!) as StagedPage);
      const counts: ApplyCounts = { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
      // Taken after the stage row is locked, before any row is written (see deleteUnseen).
      const seq = Number((await c.query<{ seq: string }>("SELECT nextval('change_seq') AS seq")).rows[0].seq);
      // Upserts first, deletions last (as in SQLite): a page that both lists and deletes an id
      // ends deleted. Rows go in key order so concurrent applies lock rows in the same order.
      await this.applyObjects(c, connector, runId, seq, page.objects, counts);
      await this.applyLinks(c, connector, runId, seq, page.links, counts);
      await this.pruneLinkSets(c, connector, page.linkSets, counts);
      await this.applyDeletions(c, connector, page.deletions, counts);

      await c.query(
        'UPDATE staged_pages SET payload = NULL, counts = $2, run_id = $3, applied_at = now() WHERE stage_key = $1',
        [stageKey, JSON.stringify(counts), runId],
      );
      return counts;
    });
  }

  /** Same rule as SQLite: new → inserted; differing hash and not older → updated; a revived
   *  (previously deleted) object → updated; else unchanged. Every object is marked seen and
   *  stamped with the apply's change sequence (never lowered: see deleteUnseen). */
  private async applyObjects(c: PoolClient, connector: string, runId: string, seq: number, objects: ObjectRow[], counts: ApplyCounts) {
    const sorted = [...objects].sort((a, b) => compare(a.kind, b.kind) || compare(a.id, b.id));
    for (let i = 0; i < sorted.length; i += BATCH) {
      const batch = sorted.slice(i, i + BATCH);
      const { rows } = await c.query<{ inserted: number; updated: number }>(UPSERT_OBJECTS, [
        connector,
        batch.map((o) => o.kind),
        batch.map((o) => o.id),
        batch.map((o) => o.attributes),
        batch.map((o) => o.hash),
        batch.map((o) => o.updatedAt),
        runId,
        seq,
      ]);
      counts.inserted += rows[0].inserted;
      counts.updated += rows[0].updated;
      counts.unchanged += batch.length - rows[0].inserted - rows[0].updated;
    }
  }

  private async applyLinks(c: PoolClient, connector: string, runId: string, seq: number, links: LinkRow[], counts: ApplyCounts) {
    const sorted = [...links].sort(
      (a, b) => compare(a.kind, b.kind) || compare(a.parent, b.parent) || compare(a.child, b.child),
    );
    for (let i = 0; i < sorted.length; i += BATCH) {
      const batch = sorted.slice(i, i + BATCH);
      const { rows } = await c.query<{ inserted: number; updated: number }>(UPSERT_LINKS, [
        connector,
        batch.map((l) => l.kind),
        batch.map((l) => l.parent),
        batch.map((l) => l.child),
        batch.map((l) => l.childKind),
        batch.map((l) => l.attributes),
        batch.map((l) => l.hash),
        runId,
        seq,
      ]);
      counts.inserted += rows[0].inserted;
      counts.updated += rows[0].updated;
      counts.unchanged += batch.length - rows[0].inserted - rows[0].updated;
    }
  }

  private async pruneLinkSets(c: PoolClient, connector: string, sets: PageRows['linkSets'], counts: ApplyCounts) {
    if (sets.length === 0) return;
    const keep = sets.flatMap((s) => [...s.children].map((child) => [s.kind, s.parent, child] as const));
    const { rowCount } = await c.query(
      `WITH sets AS (SELECT * FROM unnest($2::text[], $3::text[]) AS s(kind, parent_id)),
            keep AS (SELECT * FROM unnest($4::text[], $5::text[], $6::text[]) AS k(kind, parent_id, child_id))
       UPDATE links l SET deleted_at = now()
       FROM sets s
       WHERE l.connector = $1 AND l.kind = s.kind AND l.parent_id = s.parent_id AND l.deleted_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM keep k
                         WHERE k.kind = l.kind AND k.parent_id = l.parent_id AND k.child_id = l.child_id)`,
      [
        connector,
        sets.map((s) => s.kind),
        sets.map((s) => s.parent),
        keep.map((k) => k[0]),
        keep.map((k) => k[1]),
        keep.map((k) => k[2]),
      ],
    );
    counts.deleted += rowCount ?? 0;
  }

  /** Deleted objects take their links with them; counts include those links. */
  private async applyDeletions(c: PoolClient, connector: string, deletions: PageRows['deletions'], counts: ApplyCounts) {
    if (deletions.length === 0) return;
    const { rowCount } = await c.query(
      `UPDATE objects o SET deleted_at = now(), updated_at = now()
       FROM unnest($2::text[], $3::text[]) AS d(kind, external_id)
       WHERE o.connector = $1 AND o.kind = d.kind AND o.external_id = d.external_id AND o.deleted_at IS NULL`,
      [connector, deletions.map((d) => d.kind), deletions.map((d) => d.id)],
    );
    counts.deleted += rowCount ?? 0;
    // Also for ids the store never held live: a link can arrive before its user does.
    counts.deleted += await this.cascadeToLinks(c, connector, deletions);
  }

  private async cascadeToLinks(c: PoolClient, connector: string, gone: { kind: ObjectKind; id: string }[]) {
    if (gone.length === 0) return 0;
    const kinds = gone.map((d) => d.kind);
    const ids = gone.map((d) => d.id);
    // Two statements, not one with OR: each uses its index (by child; by primary key for parents).
    const asChild = await c.query(
      `UPDATE links l SET deleted_at = now()
       FROM unnest($2::text[], $3::text[]) AS d(kind, external_id)
       WHERE l.connector = $1 AND l.child_kind = d.kind AND l.child_id = d.external_id AND l.deleted_at IS NULL`,
      [connector, kinds, ids],
    );
    const parentKinds = LINK_KINDS.map((k) => `WHEN '${LINK_PARENT_KIND[k]}' THEN '${k}'`).join(' ');
    const asParent = await c.query(
      `UPDATE links l SET deleted_at = now()
       FROM unnest($2::text[], $3::text[]) AS d(kind, external_id)
       WHERE l.connector = $1 AND l.kind = (CASE d.kind ${parentKinds} END) AND l.parent_id = d.external_id
         AND l.deleted_at IS NULL`,
      [connector, kinds, ids],
    );
    return (asChild.rowCount ?? 0) + (asParent.rowCount ?? 0);
  }

  async dropStagedPages(runId: string): Promise<number> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM staged_pages WHERE run_id = $1 AND applied_at IS NOT NULL',
      [runId],
    );
    return rowCount ?? 0;
  }

  async dropStaleStagedPages(connector: string, exceptRunId: string, olderThan: string): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM staged_pages
       WHERE (connector = $1 AND run_id <> $2
              AND run_id IN (SELECT run_id FROM runs WHERE connector = $1 AND mode IN ('full', 'delta')))
          OR created_at < $3::timestamptz`,
      [connector, exceptRunId, olderThan],
    );
    return rowCount ?? 0;
  }

  // ---- full-run deletion detection ----

  /** `total` is the live rows when counted, so it includes rows this run inserted. */
  async countUnseen(connector: string, runId: string, kinds: (ObjectKind | LinkKind)[]): Promise<DeletionCandidates[]> {
    const out: DeletionCandidates[] = [];
    const startSeq = await this.startSeqOf(this.pool, runId);
    for (const kind of kinds) {
      const { rows } = await this.pool.query<{ total: number; unseen: number }>(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE ${unseen('$3', '$4')})::int AS unseen
         FROM ${tableOf(kind)} WHERE connector = $1 AND kind = $2 AND deleted_at IS NULL`,
        [connector, kind, runId, startSeq],
      );
      out.push({ kind, total: rows[0].total, unseen: rows[0].unseen });
    }
    return out;
  }

  /**
   * Unseen objects take their links with them, as deletions in a page do; the count includes them.
   *
   * Why `seen_seq < start_seq` is safe under concurrency: nextval order is not commit order, so an
   * apply may draw a value below the run's start_seq and commit after the run began. Its data was
   * read from the source before its transaction began, so before the run began too: an object it
   * wrote that the run's own read did not find had left the source by then, and may be swept. If
   * the run's read did find it, the run's apply drew a value above start_seq and, since values
   * are never lowered (GREATEST), the row keeps it whichever commit lands last. Rows stamped at or
   * above start_seq (written after the run began, by a live batch say) are left for the next full
   * run: at worst a deletion is found one run later, never an existing object deleted. A live
   * apply racing this statement blocks on, or is blocked by, the row lock; READ COMMITTED then
   * re-checks the condition on the newest row version, so a freshly stamped row is skipped.
   */
  async deleteUnseen(connector: string, runId: string, kinds: (ObjectKind | LinkKind)[]): Promise<number> {
    for (const kind of kinds) tableOf(kind);
    return this.transaction(async (c) => {
      const startSeq = await this.startSeqOf(c, runId);
      let n = 0;
      const objectKinds = kinds.filter(isObjectKind);
      if (objectKinds.length > 0) {
        const { rows } = await c.query<{ kind: ObjectKind; id: string }>(
          `UPDATE objects SET deleted_at = now(), updated_at = now()
           WHERE connector = $1 AND kind = ANY($2::text[]) AND deleted_at IS NULL AND ${unseen('$3', '$4')}
           RETURNING kind, external_id AS id`,
          [connector, objectKinds, runId, startSeq],
        );
        // Only the objects swept here take their links along.
        n += rows.length + (await this.cascadeToLinks(c, connector, rows));
      }
      const linkKinds = kinds.filter((k) => !isObjectKind(k));
      if (linkKinds.length > 0) {
        const { rowCount } = await c.query(
          `UPDATE links SET deleted_at = now()
           WHERE connector = $1 AND kind = ANY($2::text[]) AND deleted_at IS NULL AND ${unseen('$3', '$4')}`,
          [connector, linkKinds, runId, startSeq],
        );
        n += rowCount ?? 0;
      }
      return n;
    });
  }

  // ---- watermarks ----

  async getWatermark(connector: string, key: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ value: string }>(
      'SELECT value FROM watermarks WHERE connector = $1 AND key = $2',
      [connector, key],
    );
    return rows[0]?.value ?? null;
  }

  async setWatermark(connector: string, key: string, value: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO watermarks (connector, key, value, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (connector, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [connector, key, value],
    );
  }

  async clearWatermarks(connector: string): Promise<void> {
    await this.pool.query('DELETE FROM watermarks WHERE connector = $1', [connector]);
  }

  // ---- reading the synced data ----

  async exportData(connector: string, opts: { includeDeleted: boolean }): Promise<ExportData> {
    const live = opts.includeDeleted ? '' : 'AND deleted_at IS NULL';
    // One REPEATABLE READ snapshot: a concurrent apply cannot land between the kinds.
    return this.transaction(async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const objects = async (kind: ObjectKind): Promise<ExportedObject[]> => {
        const { rows } = await c.query<{ external_id: string; attributes: Record<string, unknown>; deleted_at: Date | null }>(
          `SELECT external_id, attributes, deleted_at FROM objects
           WHERE connector = $1 AND kind = $2 ${live} ORDER BY external_id`,
          [connector, kind],
        );
        return rows.map((r) => exportedObject(r.external_id, r.attributes, iso(r.deleted_at), opts.includeDeleted));
      };
      const links = async (kind: LinkKind): Promise<ExportedLink[]> => {
        const { rows } = await c.query<{
          parent_id: string;
          child_id: string;
          child_kind: 'user' | 'group';
          attributes: Record<string, unknown> | null;
          deleted_at: Date | null;
        }>(
          `SELECT parent_id, child_id, child_kind, attributes, deleted_at FROM links
           WHERE connector = $1 AND kind = $2 ${live} ORDER BY parent_id, child_id`,
          [connector, kind],
        );
        return rows.map((r) => exportedLink({ parent: r.parent_id, child: r.child_id, childKind: r.child_kind, attributes: r.attributes, deletedAt: iso(r.deleted_at) }, opts.includeDeleted));
      };
      return {
        users: await objects('user'),
        groups: await objects('group'),
        memberships: await links('membership'),
        apps: await objects('app'),
        appUsers: await links('appUser'),
      };
    });
  }

  async listObjects(
    connector: string,
    kind: ObjectKind,
    opts: { afterId: string | null; limit: number; includeDeleted: boolean },
  ): Promise<ExportedObject[]> {
    const live = opts.includeDeleted ? '' : 'AND deleted_at IS NULL';
    const { rows } = await this.pool.query<{ external_id: string; attributes: Record<string, unknown>; deleted_at: Date | null }>(
      `SELECT external_id, attributes, deleted_at FROM objects
       WHERE connector = $1 AND kind = $2 AND ($3::text IS NULL OR external_id > $3) ${live}
       ORDER BY external_id LIMIT $4`,
      [connector, kind, opts.afterId, opts.limit],
    );
    return rows.map((r) => exportedObject(r.external_id, r.attributes, iso(r.deleted_at), opts.includeDeleted));
  }

  async listLinks(connector: string, kind: LinkKind, parentId: string, opts: { includeDeleted: boolean }): Promise<ExportedLink[]> {
    const live = opts.includeDeleted ? '' : 'AND deleted_at IS NULL';
    const { rows } = await this.pool.query<{ parent_id: string; child_id: string; child_kind: 'user' | 'group'; attributes: Record<string, unknown> | null; deleted_at: Date | null }>(
      `SELECT parent_id, child_id, child_kind, attributes, deleted_at FROM links
       WHERE connector = $1 AND kind = $2 AND parent_id = $3 ${live} ORDER BY child_id`,
      [connector, kind, parentId],
    );
    return rows.map((r) => exportedLink({ parent: r.parent_id, child: r.child_id, childKind: r.child_kind, attributes: r.attributes, deletedAt: iso(r.deleted_at) }, opts.includeDeleted));
  }

  // ---- projection map ----

  async getProjections(target: string, source: string, kind: ObjectKind, sourceIds: string[]): Promise<ProjectionRecord[]> {
    if (sourceIds.length === 0) return [];
    const { rows } = await this.pool.query<{ target: string; source: string; kind: ObjectKind; source_id: string; target_id: string; hash: string; updated_at: Date }>(
      `SELECT target, source, kind, source_id, target_id, hash, updated_at FROM projections
       WHERE target = $1 AND source = $2 AND kind = $3 AND source_id = ANY($4::text[])
       ORDER BY source_id`,
      [target, source, kind, sourceIds],
    );
    return rows.map((r) => ({
      target: r.target,
      source: r.source,
      kind: r.kind,
      sourceId: r.source_id,
      targetId: r.target_id,
      hash: r.hash,
      updatedAt: r.updated_at.toISOString(),
    }));
  }

  async saveProjections(rows: Omit<ProjectionRecord, 'updatedAt'>[]): Promise<void> {
    if (rows.length === 0) return;
    // The last row of a duplicated key wins, as it would row by row; ON CONFLICT refuses to touch
    // one row twice in a statement.
    const unique = [...new Map(rows.map((r) => [JSON.stringify([r.target, r.source, r.kind, r.sourceId]), r])).values()];
    const col = (f: (r: Omit<ProjectionRecord, 'updatedAt'>) => string) => unique.map(f);
    await this.pool.query(
      `INSERT INTO projections (target, source, kind, source_id, target_id, hash, updated_at)
       SELECT *, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT (target, source, kind, source_id) DO UPDATE SET target_id = excluded.target_id,
         hash = excluded.hash, updated_at = excluded.updated_at`,
      [col((r) => r.target), col((r) => r.source), col((r) => r.kind), col((r) => r.sourceId), col((r) => r.targetId), col((r) => r.hash)],
    );
  }

  async counts(connector: string): Promise<Record<ObjectKind | LinkKind, number>> {
    const out: Record<ObjectKind | LinkKind, number> = { user: 0, group: 0, app: 0, membership: 0, appUser: 0 };
    const { rows } = await this.pool.query<{ kind: ObjectKind | LinkKind; n: number }>(
      `SELECT kind, count(*)::int AS n FROM objects WHERE connector = $1 AND deleted_at IS NULL GROUP BY kind
       UNION ALL
       SELECT kind, count(*)::int AS n FROM links WHERE connector = $1 AND deleted_at IS NULL GROUP BY kind`,
      [connector],
    );
    for (const r of rows) out[r.kind] = r.n;
    return out;
  }

  async getObjects(connector: string, kind: ObjectKind, ids: string[], opts: { includeDeleted: boolean }): Promise<ExportedObject[]> {
    if (ids.length === 0) return [];
    const live = opts.includeDeleted ? '' : 'AND deleted_at IS NULL';
    const { rows } = await this.pool.query<{ external_id: string; attributes: Record<string, unknown>; deleted_at: Date | null }>(
      `SELECT external_id, attributes, deleted_at FROM objects
       WHERE connector = $1 AND kind = $2 AND external_id = ANY($3::text[]) ${live} ORDER BY external_id`,
      [connector, kind, ids],
    );
    return rows.map((r) => ({ id: r.external_id, attributes: r.attributes, ...(opts.includeDeleted ? { deletedAt: iso(r.deleted_at) } : {}) }));
  }

  // ---- push state, quarantine, plans ----

  async getPushStates(target: string, source: string, kind: ObjectKind, sourceIds: string[]): Promise<PushStateRecord[]> {
    if (sourceIds.length === 0) return [];
    const { rows } = await this.pool.query<PushStateRow>(
      `SELECT * FROM push_state WHERE target = $1 AND source = $2 AND kind = $3 AND source_id = ANY($4::text[]) ORDER BY source_id`,
      [target, source, kind, sourceIds],
    );
    return rows.map((r) => ({
      target: r.target,
      source: r.source,
      kind: r.kind,
      sourceId: r.source_id,
      targetId: r.target_id,
      attributes: r.attributes,
      enabled: r.enabled,
      members: r.members,
      hash: r.hash,
      pushedAt: r.pushed_at.toISOString(),
    }));
  }

  async savePushStates(rows: Omit<PushStateRecord, 'pushedAt'>[]): Promise<void> {
    if (rows.length === 0) return;
    const unique = [...new Map(rows.map((r) => [JSON.stringify([r.target, r.source, r.kind, r.sourceId]), r])).values()];
    const col = <T>(f: (r: Omit<PushStateRecord, 'pushedAt'>) => T) => unique.map(f);
    await this.pool.query(
      `INSERT INTO push_state (target, source, kind, source_id, target_id, attributes, enabled, members, hash, pushed_at)
       SELECT t.target, t.source, t.kind, t.source_id, t.target_id, t.attributes::jsonb, t.enabled, t.members::jsonb, t.hash, now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::text[])
         AS t(target, source, kind, source_id, target_id, attributes, enabled, members, hash)
       ON CONFLICT (target, source, kind, source_id) DO UPDATE SET target_id = excluded.target_id,
         attributes = excluded.attributes, enabled = excluded.enabled, members = excluded.members,
         hash = excluded.hash, pushed_at = excluded.pushed_at`,
      [
        col((r) => r.target), col((r) => r.source), col((r) => r.kind), col((r) => r.sourceId), col((r) => r.targetId),
        col((r) => JSON.stringify(r.attributes)), col((r) => r.enabled), col((r) => (r.members == null ? null : JSON.stringify(r.members))), col((r) => r.hash),
      ],
    );
  }

  async deletePushStates(target: string, source: string, kind: ObjectKind, sourceIds: string[]): Promise<number> {
    if (sourceIds.length === 0) return 0;
    const { rowCount } = await this.pool.query(
      'DELETE FROM push_state WHERE target = $1 AND source = $2 AND kind = $3 AND source_id = ANY($4::text[])',
      [target, source, kind, sourceIds],
    );
    return rowCount ?? 0;
  }

  async countPushStates(target: string, source: string): Promise<{ user: number; group: number; membership: number }> {
    const { rows } = await this.pool.query<{ kind: string; n: number; m: number }>(
      `SELECT kind, count(*)::int AS n, coalesce(sum(jsonb_array_length(members)), 0)::int AS m FROM push_state
       WHERE target = $1 AND source = $2 GROUP BY kind`,
      [target, source],
    );
    return pushStateCounts(rows);
  }

  async quarantine(rows: { target: string; source: string; kind: ObjectKind; sourceId: string; error: string }[]): Promise<void> {
    if (rows.length === 0) return;
    const unique = [...new Map(rows.map((r) => [JSON.stringify([r.target, r.source, r.kind, r.sourceId]), r])).values()];
    const col = (f: (r: (typeof rows)[number]) => string) => unique.map(f);
    await this.pool.query(
      `INSERT INTO push_quarantine AS q (target, source, kind, source_id, error, attempts, first_failed_at, last_failed_at, status)
       SELECT t.*, 1, now(), now(), 'held' FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(target, source, kind, source_id, error)
       ON CONFLICT (target, source, kind, source_id) DO UPDATE SET error = excluded.error,
         attempts = q.attempts + 1, last_failed_at = excluded.last_failed_at, status = 'held'`,
      [col((r) => r.target), col((r) => r.source), col((r) => r.kind), col((r) => r.sourceId), col((r) => r.error)],
    );
  }

  async clearQuarantine(target: string, source: string, kind: ObjectKind, sourceIds: string[]): Promise<number> {
    if (sourceIds.length === 0) return 0;
    const { rowCount } = await this.pool.query(
      'DELETE FROM push_quarantine WHERE target = $1 AND source = $2 AND kind = $3 AND source_id = ANY($4::text[])',
      [target, source, kind, sourceIds],
    );
    return rowCount ?? 0;
  }

  async listQuarantine(target: string, opts: { sourceIds?: string[] } = {}): Promise<QuarantineRecord[]> {
    const { rows } = await this.pool.query<QuarantineRow>(
      `SELECT * FROM push_quarantine WHERE target = $1 AND ($2::text[] IS NULL OR source_id = ANY($2::text[]))
       ORDER BY first_failed_at, kind, source_id`,
      [target, opts.sourceIds ?? null],
    );
    return rows.map((r) => ({
      target: r.target,
      source: r.source,
      kind: r.kind,
      sourceId: r.source_id,
      error: r.error,
      attempts: r.attempts,
      firstFailedAt: r.first_failed_at.toISOString(),
      lastFailedAt: r.last_failed_at.toISOString(),
      status: r.status,
    }));
  }

  async setQuarantineStatus(target: string, status: QuarantineStatus, sourceIds?: string[]): Promise<number> {
    const { rowCount } = await this.pool.query(
      'UPDATE push_quarantine SET status = $2 WHERE target = $1 AND ($3::text[] IS NULL OR source_id = ANY($3::text[]))',
      [target, status, sourceIds ?? null],
    );
    return rowCount ?? 0;
  }

  async dropQuarantine(target: string, sourceIds?: string[]): Promise<number> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM push_quarantine WHERE target = $1 AND ($2::text[] IS NULL OR source_id = ANY($2::text[]))',
      [target, sourceIds ?? null],
    );
    return rowCount ?? 0;
  }

  async savePushPlanPage(p: Omit<PushPlanPage, 'createdAt'>): Promise<void> {
    await this.pool.query(
      `INSERT INTO push_plans (run_id, seq, target, kind, plan, created_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (run_id, seq) DO UPDATE SET target = excluded.target, kind = excluded.kind, plan = excluded.plan`,
      [p.runId, p.seq, p.target, p.kind, JSON.stringify(p.plan)],
    );
  }

  async getPushPlanPage(runId: string, seq: number): Promise<PushPlanPage | null> {
    const { rows } = await this.pool.query<PushPlanRow>('SELECT * FROM push_plans WHERE run_id = $1 AND seq = $2', [runId, seq]);
    return rows[0] ? toPushPlan(rows[0]) : null;
  }

  async listPushPlanPages(runId: string): Promise<PushPlanPage[]> {
    const { rows } = await this.pool.query<PushPlanRow>('SELECT * FROM push_plans WHERE run_id = $1 ORDER BY seq', [runId]);
    return rows.map(toPushPlan);
  }

  async dropPushPlans(target: string, runId: string, olderThan?: string): Promise<number> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM push_plans WHERE run_id = $2 OR ($3::timestamptz IS NOT NULL AND target = $1 AND created_at < $3::timestamptz)',
      [target, runId, olderThan ?? null],
    );
    return rowCount ?? 0;
  }

  // ---- identity mesh ----

  async saveMesh(m: { name: string; definition: unknown }): Promise<StoredMesh> {
    const { rows } = await this.pool.query<MeshRow>(
      `INSERT INTO meshes (name, definition, created_at, updated_at) VALUES ($1, $2::jsonb, now(), now())
       ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
       RETURNING *`,
      [m.name, JSON.stringify(m.definition ?? null)],
    );
    return toMesh(rows[0]);
  }

  async getMesh(name: string): Promise<StoredMesh | null> {
    const { rows } = await this.pool.query<MeshRow>('SELECT * FROM meshes WHERE name = $1', [name]);
    return rows[0] ? toMesh(rows[0]) : null;
  }

  async listMeshes(): Promise<StoredMesh[]> {
    const { rows } = await this.pool.query<MeshRow>('SELECT * FROM meshes ORDER BY name');
    return rows.map(toMesh);
  }

  async listChangedObjects(
    connector: string,
    kind: ObjectKind,
    opts: { since: string | null; until: string; afterId: string | null; limit: number },
  ): Promise<ExportedObject[]> {
    const { rows } = await this.pool.query<{ external_id: string; attributes: Record<string, unknown>; deleted_at: Date | null }>(
      `SELECT external_id, attributes, deleted_at FROM objects
       WHERE connector = $1 AND kind = $2 AND ($3::timestamptz IS NULL OR updated_at >= $3::timestamptz) AND updated_at < $4::timestamptz
         AND ($5::text IS NULL OR external_id > $5)
       ORDER BY external_id LIMIT $6`,
      [connector, kind, opts.since, opts.until, opts.afterId, opts.limit],
    );
    return rows.map((r) => ({ id: r.external_id, attributes: r.attributes, deletedAt: iso(r.deleted_at) }));
  }

  async getMeshPersons(mesh: string, personIds: string[]): Promise<MeshPerson[]> {
    if (personIds.length === 0) return [];
    const { rows } = await this.pool.query<MeshPersonRow>(
      'SELECT * FROM mesh_persons WHERE mesh = $1 AND person_id = ANY($2::text[]) ORDER BY person_id',
      [mesh, personIds],
    );
    return rows.map(toMeshPerson);
  }

  async listMeshPersons(mesh: string, opts: { afterId: string | null; limit: number }): Promise<MeshPerson[]> {
    const { rows } = await this.pool.query<MeshPersonRow>(
      'SELECT * FROM mesh_persons WHERE mesh = $1 AND ($2::text IS NULL OR person_id > $2) ORDER BY person_id LIMIT $3',
      [mesh, opts.afterId, opts.limit],
    );
    return rows.map(toMeshPerson);
  }

  async saveMeshPersons(rows: Omit<MeshPerson, 'updatedAt'>[]): Promise<void> {
    if (rows.length === 0) return;
    await this.pool.query(
      `INSERT INTO mesh_persons (mesh, person_id, state, attributes, provenance, updated_at)
       SELECT r.mesh, r.person_id, r.state, r.attributes, r.provenance, now()
       FROM jsonb_to_recordset($1::jsonb) AS r(mesh text, person_id text, state text, attributes jsonb, provenance jsonb)
       ON CONFLICT (mesh, person_id) DO UPDATE SET state = excluded.state, attributes = excluded.attributes,
         provenance = excluded.provenance, updated_at = excluded.updated_at`,
      [JSON.stringify(rows.map((r) => ({ mesh: r.mesh, person_id: r.personId, state: r.state, attributes: r.attributes, provenance: r.provenance })))],
    );
  }

  async getMeshLinks(mesh: string, accounts: { connector: string; accountId: string }[]): Promise<MeshLink[]> {
    if (accounts.length === 0) return [];
    const { rows } = await this.pool.query<MeshLinkRow>(
      `SELECT l.* FROM mesh_links l JOIN jsonb_to_recordset($2::jsonb) AS a(connector text, "accountId" text)
         ON l.connector = a.connector AND l.account_id = a."accountId"
       WHERE l.mesh = $1 ORDER BY l.connector, l.account_id`,
      [mesh, JSON.stringify(accounts)],
    );
    return rows.map(toMeshLink);
  }

  async listMeshLinksOf(mesh: string, personIds: string[]): Promise<MeshLink[]> {
    if (personIds.length === 0) return [];
    const { rows } = await this.pool.query<MeshLinkRow>(
      'SELECT * FROM mesh_links WHERE mesh = $1 AND person_id = ANY($2::text[]) ORDER BY person_id, connector, account_id',
      [mesh, personIds],
    );
    return rows.map(toMeshLink);
  }

  async listMeshLinksByStatus(mesh: string, status: MeshLinkStatus, opts: { after: { connector: string; accountId: string } | null; limit: number }): Promise<MeshLink[]> {
    const { rows } = await this.pool.query<MeshLinkRow>(
      `SELECT * FROM mesh_links WHERE mesh = $1 AND status = $2
         AND ($3::text IS NULL OR (connector, account_id) > ($3::text, $4::text))
       ORDER BY connector, account_id LIMIT $5`,
      [mesh, status, opts.after?.connector ?? null, opts.after?.accountId ?? null, opts.limit],
    );
    return rows.map(toMeshLink);
  }

  async saveMeshLinks(rows: Omit<MeshLink, 'updatedAt'>[]): Promise<void> {
    if (rows.length === 0) return;
    await this.pool.query(
      `INSERT INTO mesh_links (mesh, connector, account_id, person_id, status, rule, run_id, updated_at)
       SELECT r.mesh, r.connector, r.account_id, r.person_id, r.status, r.rule, r.run_id, now()
       FROM jsonb_to_recordset($1::jsonb) AS r(mesh text, connector text, account_id text, person_id text, status text, rule text, run_id text)
       ON CONFLICT (mesh, connector, account_id) DO UPDATE SET person_id = excluded.person_id, status = excluded.status,
         rule = excluded.rule, run_id = excluded.run_id, updated_at = excluded.updated_at`,
      [JSON.stringify(rows.map((r) => ({ mesh: r.mesh, connector: r.connector, account_id: r.accountId, person_id: r.personId, status: r.status, rule: r.rule, run_id: r.runId })))],
    );
  }

  async replaceMeshKeys(mesh: string, owners: { owner: string; keys: { key: string; value: string }[] }[]): Promise<void> {
    if (owners.length === 0) return;
    await this.transaction(async (c) => {
      await c.query('DELETE FROM mesh_keys WHERE mesh = $1 AND owner = ANY($2::text[])', [mesh, owners.map((o) => o.owner)]);
      const keys = owners.flatMap((o) => o.keys.map((k) => ({ key: k.key, value: k.value, owner: o.owner })));
      if (keys.length === 0) return;
      await c.query(
        `INSERT INTO mesh_keys (mesh, key, value, owner)
         SELECT $1, r.key, r.value, r.owner FROM jsonb_to_recordset($2::jsonb) AS r(key text, value text, owner text)
         ON CONFLICT DO NOTHING`,
        [mesh, JSON.stringify(keys)],
      );
    });
  }

  async findMeshKeys(mesh: string, key: string, values: string[]): Promise<MeshKey[]> {
    if (values.length === 0) return [];
    const { rows } = await this.pool.query<MeshKey>(
      'SELECT key, value, owner FROM mesh_keys WHERE mesh = $1 AND key = $2 AND value = ANY($3::text[]) ORDER BY value, owner',
      [mesh, key, values],
    );
    return rows;
  }

  async saveMeshReviews(rows: Omit<MeshReview, 'createdAt' | 'updatedAt'>[]): Promise<void> {
    if (rows.length === 0) return;
    await this.pool.query(
      `INSERT INTO mesh_reviews (mesh, connector, account_id, rule, reason, candidates, status, created_at, updated_at)
       SELECT r.mesh, r.connector, r.account_id, r.rule, r.reason, r.candidates, r.status, clock_timestamp(), clock_timestamp()
       FROM jsonb_to_recordset($1::jsonb) AS r(mesh text, connector text, account_id text, rule text, reason text, candidates jsonb, status text)
       ON CONFLICT (mesh, connector, account_id) DO UPDATE SET rule = excluded.rule, reason = excluded.reason,
         candidates = excluded.candidates, status = excluded.status, updated_at = excluded.updated_at`,
      [JSON.stringify(rows.map((r) => ({ mesh: r.mesh, connector: r.connector, account_id: r.accountId, rule: r.rule, reason: r.reason, candidates: r.candidates, status: r.status })))],
    );
  }

  async listMeshReviews(mesh: string, opts: { status?: MeshReviewStatus } = {}): Promise<MeshReview[]> {
    const { rows } = await this.pool.query<MeshReviewRow>(
      'SELECT * FROM mesh_reviews WHERE mesh = $1 AND ($2::text IS NULL OR status = $2) ORDER BY created_at, connector, account_id',
      [mesh, opts.status ?? null],
    );
    return rows.map((r) => ({
      mesh: r.mesh, connector: r.connector, accountId: r.account_id, rule: r.rule, reason: r.reason,
      candidates: r.candidates, status: r.status, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
    }));
  }

  async getObjectAudit(connector: string, kind: ObjectKind, id: string): Promise<ObjectAudit | null> {
    const { rows } = await this.pool.query<{
      external_id: string; kind: ObjectKind; attributes: Record<string, unknown>; source_updated_at: Date | null; created_at: Date; updated_at: Date;
      deleted_at: Date | null; last_seen_run: string | null; changed_run: string | null;
    }>(
      `SELECT external_id, kind, attributes, source_updated_at, created_at, updated_at, deleted_at, last_seen_run, changed_run
       FROM objects WHERE connector = $1 AND kind = $2 AND external_id = $3`,
      [connector, kind, id],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.external_id, kind: r.kind, attributes: r.attributes, sourceUpdatedAt: iso(r.source_updated_at),
      createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(), deletedAt: iso(r.deleted_at), lastSeenRun: r.last_seen_run, changedRun: r.changed_run,
    };
  }
}

interface PushStateRow {
  target: string;
  source: string;
  kind: ObjectKind;
  source_id: string;
  target_id: string;
  attributes: Record<string, unknown>;
  enabled: boolean;
  members: string[] | null;
  hash: string;
  pushed_at: Date;
}
interface QuarantineRow {
  target: string;
  source: string;
  kind: ObjectKind;
  source_id: string;
  error: string;
  attempts: number;
  first_failed_at: Date;
  last_failed_at: Date;
  status: QuarantineStatus;
}
interface PushPlanRow { run_id: string; seq: number; target: string; kind: ObjectKind; plan: string; created_at: Date }
const toPushPlan = (r: PushPlanRow): PushPlanPage => ({ runId: r.run_id, seq: r.seq, target: r.target, kind: r.kind, plan: JSON.parse(r.plan) as unknown, createdAt: r.created_at.toISOString() });

/** A live row the run did not see and nothing has written since the run began. */
function unseen(runIdParam: string, startSeqParam: string): string {
  return `(last_seen_run IS DISTINCT FROM ${runIdParam} AND (seen_seq IS NULL OR seen_seq < ${startSeqParam}))`;
}

/** Any fixed order will do: it only makes concurrent applies take row locks in the same order. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function iso(d: Date | null): string | null {
  return d === null ? null : d.toISOString();
}

function toRun(r: RunRow): RunRecord {
  return {
    runId: r.run_id,
    connector: r.connector,
    mode: r.mode,
    trigger: r.trigger,
    status: r.status,
    startedAt: r.started_at.toISOString(),
    finishedAt: iso(r.finished_at),
    counts: {
      fetched: Number(r.fetched),
      inserted: Number(r.inserted),
      updated: Number(r.updated),
      unchanged: Number(r.unchanged),
      deleted: Number(r.deleted),
    },
    error: r.error,
  };
}

function toConnector(r: ConnectorRow): StoredConnector {
  return {
    name: r.name,
    type: r.type,
    enabled: r.enabled,
    definition: r.definition,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

interface MeshRow {
  name: string;
  definition: unknown;
  created_at: Date;
  updated_at: Date;
}
interface MeshPersonRow {
  mesh: string;
  person_id: string;
  state: MeshPerson['state'];
  attributes: Record<string, unknown>;
  provenance: MeshPerson['provenance'];
  updated_at: Date;
}
interface MeshLinkRow {
  mesh: string;
  connector: string;
  account_id: string;
  person_id: string | null;
  status: MeshLinkStatus;
  rule: string | null;
  run_id: string;
  updated_at: Date;
}
interface MeshReviewRow {
  mesh: string;
  connector: string;
  account_id: string;
  rule: string;
  reason: string;
  candidates: string[];
  status: MeshReviewStatus;
  created_at: Date;
  updated_at: Date;
}
function toMesh(r: MeshRow): StoredMesh {
  return { name: r.name, definition: r.definition, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() };
}
function toMeshPerson(r: MeshPersonRow): MeshPerson {
  return { mesh: r.mesh, personId: r.person_id, state: r.state, attributes: r.attributes, provenance: r.provenance, updatedAt: r.updated_at.toISOString() };
}
function toMeshLink(r: MeshLinkRow): MeshLink {
  return { mesh: r.mesh, connector: r.connector, accountId: r.account_id, personId: r.person_id, status: r.status, rule: r.rule, runId: r.run_id, updatedAt: r.updated_at.toISOString() };
}
