#!/usr/bin/env bash
# The production Temporal topology without Docker: Temporal Server 1.29.1 on PostgreSQL (history
# and advanced visibility) and the Temporal UI 2.42.1, built once with Go into the project cache.
#
#   scripts/temporal-server.sh up       build if needed, migrate the schema, start server + UI,
#                                       register the namespace and the Tiger* search attributes
#   scripts/temporal-server.sh down     stop the UI and the server
#   scripts/temporal-server.sh status   what runs, and whether the frontend answers
#   scripts/temporal-server.sh build    only build (or find) the binaries
#   scripts/temporal-server.sh env      the variables `tiger worker` / `tiger server` need
#
# Every step is idempotent. Logs and pid files go to $TIGER_HOME/production (default
# .tiger/production). The server config is deploy/temporal/production.yaml (ports 7333…7439,
# bound to 127.0.0.1); the database comes from TEMPORAL_DB_HOST/PORT/USER/PASSWORD (default
# 127.0.0.1:5432, postgres, trust), the same variables docker-compose.yml sets.
set -euo pipefail
server_version=v1.29.1
ui_version=v2.42.1
root=$(cd "$(dirname "$0")/.." && pwd)
cache_root="${TIGER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tiger-sync}"
server_dir="$cache_root/temporal-server-$server_version"
ui_dir="$cache_root/temporal-ui-$ui_version"
state="${TIGER_HOME:-$root/.tiger}/production"
frontend=127.0.0.1:7333
ui_url=http://127.0.0.1:8333
export TEMPORAL_ADDRESS=$frontend

say() { echo "temporal-server: $*" >&2; }

go_bin() {
  local g
  g=$(command -v go || true)
  [[ -z "$g" && -x /usr/local/go/bin/go ]] && g=/usr/local/go/bin/go
  [[ -n "$g" ]] || { say "Go >= 1.25 is needed to build Temporal Server $server_version (or run docker compose up)"; exit 1; }
  echo "$g"
}

# go install into a versioned cache dir, from a scratch dir so no go.mod around us interferes.
go_install() { # target dir, packages...
  local dir=$1 g tmp
  shift
  g=$(go_bin)
  mkdir -p "$dir"
  tmp=$(mktemp -d)
  (cd "$tmp" && GOBIN="$dir" GOFLAGS=-mod=mod "$g" install "$@") >&2 || { rm -rf "$tmp"; say "go install $* failed"; exit 1; }
  rm -rf "$tmp"
}

build() {
  if [[ ! -x "$server_dir/server" || ! -x "$server_dir/sql" ]]; then
    say "building Temporal Server and its schema tool $server_version once into $server_dir (minutes) ..."
    go_install "$server_dir" "go.temporal.io/server/cmd/server@$server_version" "go.temporal.io/server/cmd/tools/sql@$server_version"
  fi
  # The UI's binary is also called `server`, hence a directory of its own.
  if [[ ! -x "$ui_dir/server" ]]; then
    say "building the Temporal UI $ui_version once into $ui_dir ..."
    go_install "$ui_dir" "github.com/temporalio/ui-server/v2/cmd/server@$ui_version"
  fi
}

schema_dir() {
  local g mod
  g=$(go_bin)
  mod="$("$g" env GOMODCACHE)/go.temporal.io/server@$server_version"
  if [[ ! -d "$mod/schema/postgresql/v12" ]]; then
    (cd "$(mktemp -d)" && "$g" mod download "go.temporal.io/server@$server_version") >&2
  fi
  echo "$mod/schema/postgresql/v12"
}

temporal_cli() { bash "$root/scripts/install-temporal.sh"; }

alive() { [[ -f "$state/$1.pid" ]] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null; }

healthy() { "$(temporal_cli)" operator cluster health --address "$frontend" >/dev/null 2>&1; }

# Each process leads its own process group (setsid), so `down` stops it and anything it spawned.
launch() { # name, command...
  local name=$1
  shift
  if alive "$name"; then return 0; fi
  setsid "$@" >>"$state/$name.log" 2>&1 < /dev/null &
  echo $! >"$state/$name.pid"
}

stop() { # name
  local name=$1 pid i
  alive "$name" || { rm -f "$state/$name.pid"; return 0; }
  pid=$(cat "$state/$name.pid")
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$state/$name.pid"
}

up() {
  mkdir -p "$state"
  build
  local t0=$SECONDS
  SQL_TOOL="$server_dir/sql" SCHEMA_DIR=$(schema_dir) bash "$root/scripts/production/schema.sh" >>"$state/schema.log" 2>&1 \
    || { tail -20 "$state/schema.log" >&2; say "schema migration failed (log: $state/schema.log)"; exit 1; }
  say "schema ready in $((SECONDS - t0)) s"
  if ! alive temporal && healthy; then
    say "a server this script did not start already answers on $frontend (no live pid in $state); stop it first"
    exit 1
  fi
  launch temporal "$server_dir/server" --root "$root" --config deploy/temporal --env production --allow-no-auth start
  local i
  for i in $(seq 1 120); do
    healthy && break
    alive temporal || { tail -30 "$state/temporal.log" >&2; say "the server exited (log: $state/temporal.log)"; exit 1; }
    sleep 1
  done
  healthy || { say "the server did not answer on $frontend within 120 s (log: $state/temporal.log)"; exit 1; }
  TEMPORAL=$(temporal_cli) bash "$root/scripts/production/register.sh" >>"$state/register.log" 2>&1 \
    || { tail -20 "$state/register.log" >&2; say "registering the namespace/search attributes failed"; exit 1; }
  launch ui "$ui_dir/server" --root "$root" --config deploy/temporal-ui --env production start
  say "server on $frontend, UI on $ui_url, logs in $state"
}

status() {
  local rc=0 n
  for n in temporal ui; do
    if alive "$n"; then echo "$n: running (pid $(cat "$state/$n.pid"))"; else echo "$n: stopped"; rc=1; fi
  done
  if healthy; then echo "frontend $frontend: serving"; else echo "frontend $frontend: not answering"; rc=1; fi
  return $rc
}

case "${1:-}" in
  up) up ;;
  down) stop ui; stop temporal ;;
  status) status ;;
  build) build ;;
  env) echo "TEMPORAL_ADDRESS=$frontend"; echo "TEMPORAL_NAMESPACE=default" ;;
  *) echo "usage: $0 up|down|status|build|env" >&2; exit 2 ;;
esac
