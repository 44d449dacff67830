// SQLite schema. Keep in step with schema-postgres.ts (same tables, columns and meaning).
// Timestamps are ISO-8601 UTC text with milliseconds, so text order is time order.
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS connectors (
  name        TEXT PRIMARY KEY,
  type        TEXT NOT NULL,
  enabled     INTEGER NOT NULL,
  definition  TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS objects (
  connector          TEXT NOT NULL,
  kind               TEXT NOT NULL,
  external_id        TEXT NOT NULL,
  attributes         TEXT NOT NULL,
  hash               TEXT NOT NULL,
  source_updated_at  TEXT,
  last_seen_run      TEXT,
  seen_seq           INTEGER,
  deleted_at         TEXT,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  PRIMARY KEY (connector, kind, external_id)
);

-- Rows are small and always reached by key: WITHOUT ROWID saves a second b-tree per million links.
CREATE TABLE IF NOT EXISTS links (
  connector      TEXT NOT NULL,
  kind           TEXT NOT NULL,
  parent_id      TEXT NOT NULL,
  child_id       TEXT NOT NULL,
  child_kind     TEXT NOT NULL,
  attributes     TEXT,
  hash           TEXT,
  last_seen_run  TEXT,
  seen_seq       INTEGER,
  deleted_at     TEXT,
  PRIMARY KEY (connector, kind, parent_id, child_id)
) WITHOUT ROWID;
-- No index by child here (PostgreSQL has one): members arrive in random child order, and each
-- commit rewrote nearly every page of such an index, tripling the time of a 1M-link sync.
-- Cascading a user's deletion to its links scans the connector's links once per page instead.

CREATE TABLE IF NOT EXISTS runs (
  run_id       TEXT PRIMARY KEY,
  connector    TEXT NOT NULL,
  mode         TEXT NOT NULL,
  trigger      TEXT NOT NULL,
  status       TEXT NOT NULL,
  started_at   TEXT NOT NULL,
  finished_at  TEXT,
  fetched      INTEGER NOT NULL DEFAULT 0,
  inserted     INTEGER NOT NULL DEFAULT 0,
  updated      INTEGER NOT NULL DEFAULT 0,
  unchanged    INTEGER NOT NULL DEFAULT 0,
  deleted      INTEGER NOT NULL DEFAULT 0,
  error        TEXT,
  start_seq    INTEGER,
  definition   TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_connector ON runs (connector, started_at);

CREATE TABLE IF NOT EXISTS run_log (
  id         INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  connector  TEXT NOT NULL,
  run_id     TEXT,
  level      TEXT NOT NULL,
  message    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS run_log_by_connector ON run_log (connector, id);
CREATE INDEX IF NOT EXISTS run_log_by_run ON run_log (run_id, id);

CREATE TABLE IF NOT EXISTS watermarks (
  connector   TEXT NOT NULL,
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (connector, key)
);

-- The store-wide change sequence (one row): every apply stamps the rows it writes with the next
-- value (seen_seq) and every run records the value it began at (start_seq), so a full run's
-- deletion step can tell rows written after it began (by a live batch, say) from stale ones.
CREATE TABLE IF NOT EXISTS change_seq (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  value  INTEGER NOT NULL
);
INSERT OR IGNORE INTO change_seq (id, value) VALUES (1, 0);

-- The claim check: payload is the staged page as JSON until applied, then NULL; counts keep
-- the first apply's result so a retried apply returns it.
CREATE TABLE IF NOT EXISTS staged_pages (
  stage_key   TEXT PRIMARY KEY,
  connector   TEXT NOT NULL,
  run_id      TEXT,
  payload     TEXT,
  counts      TEXT,
  created_at  TEXT NOT NULL,
  applied_at  TEXT
);
CREATE INDEX IF NOT EXISTS staged_pages_by_run ON staged_pages (run_id);

-- Projection map: the target object each source object became, and the hash of what was written.
CREATE TABLE IF NOT EXISTS projections (
  target      TEXT NOT NULL,
  source      TEXT NOT NULL,
  kind        TEXT NOT NULL,
  source_id   TEXT NOT NULL,
  target_id   TEXT NOT NULL,
  hash        TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (target, source, kind, source_id)
) WITHOUT ROWID;

-- Push state: per target and source identity, the target object it became, the target
-- attributes last written (the "before" of the next plan), whether it is enabled and, for groups,
-- the members this push added (source references), so removals never touch hand-added members.
CREATE TABLE IF NOT EXISTS push_state (
  target      TEXT NOT NULL,
  source      TEXT NOT NULL,
  kind        TEXT NOT NULL,
  source_id   TEXT NOT NULL,
  target_id   TEXT NOT NULL,
  attributes  TEXT NOT NULL,
  enabled     INTEGER NOT NULL,
  members     TEXT,
  hash        TEXT NOT NULL,
  pushed_at   TEXT NOT NULL,
  PRIMARY KEY (target, source, kind, source_id)
) WITHOUT ROWID;

-- Objects a target refused, with its error: retried by the next push, listed, released or dropped.
CREATE TABLE IF NOT EXISTS push_quarantine (
  target           TEXT NOT NULL,
  source           TEXT NOT NULL,
  kind             TEXT NOT NULL,
  source_id        TEXT NOT NULL,
  error            TEXT NOT NULL,
  attempts         INTEGER NOT NULL,
  first_failed_at  TEXT NOT NULL,
  last_failed_at   TEXT NOT NULL,
  status           TEXT NOT NULL,
  PRIMARY KEY (target, source, kind, source_id)
) WITHOUT ROWID;

-- A push's plan, one row per planned page (the claim check of a push): the apply reads back
-- exactly what was planned (and, when held, approved); a dry run's rows are what it prints.
CREATE TABLE IF NOT EXISTS push_plans (
  run_id      TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  target      TEXT NOT NULL,
  kind        TEXT NOT NULL,
  plan        TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX IF NOT EXISTS push_plans_by_target ON push_plans (target, created_at);

-- Identity mesh (config/mesh.ts): the mesh files, their persons (attributes with the source, rule
-- and run that set each), account → person links, normalized correlation keys (indexed by value,
-- so a match is a lookup) and the review queue of ambiguous matches.
CREATE TABLE IF NOT EXISTS meshes (
  name        TEXT PRIMARY KEY,
  definition  TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mesh_persons (
  mesh        TEXT NOT NULL,
  person_id   TEXT NOT NULL,
  state       TEXT NOT NULL,
  attributes  TEXT NOT NULL,
  provenance  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (mesh, person_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mesh_links (
  mesh        TEXT NOT NULL,
  connector   TEXT NOT NULL,
  account_id  TEXT NOT NULL,
  person_id   TEXT,
  status      TEXT NOT NULL,
  rule        TEXT,
  run_id      TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (mesh, connector, account_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mesh_links_by_person ON mesh_links (mesh, person_id);
CREATE INDEX IF NOT EXISTS mesh_links_by_status ON mesh_links (mesh, status, connector, account_id);
CREATE TABLE IF NOT EXISTS mesh_keys (
  mesh   TEXT NOT NULL,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  owner  TEXT NOT NULL,
  PRIMARY KEY (mesh, key, value, owner)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mesh_keys_by_owner ON mesh_keys (mesh, owner);
CREATE TABLE IF NOT EXISTS mesh_reviews (
  mesh        TEXT NOT NULL,
  connector   TEXT NOT NULL,
  account_id  TEXT NOT NULL,
  rule        TEXT NOT NULL,
  reason      TEXT NOT NULL,
  candidates  TEXT NOT NULL,
  status      TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (mesh, connector, account_id)
) WITHOUT ROWID;
`;

/** Columns added after the first release: databases created before them get them on migrate. */
export const SQLITE_ADDED_COLUMNS: { table: string; column: string; type: string }[] = [
  { table: 'objects', column: 'seen_seq', type: 'INTEGER' },
  { table: 'links', column: 'seen_seq', type: 'INTEGER' },
  { table: 'runs', column: 'start_seq', type: 'INTEGER' },
  { table: 'runs', column: 'definition', type: 'TEXT' },
  { table: 'objects', column: 'changed_run', type: 'TEXT' },
];
