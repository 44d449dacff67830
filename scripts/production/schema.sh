#!/usr/bin/env bash
# Creates and migrates Temporal's two PostgreSQL databases (history and advanced visibility) with
# Temporal's schema tool. Idempotent: an existing database is kept and only newer schema versions
# are applied. Shared by scripts/temporal-server.sh and docker-compose.yml (temporal-schema), so
# both run exactly these steps; they differ only in where the tool and the schema files live.
#   SQL_TOOL    the schema tool (`sql` built from go.temporal.io/server/cmd/tools/sql, or
#               `temporal-sql-tool` in the admin-tools image)
#   SCHEMA_DIR  the server module's schema/postgresql/v12
set -euo pipefail
: "${SQL_TOOL:?SQL_TOOL must name the Temporal schema tool}"
: "${SCHEMA_DIR:?SCHEMA_DIR must point at schema/postgresql/v12 of the Temporal server module}"
host=${TEMPORAL_DB_HOST:-127.0.0.1}
port=${TEMPORAL_DB_PORT:-5432}
user=${TEMPORAL_DB_USER:-postgres}
# The tool reads the password from SQL_PASSWORD, which keeps it off the process list.
export SQL_PASSWORD=${TEMPORAL_DB_PASSWORD:-}

migrate() { # database, schema subdirectory
  local db=$1 dir=$SCHEMA_DIR/$2/versioned out
  local tool=("$SQL_TOOL" --plugin postgres12 --ep "$host" -p "$port" -u "$user" --db "$db")
  if ! out=$("${tool[@]}" create-database 2>&1); then
    # A second `up` finds the database there; anything else is a real failure.
    grep -q 'already exists' <<<"$out" || { echo "$out" >&2; echo "schema: cannot create database $db on $host:$port as $user" >&2; exit 1; }
  fi
  # Creates only the version tables (IF NOT EXISTS) and never lowers a recorded version.
  "${tool[@]}" setup-schema -v 0.0
  "${tool[@]}" update-schema -d "$dir"
}

migrate "${TEMPORAL_DB:-temporal}" temporal
migrate "${TEMPORAL_VISIBILITY_DB:-temporal_visibility}" visibility
