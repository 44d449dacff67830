// PostgreSQL schema. Keep in step with schema-sqlite.ts (same tables, columns and meaning).
// Key columns use the "C" collation so ORDER BY gives the same byte order as SQLite
// (exports compare equal across engines) and comparisons skip locale rules.
export const POSTGRES_SCHEMA = `
CREATE TABLE IF NOT EXISTS connectors (
  name        text COLLATE "C" PRIMARY KEY,
  type        text NOT NULL,
  enabled     boolean NOT NULL,
  definition  jsonb NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS objects (
  connector          text COLLATE "C" NOT NULL,
  kind               text COLLATE "C" NOT NULL,
  external_id        text COLLATE "C" NOT NULL,
  attributes         jsonb NOT NULL,
  hash               text NOT NULL,
  source_updated_at  timestamptz,
  last_seen_run      text,
  seen_seq           bigint,
  deleted_at         timestamptz,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  PRIMARY KEY (connector, kind, external_id)
);

CREATE TABLE IF NOT EXISTS links (
  connector      text COLLATE "C" NOT NULL,
  kind           text COLLATE "C" NOT NULL,
  parent_id      text COLLATE "C" NOT NULL,
  child_id       text COLLATE "C" NOT NULL,
  child_kind     text COLLATE "C" NOT NULL,
  attributes     jsonb,
  hash           text,
  last_seen_run  text,
  seen_seq       bigint,
  deleted_at     timestamptz,
  PRIMARY KEY (connector, kind, parent_id, child_id)
);
-- Deleting a user or group soft-deletes the links that name it as child.
CREATE INDEX IF NOT EXISTS links_by_child ON links (connector, child_kind, child_id);

CREATE TABLE IF NOT EXISTS runs (
  run_id       text PRIMARY KEY,
  -- Tie-break for runs started in the same millisecond (SQLite uses its rowid).
  seq          bigint GENERATED ALWAYS AS IDENTITY,
  connector    text COLLATE "C" NOT NULL,
  mode         text NOT NULL,
  trigger      text NOT NULL,
  status       text NOT NULL,
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz,
  fetched      bigint NOT NULL DEFAULT 0,
  inserted     bigint NOT NULL DEFAULT 0,
  updated      bigint NOT NULL DEFAULT 0,
  unchanged    bigint NOT NULL DEFAULT 0,
  deleted      bigint NOT NULL DEFAULT 0,
  error        text,
  start_seq    bigint,
  definition   jsonb
);
CREATE INDEX IF NOT EXISTS runs_by_connector ON runs (connector, started_at);

CREATE TABLE IF NOT EXISTS run_log (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL,
  connector  text COLLATE "C" NOT NULL,
  run_id     text,
  level      text NOT NULL,
  message    text NOT NULL
);
CREATE INDEX IF NOT EXISTS run_log_by_connector ON run_log (connector, id);
CREATE INDEX IF NOT EXISTS run_log_by_run ON run_log (run_id, id);

CREATE TABLE IF NOT EXISTS watermarks (
  connector   text COLLATE "C" NOT NULL,
  key         text COLLATE "C" NOT NULL,
  value       text NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (connector, key)
);

-- The store-wide change sequence: every apply stamps the rows it writes with nextval (seen_seq)
-- and every run records the value it began at (start_seq); see deleteUnseen in postgres.ts.
CREATE SEQUENCE IF NOT EXISTS change_seq;

-- Columns added after the first release (no-ops on a database created with them).
ALTER TABLE objects ADD COLUMN IF NOT EXISTS seen_seq bigint;
ALTER TABLE links ADD COLUMN IF NOT EXISTS seen_seq bigint;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS start_seq bigint;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS definition jsonb;
ALTER TABLE objects ADD COLUMN IF NOT EXISTS changed_run text;

-- The claim check: payload is the staged page as JSON text (parsed by the apply, never queried)
-- until applied, then NULL; counts keep the first apply's result so a retried apply returns it.
CREATE TABLE IF NOT EXISTS staged_pages (
  stage_key   text PRIMARY KEY,
  connector   text COLLATE "C" NOT NULL,
  run_id      text,
  payload     text,
  counts      jsonb,
  created_at  timestamptz NOT NULL,
  applied_at  timestamptz
);
CREATE INDEX IF NOT EXISTS staged_pages_by_run ON staged_pages (run_id);

-- Projection map: the target object each source object became, and the hash of what was written.
CREATE TABLE IF NOT EXISTS projections (
  target      text COLLATE "C" NOT NULL,
  source      text COLLATE "C" NOT NULL,
  kind        text COLLATE "C" NOT NULL,
  source_id   text COLLATE "C" NOT NULL,
  target_id   text NOT NULL,
  hash        text NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (target, source, kind, source_id)
);

-- Push state, quarantine and plans: see schema-sqlite.ts.
CREATE TABLE IF NOT EXISTS push_state (
  target      text COLLATE "C" NOT NULL,
  source      text COLLATE "C" NOT NULL,
  kind        text COLLATE "C" NOT NULL,
  source_id   text COLLATE "C" NOT NULL,
  target_id   text NOT NULL,
  attributes  jsonb NOT NULL,
  enabled     boolean NOT NULL,
  members     jsonb,
  hash        text NOT NULL,
  pushed_at   timestamptz NOT NULL,
  PRIMARY KEY (target, source, kind, source_id)
);

CREATE TABLE IF NOT EXISTS push_quarantine (
  target           text COLLATE "C" NOT NULL,
  source           text COLLATE "C" NOT NULL,
  kind             text COLLATE "C" NOT NULL,
  source_id        text COLLATE "C" NOT NULL,
  error            text NOT NULL,
  attempts         integer NOT NULL,
  first_failed_at  timestamptz NOT NULL,
  last_failed_at   timestamptz NOT NULL,
  status           text NOT NULL,
  PRIMARY KEY (target, source, kind, source_id)
);

CREATE TABLE IF NOT EXISTS push_plans (
  run_id      text NOT NULL,
  seq         integer NOT NULL,
  target      text COLLATE "C" NOT NULL,
  kind        text NOT NULL,
  plan        text NOT NULL,
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (run_id, seq)
);
CREATE INDEX IF NOT EXISTS push_plans_by_target ON push_plans (target, created_at);

-- Identity mesh: see schema-sqlite.ts.
CREATE TABLE IF NOT EXISTS meshes (
  name        text COLLATE "C" PRIMARY KEY,
  definition  jsonb NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS mesh_persons (
  mesh        text COLLATE "C" NOT NULL,
  person_id   text COLLATE "C" NOT NULL,
  state       text NOT NULL,
  attributes  jsonb NOT NULL,
  provenance  jsonb NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (mesh, person_id)
);
CREATE TABLE IF NOT EXISTS mesh_links (
  mesh        text COLLATE "C" NOT NULL,
  connector   text COLLATE "C" NOT NULL,
  account_id  text COLLATE "C" NOT NULL,
  person_id   text COLLATE "C",
  status      text COLLATE "C" NOT NULL,
  rule        text,
  run_id      text NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (mesh, connector, account_id)
);
CREATE INDEX IF NOT EXISTS mesh_links_by_person ON mesh_links (mesh, person_id);
CREATE INDEX IF NOT EXISTS mesh_links_by_status ON mesh_links (mesh, status, connector, account_id);
CREATE TABLE IF NOT EXISTS mesh_keys (
  mesh   text COLLATE "C" NOT NULL,
  key    text COLLATE "C" NOT NULL,
  value  text COLLATE "C" NOT NULL,
  owner  text COLLATE "C" NOT NULL,
  PRIMARY KEY (mesh, key, value, owner)
);
CREATE INDEX IF NOT EXISTS mesh_keys_by_owner ON mesh_keys (mesh, owner);
CREATE TABLE IF NOT EXISTS mesh_reviews (
  mesh        text COLLATE "C" NOT NULL,
  connector   text COLLATE "C" NOT NULL,
  account_id  text COLLATE "C" NOT NULL,
  rule        text NOT NULL,
  reason      text NOT NULL,
  candidates  jsonb NOT NULL,
  status      text NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (mesh, connector, account_id)
);
`;
