// The embedded engine. better-sqlite3 is synchronous: each method does its work inside one call
// and returns a settled promise, which keeps the IdentityStore interface the same as PostgreSQL's;
// the page and sweep work, the long part, runs on the store's writer thread (sqlite-writer.ts).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { openSqlite, statementCache, type Sql } from './sqlite-connection';
import { SqlitePages } from './sqlite-pages';
import { SqliteWriter } from './sqlite-writer';
import { SQLITE_ADDED_COLUMNS, SQLITE_SCHEMA } from './schema-sqlite';
import { exportedLink, exportedObject, pushStateCounts } from './rows';
import { finishedAt, unknownRun } from './run-rules';
import { tableOf } from './staged-rows';
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

interface RunRow {
  run_id: string;
  connector: string;
  mode: RunMode;
  trigger: string;
  status: RunStatus;
  started_at: string;
  finished_at: string | null;
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  error: string | null;
}

interface ConnectorRow {
  name: string;
  type: string;
  enabled: number;
  definition: string;
  created_at: string;
  updated_at: string;
}

export class SqliteStore implements IdentityStore {
  readonly engine = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly sql: Sql;
  private readonly pages: SqlitePages;
  private readonly writer: SqliteWriter | null;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = openSqlite(file);
    this.sql = statementCache(this.db);
    this.pages = new SqlitePages(this.db);
    // Applying a page holds the JavaScript thread for as long as SQLite works (tens of
    // milliseconds for thousands of rows): in a worker that is time its HTTP reads and workflow
    // tasks wait. A file's pages are staged and applied by a thread of their own instead.
    this.writer = file === ':memory:' ? null : new SqliteWriter(file);
  }

  async migrate(): Promise<void> {
    this.db.transaction(() => {
      this.db.exec(SQLITE_SCHEMA);
      for (const c of SQLITE_ADDED_COLUMNS) {
        const columns = this.db.prepare(`PRAGMA table_info(${c.table})`).all() as { name: string }[];
        if (!columns.some((col) => col.name === c.column)) this.db.exec(`ALTER TABLE ${c.table} ADD COLUMN ${c.column} ${c.type}`);
      }
    }).immediate();
  }

  async close(): Promise<void> {
    await this.writer?.close();
    this.sql.clear();
    if (this.db.open) this.db.close();
  }

  // ---- connectors ----

  async saveConnector(c: Omit<StoredConnector, 'createdAt' | 'updatedAt'>): Promise<StoredConnector> {
    const now = new Date().toISOString();
    this.sql(
      `INSERT INTO connectors (name, type, enabled, definition, created_at, updated_at)
       VALUES (@name, @type, @enabled, @definition, @now, @now)
       ON CONFLICT (name) DO UPDATE SET type = excluded.type, enabled = excluded.enabled,
         definition = excluded.definition, updated_at = excluded.updated_at`,
    ).run({ name: c.name, type: c.type, enabled: c.enabled ? 1 : 0, definition: JSON.stringify(c.definition ?? null), now });
    return (await this.getConnector(c.name))!;
  }

  async getConnector(name: string): Promise<StoredConnector | null> {
    const row = this.sql('SELECT * FROM connectors WHERE name = ?').get(name) as ConnectorRow | undefined;
    return row ? toConnector(row) : null;
  }

  async listConnectors(): Promise<StoredConnector[]> {
    return (this.sql('SELECT * FROM connectors ORDER BY name').all() as ConnectorRow[]).map(toConnector);
  }

  /** Removes the connector and its watermarks (a connector created again under the name must
   *  start with a full sync); its synced data and run history stay for audit. */
  async deleteConnector(name: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.sql('DELETE FROM watermarks WHERE connector = ?').run(name);
      return this.sql('DELETE FROM connectors WHERE name = ?').run(name).changes > 0;
    })();
  }

  // ---- runs and their log ----

  async beginRun(r: { runId: string; connector: string; mode: RunMode; trigger: string; definition?: unknown }): Promise<RunRecord> {
    this.db.transaction(() => {
      if (this.sql('SELECT 1 FROM runs WHERE run_id = ?').get(r.runId)) return;
      this.sql(
        `INSERT INTO runs (run_id, connector, mode, trigger, status, started_at, start_seq, definition)
         VALUES (@runId, @connector, @mode, @trigger, 'running', @now, @startSeq, @definition)`,
      ).run({
        runId: r.runId,
        connector: r.connector,
        mode: r.mode,
        trigger: r.trigger,
        now: new Date().toISOString(),
        startSeq: this.pages.nextChangeSeq(),
        definition: r.definition === undefined ? null : JSON.stringify(r.definition),
      });
    }).immediate();
    return (await this.getRun(r.runId))!;
  }

  async getRunDefinition(runId: string): Promise<unknown> {
    const text = this.sql('SELECT definition FROM runs WHERE run_id = ?').pluck().get(runId) as string | null | undefined;
    return text === undefined || text === null ? null : (JSON.parse(text) as unknown);
  }

  async abandonRuns(connector: string, exceptRunId: string, error: string): Promise<string[]> {
    return this.sql(
      `UPDATE runs SET status = 'failed', finished_at = @now, error = @error
       WHERE connector = @connector AND run_id <> @exceptRunId AND mode IN ('full', 'delta')
         AND status IN ('running', 'held')
       RETURNING run_id`,
    )
      .pluck()
      .all({ connector, exceptRunId, error, now: new Date().toISOString() }) as string[];
  }

  async addRunCounts(runId: string, counts: Partial<ApplyCounts & { fetched: number }>): Promise<void> {
    const changes = this.sql(
      `UPDATE runs SET fetched = fetched + @fetched, inserted = inserted + @inserted,
         updated = updated + @updated, unchanged = unchanged + @unchanged, deleted = deleted + @deleted
       WHERE run_id = @runId`,
    ).run({
      runId,
      fetched: counts.fetched ?? 0,
      inserted: counts.inserted ?? 0,
      updated: counts.updated ?? 0,
      unchanged: counts.unchanged ?? 0,
      deleted: counts.deleted ?? 0,
    }).changes;
    if (changes === 0) throw unknownRun(runId);
  }

  async setRunMode(runId: string, mode: RunMode): Promise<void> {
    if (this.sql('UPDATE runs SET mode = ? WHERE run_id = ?').run(mode, runId).changes === 0) throw unknownRun(runId);
  }

  async finishRun(runId: string, status: RunStatus, error?: string | null): Promise<RunRecord> {
    const changes = this.sql('UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE run_id = ?').run(
      status,
      finishedAt(status, new Date().toISOString()),
      error ?? null,
      runId,
    ).changes;
    if (changes === 0) throw unknownRun(runId);
    return (await this.getRun(runId))!;
  }

  async getRun(runId: string): Promise<RunRecord | null> {
    const row = this.sql('SELECT * FROM runs WHERE run_id = ?').get(runId) as RunRow | undefined;
    return row ? toRun(row) : null;
  }

  async listRuns(connector: string, limit: number, only: { mode?: RunMode; status?: RunStatus } = {}): Promise<RunRecord[]> {
    const rows = this.sql(
      'SELECT * FROM runs WHERE connector = ? AND (? IS NULL OR mode = ?) AND (? IS NULL OR status = ?) ' +
        'ORDER BY started_at DESC, rowid DESC LIMIT ?',
    ).all(connector, only.mode ?? null, only.mode ?? null, only.status ?? null, only.status ?? null, limit) as RunRow[];
    return rows.map(toRun);
  }

  async appendLog(e: Omit<RunLogEntry, 'at'>): Promise<void> {
    this.sql('INSERT INTO run_log (at, connector, run_id, level, message) VALUES (?, ?, ?, ?, ?)').run(
      new Date().toISOString(),
      e.connector,
      e.runId ?? null,
      e.level,
      e.message,
    );
  }

  async listLogs(connector: string, opts: { limit: number; runId?: string }): Promise<RunLogEntry[]> {
    const columns = 'SELECT at, connector, run_id AS runId, level, message FROM run_log';
    const rows =
      opts.runId === undefined
        ? this.sql(`${columns} WHERE connector = ? ORDER BY id DESC LIMIT ?`).all(connector, opts.limit)
        : this.sql(`${columns} WHERE connector = ? AND run_id = ? ORDER BY id DESC LIMIT ?`).all(
            connector,
            opts.runId,
            opts.limit,
          );
    return rows as RunLogEntry[];
  }

  // ---- claim-check staging ----

  /** An already applied key keeps its row: re-staging it (a retried fetch) must not turn the
   *  remembered counts back into a pending page. */
  async stagePage(stageKey: string, connector: string, page: StagedPage, runId?: string): Promise<void> {
    const payload = JSON.stringify(page);
    if (this.writer) return this.writer.stage(stageKey, connector, payload, runId ?? null);
    this.pages.stage(stageKey, connector, payload, runId ?? null);
  }

  async applyStagedPage(stageKey: string, connector: string, runId: string): Promise<ApplyCounts> {
    if (this.writer) return this.writer.apply(stageKey, connector, runId);
    return this.pages.apply(stageKey, connector, runId);
  }

  async dropStagedPages(runId: string): Promise<number> {
    return this.sql('DELETE FROM staged_pages WHERE run_id = ? AND applied_at IS NOT NULL').run(runId).changes;
  }

  async dropStaleStagedPages(connector: string, exceptRunId: string, olderThan: string): Promise<number> {
    return this.sql(
      `DELETE FROM staged_pages
       WHERE (connector = @connector AND run_id <> @exceptRunId
              AND run_id IN (SELECT run_id FROM runs WHERE connector = @connector AND mode IN ('full', 'delta')))
          OR created_at < @olderThan`,
    ).run({ connector, exceptRunId, olderThan }).changes;
  }

  // ---- full-run deletion detection ----

  /** `total` is the live rows when counted, so it includes rows this run inserted. Applies are
   *  serialized by the write lock and take their sequence value inside it, so a row stamped at or
   *  above the run's start_seq was written by an apply that committed after the run began. */
  async countUnseen(connector: string, runId: string, kinds: (ObjectKind | LinkKind)[]): Promise<DeletionCandidates[]> {
    for (const kind of kinds) tableOf(kind);
    if (this.writer) return this.writer.countUnseen(connector, runId, kinds);
    return this.pages.countUnseen(connector, runId, kinds);
  }

  /** Unseen objects take their links with them, as deletions in a page do; the count includes them. */
  async deleteUnseen(connector: string, runId: string, kinds: (ObjectKind | LinkKind)[]): Promise<number> {
    for (const kind of kinds) tableOf(kind);
    if (this.writer) return this.writer.deleteUnseen(connector, runId, kinds);
    return this.pages.deleteUnseen(connector, runId, kinds);
  }

  // ---- watermarks ----

  async getWatermark(connector: string, key: string): Promise<string | null> {
    const value = this.sql('SELECT value FROM watermarks WHERE connector = ? AND key = ?').pluck().get(connector, key);
    return (value as string | undefined) ?? null;
  }

  async setWatermark(connector: string, key: string, value: string): Promise<void> {
    this.sql(
      `INSERT INTO watermarks (connector, key, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (connector, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ).run(connector, key, value, new Date().toISOString());
  }

  async clearWatermarks(connector: string): Promise<void> {
    this.sql('DELETE FROM watermarks WHERE connector = ?').run(connector);
  }

  // ---- reading the synced data ----

  async exportData(connector: string, opts: { includeDeleted: boolean }): Promise<ExportData> {
    const live = opts.includeDeleted ? '' : 'AND deleted_at IS NULL';
    const objects = (kind: ObjectKind): ExportedObject[] =>
      (
        this.sql(
          `SELECT external_id, attributes, deleted_at FROM objects
           WHERE connector = ? AND kind = ? ${live} ORDER BY external_id`,
        ).all(connector, kind) as { external_id: string; attributes: string; deleted_at: string | null }[]
      ).map((r) => exportedObject(r.external_id, JSON.parse(r.attributes) as Record<string, unknown>, r.deleted_at, opts.includeDeleted));
    const links = (kind: LinkKind): ExportedLink[] =>
      (
        this.sql(
          `SELECT parent_id, child_id, child_kind, attributes, deleted_at FROM links
           WHERE connector = ? AND kind = ? ${live} ORDER BY parent_id, child_id`,
        ).all(connector, kind) as {
          parent_id: string;
          child_id: string;
          child_kind: 'user' | 'group';
          attributes: string | null;
          deleted_at: string | null;
        }[]
      ).map((r) => exportedLink({ parent: r.parent_id, child: r.child_id, childKind: r.child_kind, attributes: r.attributes === null ? null : (JSON.parse(r.attributes) as Record<string, unknown>), deletedAt: r.deleted_at }, opts.includeDeleted));
    // One read transaction: a concurrent apply cannot land between the kinds.
    return this.db.transaction(() => ({
      users: objects('user'),
      groups: objects('group'),
      memberships: links('membership'),
      apps: objects('app'),
      appUsers: links('appUser'),
    }))();
  }

  async listObjects(
    connector: string,
    kind: ObjectKind,
    opts: { afterId: string | null; limit: number; includeDeleted: boolean },
  ): Promise<ExportedObject[]> {
    const live = opts.includeDeleted ? '' : 'AND deleted_at IS NULL';
    const rows = this.sql(
      `SELECT external_id, attributes, deleted_at FROM objects
       WHERE connector = @connector AND kind = @kind AND (@afterId IS NULL OR external_id > @afterId) ${live}
       ORDER BY external_id LIMIT @limit`,
    ).all({ connector, kind, afterId: opts.afterId, limit: opts.limit }) as {
      external_id: string;
      attributes: string;
      deleted_at: string | null;
    }[];
    return rows.map((r) => exportedObject(r.external_id, JSON.parse(r.attributes) as Record<string, unknown>, r.deleted_at, opts.includeDeleted));
  }

  async listLinks(connector: string, kind: LinkKind, parentId: string, opts: { includeDeleted: boolean }): Promise<ExportedLink[]> {
    const live = opts.includeDeleted ? '' : 'AND deleted_at IS NULL';
    const rows = this.sql(
      `SELECT parent_id, child_id, child_kind, attributes, deleted_at FROM links
       WHERE connector = ? AND kind = ? AND parent_id = ? ${live} ORDER BY child_id`,
    ).all(connector, kind, parentId) as { parent_id: string; child_id: string; child_kind: 'user' | 'group'; attributes: string | null; deleted_at: string | null }[];
    return rows.map((r) => exportedLink({ parent: r.parent_id, child: r.child_id, childKind: r.child_kind, attributes: r.attributes === null ? null : (JSON.parse(r.attributes) as Record<string, unknown>), deletedAt: r.deleted_at }, opts.includeDeleted));
  }

  // ---- projection map ----

  async getProjections(target: string, source: string, kind: ObjectKind, sourceIds: string[]): Promise<ProjectionRecord[]> {
    if (sourceIds.length === 0) return [];
    return this.sql(
      `SELECT target, source, kind, source_id AS sourceId, target_id AS targetId, hash, updated_at AS updatedAt
       FROM projections
       WHERE target = ? AND source = ? AND kind = ? AND source_id IN (SELECT value FROM json_each(?))
       ORDER BY source_id`,
    ).all(target, source, kind, JSON.stringify(sourceIds)) as ProjectionRecord[];
  }

  async saveProjections(rows: Omit<ProjectionRecord, 'updatedAt'>[]): Promise<void> {
    const upsert = this.sql(
      `INSERT INTO projections (target, source, kind, source_id, target_id, hash, updated_at)
       VALUES (@target, @source, @kind, @sourceId, @targetId, @hash, @now)
       ON CONFLICT (target, source, kind, source_id) DO UPDATE SET target_id = excluded.target_id,
         hash = excluded.hash, updated_at = excluded.updated_at`,
    );
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const r of rows) {
        upsert.run({ target: r.target, source: r.source, kind: r.kind, sourceId: r.sourceId, targetId: r.targetId, hash: r.hash, now });
      }
    })();
  }

  async counts(connector: string): Promise<Record<ObjectKind | LinkKind, number>> {
    const out: Record<ObjectKind | LinkKind, number> = { user: 0, group: 0, app: 0, membership: 0, appUser: 0 };
    for (const table of ['objects', 'links'] as const) {
      const rows = this.sql(
        `SELECT kind, count(*) AS n FROM ${table} WHERE connector = ? AND deleted_at IS NULL GROUP BY kind`,
      ).all(connector) as { kind: ObjectKind | LinkKind; n: number }[];
      for (const r of rows) out[r.kind] = r.n;
    }
    return out;
  }

  async getObjects(connector: string, kind: ObjectKind, ids: string[], opts: { includeDeleted: boolean }): Promise<ExportedObject[]> {
    if (ids.length === 0) return [];
    const live = opts.includeDeleted ? '' : 'AND deleted_at IS NULL';
    const rows = this.sql(
      `SELECT external_id, attributes, deleted_at FROM objects
       WHERE connector = ? AND kind = ? AND external_id IN (SELECT value FROM json_each(?)) ${live} ORDER BY external_id`,
    ).all(connector, kind, JSON.stringify(ids)) as { external_id: string; attributes: string; deleted_at: string | null }[];
    return rows.map((r) => ({
      id: r.external_id,
      attributes: JSON.parse(r.attributes) as Record<string, unknown>,
      ...(opts.includeDeleted ? { deletedAt: r.deleted_at } : {}),
    }));
  }

  // ---- push state, quarantine, plans ----

  async getPushStates(target: string, source: string, kind: ObjectKind, sourceIds: string[]): Promise<PushStateRecord[]> {
    if (sourceIds.length === 0) return [];
    const rows = this.sql(
      `SELECT * FROM push_state
       WHERE target = ? AND source = ? AND kind = ? AND source_id IN (SELECT value FROM json_each(?))
       ORDER BY source_id`,
    ).all(target, source, kind, JSON.stringify(sourceIds)) as PushStateRow[];
    return rows.map(toPushState);
  }

  async savePushStates(rows: Omit<PushStateRecord, 'pushedAt'>[]): Promise<void> {
    const upsert = this.sql(
      `INSERT INTO push_state (target, source, kind, source_id, target_id, attributes, enabled, members, hash, pushed_at)
       VALUES (@target, @source, @kind, @sourceId, @targetId, @attributes, @enabled, @members, @hash, @now)
       ON CONFLICT (target, source, kind, source_id) DO UPDATE SET target_id = excluded.target_id,
         attributes = excluded.attributes, enabled = excluded.enabled, members = excluded.members,
         hash = excluded.hash, pushed_at = excluded.pushed_at`,
    );
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const r of rows) {
        upsert.run({
          target: r.target, source: r.source, kind: r.kind, sourceId: r.sourceId, targetId: r.targetId,
          attributes: JSON.stringify(r.attributes), enabled: r.enabled ? 1 : 0,
          members: r.members == null ? null : JSON.stringify(r.members), hash: r.hash, now,
        });
      }
    })();
  }

  async deletePushStates(target: string, source: string, kind: ObjectKind, sourceIds: string[]): Promise<number> {
    if (sourceIds.length === 0) return 0;
    return this.sql(
      `DELETE FROM push_state WHERE target = ? AND source = ? AND kind = ? AND source_id IN (SELECT value FROM json_each(?))`,
    ).run(target, source, kind, JSON.stringify(sourceIds)).changes;
  }

  async countPushStates(target: string, source: string): Promise<{ user: number; group: number; membership: number }> {
    const rows = this.sql(
      `SELECT kind, count(*) AS n, coalesce(sum(json_array_length(members)), 0) AS m FROM push_state
       WHERE target = ? AND source = ? GROUP BY kind`,
    ).all(target, source) as { kind: string; n: number; m: number }[];
    return pushStateCounts(rows);
  }

  async quarantine(rows: { target: string; source: string; kind: ObjectKind; sourceId: string; error: string }[]): Promise<void> {
    const upsert = this.sql(
      `INSERT INTO push_quarantine (target, source, kind, source_id, error, attempts, first_failed_at, last_failed_at, status)
       VALUES (@target, @source, @kind, @sourceId, @error, 1, @now, @now, 'held')
       ON CONFLICT (target, source, kind, source_id) DO UPDATE SET error = excluded.error,
         attempts = push_quarantine.attempts + 1, last_failed_at = excluded.last_failed_at, status = 'held'`,
    );
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const r of rows) upsert.run({ ...r, now });
    })();
  }

  async clearQuarantine(target: string, source: string, kind: ObjectKind, sourceIds: string[]): Promise<number> {
    if (sourceIds.length === 0) return 0;
    return this.sql(
      `DELETE FROM push_quarantine WHERE target = ? AND source = ? AND kind = ? AND source_id IN (SELECT value FROM json_each(?))`,
    ).run(target, source, kind, JSON.stringify(sourceIds)).changes;
  }

  async listQuarantine(target: string, opts: { sourceIds?: string[] } = {}): Promise<QuarantineRecord[]> {
    const only = opts.sourceIds ? 'AND source_id IN (SELECT value FROM json_each(@ids))' : '';
    const rows = this.sql(
      `SELECT * FROM push_quarantine WHERE target = @target ${only} ORDER BY first_failed_at, kind, source_id`,
    ).all({ target, ...(opts.sourceIds ? { ids: JSON.stringify(opts.sourceIds) } : {}) }) as QuarantineRow[];
    return rows.map(toQuarantine);
  }

  async setQuarantineStatus(target: string, status: QuarantineStatus, sourceIds?: string[]): Promise<number> {
    const only = sourceIds ? 'AND source_id IN (SELECT value FROM json_each(@ids))' : '';
    return this.sql(`UPDATE push_quarantine SET status = @status WHERE target = @target ${only}`)
      .run({ target, status, ...(sourceIds ? { ids: JSON.stringify(sourceIds) } : {}) }).changes;
  }

  async dropQuarantine(target: string, sourceIds?: string[]): Promise<number> {
    const only = sourceIds ? 'AND source_id IN (SELECT value FROM json_each(@ids))' : '';
    return this.sql(`DELETE FROM push_quarantine WHERE target = @target ${only}`)
      .run({ target, ...(sourceIds ? { ids: JSON.stringify(sourceIds) } : {}) }).changes;
  }

  async savePushPlanPage(p: Omit<PushPlanPage, 'createdAt'>): Promise<void> {
    this.sql(
      `INSERT INTO push_plans (run_id, seq, target, kind, plan, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, seq) DO UPDATE SET target = excluded.target, kind = excluded.kind, plan = excluded.plan`,
    ).run(p.runId, p.seq, p.target, p.kind, JSON.stringify(p.plan), new Date().toISOString());
  }

  async getPushPlanPage(runId: string, seq: number): Promise<PushPlanPage | null> {
    const row = this.sql('SELECT * FROM push_plans WHERE run_id = ? AND seq = ?').get(runId, seq) as PushPlanRow | undefined;
    return row ? toPushPlan(row) : null;
  }

  async listPushPlanPages(runId: string): Promise<PushPlanPage[]> {
    return (this.sql('SELECT * FROM push_plans WHERE run_id = ? ORDER BY seq').all(runId) as PushPlanRow[]).map(toPushPlan);
  }

  async dropPushPlans(target: string, runId: string, olderThan?: string): Promise<number> {
    let n = this.sql('DELETE FROM push_plans WHERE run_id = ?').run(runId).changes;
    if (olderThan) n += this.sql('DELETE FROM push_plans WHERE target = ? AND run_id <> ? AND created_at < ?').run(target, runId, olderThan).changes;
    return n;
  }

  // ---- identity mesh ----

  async saveMesh(m: { name: string; definition: unknown }): Promise<StoredMesh> {
    const now = new Date().toISOString();
    this.sql(
      `INSERT INTO meshes (name, definition, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
    ).run(m.name, JSON.stringify(m.definition ?? null), now, now);
    return (await this.getMesh(m.name))!;
  }

  async getMesh(name: string): Promise<StoredMesh | null> {
    const r = this.sql('SELECT * FROM meshes WHERE name = ?').get(name) as MeshRow | undefined;
    return r ? toMesh(r) : null;
  }

  async listMeshes(): Promise<StoredMesh[]> {
    return (this.sql('SELECT * FROM meshes ORDER BY name').all() as MeshRow[]).map(toMesh);
  }

  async listChangedObjects(
    connector: string,
    kind: ObjectKind,
    opts: { since: string | null; until: string; afterId: string | null; limit: number },
  ): Promise<ExportedObject[]> {
    const rows = this.sql(
      `SELECT external_id, attributes, deleted_at FROM objects
       WHERE connector = @connector AND kind = @kind AND (@since IS NULL OR updated_at >= @since) AND updated_at < @until
         AND (@afterId IS NULL OR external_id > @afterId)
       ORDER BY external_id LIMIT @limit`,
    ).all({ connector, kind, since: opts.since, until: opts.until, afterId: opts.afterId, limit: opts.limit }) as { external_id: string; attributes: string; deleted_at: string | null }[];
    return rows.map((r) => ({ id: r.external_id, attributes: JSON.parse(r.attributes) as Record<string, unknown>, deletedAt: r.deleted_at }));
  }

  async getMeshPersons(mesh: string, personIds: string[]): Promise<MeshPerson[]> {
    if (personIds.length === 0) return [];
    const rows = this.sql(
      'SELECT * FROM mesh_persons WHERE mesh = ? AND person_id IN (SELECT value FROM json_each(?)) ORDER BY person_id',
    ).all(mesh, JSON.stringify(personIds)) as MeshPersonRow[];
    return rows.map(toMeshPerson);
  }

  async listMeshPersons(mesh: string, opts: { afterId: string | null; limit: number }): Promise<MeshPerson[]> {
    const rows = this.sql(
      'SELECT * FROM mesh_persons WHERE mesh = @mesh AND (@afterId IS NULL OR person_id > @afterId) ORDER BY person_id LIMIT @limit',
    ).all({ mesh, afterId: opts.afterId, limit: opts.limit }) as MeshPersonRow[];
    return rows.map(toMeshPerson);
  }

  async saveMeshPersons(rows: Omit<MeshPerson, 'updatedAt'>[]): Promise<void> {
    const upsert = this.sql(
      `INSERT INTO mesh_persons (mesh, person_id, state, attributes, provenance, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (mesh, person_id) DO UPDATE SET state = excluded.state, attributes = excluded.attributes,
         provenance = excluded.provenance, updated_at = excluded.updated_at`,
    );
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const r of rows) upsert.run(r.mesh, r.personId, r.state, JSON.stringify(r.attributes), JSON.stringify(r.provenance), now);
    })();
  }

  async getMeshLinks(mesh: string, accounts: { connector: string; accountId: string }[]): Promise<MeshLink[]> {
    if (accounts.length === 0) return [];
    const rows = this.sql(
      `SELECT l.* FROM json_each(?) j CROSS JOIN mesh_links l
         ON l.connector = json_extract(j.value, '$.connector') AND l.account_id = json_extract(j.value, '$.accountId')
       WHERE l.mesh = ? ORDER BY l.connector, l.account_id`,
    ).all(JSON.stringify(accounts), mesh) as MeshLinkRow[];
    return rows.map(toMeshLink);
  }

  async listMeshLinksOf(mesh: string, personIds: string[]): Promise<MeshLink[]> {
    if (personIds.length === 0) return [];
    const rows = this.sql(
      'SELECT * FROM mesh_links WHERE mesh = ? AND person_id IN (SELECT value FROM json_each(?)) ORDER BY person_id, connector, account_id',
    ).all(mesh, JSON.stringify(personIds)) as MeshLinkRow[];
    return rows.map(toMeshLink);
  }

  async listMeshLinksByStatus(mesh: string, status: MeshLinkStatus, opts: { after: { connector: string; accountId: string } | null; limit: number }): Promise<MeshLink[]> {
    const rows = this.sql(
      `SELECT * FROM mesh_links WHERE mesh = @mesh AND status = @status
         AND (@c IS NULL OR connector > @c OR (connector = @c AND account_id > @a))
       ORDER BY connector, account_id LIMIT @limit`,
    ).all({ mesh, status, c: opts.after?.connector ?? null, a: opts.after?.accountId ?? null, limit: opts.limit }) as MeshLinkRow[];
    return rows.map(toMeshLink);
  }

  async saveMeshLinks(rows: Omit<MeshLink, 'updatedAt'>[]): Promise<void> {
    const upsert = this.sql(
      `INSERT INTO mesh_links (mesh, connector, account_id, person_id, status, rule, run_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (mesh, connector, account_id) DO UPDATE SET person_id = excluded.person_id, status = excluded.status,
         rule = excluded.rule, run_id = excluded.run_id, updated_at = excluded.updated_at`,
    );
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const r of rows) upsert.run(r.mesh, r.connector, r.accountId, r.personId, r.status, r.rule, r.runId, now);
    })();
  }

  async replaceMeshKeys(mesh: string, owners: { owner: string; keys: { key: string; value: string }[] }[]): Promise<void> {
    const drop = this.sql('DELETE FROM mesh_keys WHERE mesh = ? AND owner = ?');
    const add = this.sql('INSERT OR IGNORE INTO mesh_keys (mesh, key, value, owner) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const o of owners) {
        drop.run(mesh, o.owner);
        for (const k of o.keys) add.run(mesh, k.key, k.value, o.owner);
      }
    })();
  }

  async findMeshKeys(mesh: string, key: string, values: string[]): Promise<MeshKey[]> {
    if (values.length === 0) return [];
    return this.sql(
      'SELECT key, value, owner FROM mesh_keys WHERE mesh = ? AND key = ? AND value IN (SELECT value FROM json_each(?)) ORDER BY value, owner',
    ).all(mesh, key, JSON.stringify(values)) as MeshKey[];
  }

  async saveMeshReviews(rows: Omit<MeshReview, 'createdAt' | 'updatedAt'>[]): Promise<void> {
    const upsert = this.sql(
      `INSERT INTO mesh_reviews (mesh, connector, account_id, rule, reason, candidates, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (mesh, connector, account_id) DO UPDATE SET rule = excluded.rule, reason = excluded.reason,
         candidates = excluded.candidates, status = excluded.status, updated_at = excluded.updated_at`,
    );
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const r of rows) upsert.run(r.mesh, r.connector, r.accountId, r.rule, r.reason, JSON.stringify(r.candidates), r.status, now, now);
    })();
  }

  async listMeshReviews(mesh: string, opts: { status?: MeshReviewStatus } = {}): Promise<MeshReview[]> {
    const rows = this.sql(
      'SELECT * FROM mesh_reviews WHERE mesh = @mesh AND (@status IS NULL OR status = @status) ORDER BY created_at, connector, account_id',
    ).all({ mesh, status: opts.status ?? null }) as MeshReviewRow[];
    return rows.map((r) => ({
      mesh: r.mesh, connector: r.connector, accountId: r.account_id, rule: r.rule, reason: r.reason,
      candidates: JSON.parse(r.candidates) as string[], status: r.status, createdAt: r.created_at, updatedAt: r.updated_at,
    }));
  }

  async getObjectAudit(connector: string, kind: ObjectKind, id: string): Promise<ObjectAudit | null> {
    const r = this.sql(
      `SELECT external_id, kind, attributes, source_updated_at, created_at, updated_at, deleted_at, last_seen_run, changed_run
       FROM objects WHERE connector = ? AND kind = ? AND external_id = ?`,
    ).get(connector, kind, id) as
      | { external_id: string; kind: ObjectKind; attributes: string; source_updated_at: string | null; created_at: string; updated_at: string; deleted_at: string | null; last_seen_run: string | null; changed_run: string | null }
      | undefined;
    if (!r) return null;
    return {
      id: r.external_id, kind: r.kind, attributes: JSON.parse(r.attributes) as Record<string, unknown>, sourceUpdatedAt: r.source_updated_at,
      createdAt: r.created_at, updatedAt: r.updated_at, deletedAt: r.deleted_at, lastSeenRun: r.last_seen_run, changedRun: r.changed_run,
    };
  }
}

interface PushStateRow {
  target: string;
  source: string;
  kind: ObjectKind;
  source_id: string;
  target_id: string;
  attributes: string;
  enabled: number;
  members: string | null;
  hash: string;
  pushed_at: string;
}
const toPushState = (r: PushStateRow): PushStateRecord => ({
  target: r.target,
  source: r.source,
  kind: r.kind,
  sourceId: r.source_id,
  targetId: r.target_id,
  attributes: JSON.parse(r.attributes) as Record<string, unknown>,
  enabled: r.enabled === 1,
  members: r.members === null ? null : (JSON.parse(r.members) as string[]),
  hash: r.hash,
  pushedAt: r.pushed_at,
});

interface QuarantineRow {
  target: string;
  source: string;
  kind: ObjectKind;
  source_id: string;
  error: string;
  attempts: number;
  first_failed_at: string;
  last_failed_at: string;
  status: QuarantineStatus;
}
const toQuarantine = (r: QuarantineRow): QuarantineRecord => ({
  target: r.target,
  source: r.source,
  kind: r.kind,
  sourceId: r.source_id,
  error: r.error,
  attempts: r.attempts,
  firstFailedAt: r.first_failed_at,
  lastFailedAt: r.last_failed_at,
  status: r.status,
});

interface PushPlanRow { run_id: string; seq: number; target: string; kind: ObjectKind; plan: string; created_at: string }
const toPushPlan = (r: PushPlanRow): PushPlanPage => ({ runId: r.run_id, seq: r.seq, target: r.target, kind: r.kind, plan: JSON.parse(r.plan) as unknown, createdAt: r.created_at });

function toRun(r: RunRow): RunRecord {
  return {
    runId: r.run_id,
    connector: r.connector,
    mode: r.mode,
    trigger: r.trigger,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    counts: { fetched: r.fetched, inserted: r.inserted, updated: r.updated, unchanged: r.unchanged, deleted: r.deleted },
    error: r.error,
  };
}

function toConnector(r: ConnectorRow): StoredConnector {
  return {
    name: r.name,
    type: r.type,
    enabled: r.enabled === 1,
    definition: JSON.parse(r.definition) as unknown,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

interface MeshRow {
  name: string;
  definition: string;
  created_at: string;
  updated_at: string;
}
interface MeshPersonRow {
  mesh: string;
  person_id: string;
  state: MeshPerson['state'];
  attributes: string;
  provenance: string;
  updated_at: string;
}
interface MeshLinkRow {
  mesh: string;
  connector: string;
  account_id: string;
  person_id: string | null;
  status: MeshLinkStatus;
  rule: string | null;
  run_id: string;
  updated_at: string;
}
interface MeshReviewRow {
  mesh: string;
  connector: string;
  account_id: string;
  rule: string;
  reason: string;
  candidates: string;
  status: MeshReviewStatus;
  created_at: string;
  updated_at: string;
}
function toMesh(r: MeshRow): StoredMesh {
  return { name: r.name, definition: JSON.parse(r.definition) as unknown, createdAt: r.created_at, updatedAt: r.updated_at };
}
function toMeshPerson(r: MeshPersonRow): MeshPerson {
  return {
    mesh: r.mesh, personId: r.person_id, state: r.state,
    attributes: JSON.parse(r.attributes) as Record<string, unknown>,
    provenance: JSON.parse(r.provenance) as MeshPerson['provenance'], updatedAt: r.updated_at,
  };
}
function toMeshLink(r: MeshLinkRow): MeshLink {
  return { mesh: r.mesh, connector: r.connector, accountId: r.account_id, personId: r.person_id, status: r.status, rule: r.rule, runId: r.run_id, updatedAt: r.updated_at };
}
