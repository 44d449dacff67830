#!/usr/bin/env bash
# Prints the path of a Temporal CLI (which embeds the dev server), building it once if needed.
# Order: $TEMPORAL_BIN, `temporal` on PATH, the project cache, `go install` into the cache.
# Only v1.5.1 can be built with `go install` (later tags carry replace directives); it bundles
# Temporal Server 1.29 and UI 2.42.
set -euo pipefail
version=v1.5.1
cache="${TIGER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tiger-sync}/temporal-$version"

if [[ -n "${TEMPORAL_BIN:-}" && -x "${TEMPORAL_BIN}" ]]; then echo "$TEMPORAL_BIN"; exit 0; fi
if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi
if [[ -x "$cache/temporal" ]]; then echo "$cache/temporal"; exit 0; fi

gobin=$(command -v go || true)
[[ -z "$gobin" && -x /usr/local/go/bin/go ]] && gobin=/usr/local/go/bin/go
if [[ -z "$gobin" ]]; then
  cat >&2 <<MSG
tiger: no Temporal CLI found. Install one of:
  - the Temporal CLI on PATH (https://docs.temporal.io/cli), or set TEMPORAL_BIN=/path/to/temporal
  - Go >= 1.25, then run this script again: it builds temporal $version into $cache
MSG
  exit 1
fi
gover=$("$gobin" env GOVERSION | sed 's/^go//')
if [[ "$(printf '%s\n' 1.25 "$gover" | sort -V | head -1)" != "1.25" ]]; then
  echo "tiger: Go $gover is too old to build the Temporal CLI $version (needs >= 1.25)" >&2; exit 1
fi
mkdir -p "$cache"
echo "tiger: building the Temporal CLI $version once into $cache (a few minutes) ..." >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Built in a scratch dir so a go.mod in the caller's tree cannot interfere.
(cd "$tmp" && GOBIN="$cache" GOFLAGS=-mod=mod "$gobin" install "github.com/temporalio/cli/cmd/temporal@$version") >&2
echo "$cache/temporal"
