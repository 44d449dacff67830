#!/usr/bin/env bash
# Stops both test directories (state stays for the next up.sh). `down.sh --purge` also deletes it.
set -uo pipefail
. "$(dirname "$0")/common.sh"

stop() {
  local pidfile="$1" name="$2"
  pid_alive "$pidfile" || { rm -f "$pidfile"; return 0; }
  local pid; pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then log "$name did not stop in 10 s; killing"; kill -KILL "$pid" 2>/dev/null; fi
  rm -f "$pidfile"
  log "$name stopped"
}
stop "$AD_DIR/samba.pid" samba
stop "$LDAP_DIR/slapd.pid" slapd
if [ "${1:-}" = "--purge" ]; then rm -rf "$DIRS_HOME"; log "removed $DIRS_HOME"; fi
