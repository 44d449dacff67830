#!/usr/bin/env bash
# Registers the namespace and the Tiger* search attributes (the list in
# workflows/search-attributes.ts) on a running Temporal server. Idempotent: what exists is kept.
#   TEMPORAL       the Temporal CLI
#   TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE  the server and namespace (default `default`)
# `register.sh --list` only prints the attribute names it would register.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
attrs_file=${TIGER_SEARCH_ATTRIBUTES_FILE:-$here/../../workflows/search-attributes.ts}
names=$(grep -o "defineSearchAttributeKey('Tiger[A-Za-z]*', SearchAttributeType.KEYWORD)" "$attrs_file" | cut -d"'" -f2)
[[ -n "$names" ]] || { echo "register: no Tiger* keyword attributes found in $attrs_file" >&2; exit 1; }
if [[ "${1:-}" == --list ]]; then echo "$names"; exit 0; fi

: "${TEMPORAL:?TEMPORAL must name the Temporal CLI}"
: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS must name the frontend, host:port}"
ns=${TEMPORAL_NAMESPACE:-default}
t=("$TEMPORAL" --address "$TEMPORAL_ADDRESS")

if ! "${t[@]}" operator namespace describe -n "$ns" >/dev/null 2>&1; then
  "${t[@]}" operator namespace create -n "$ns" --retention 72h
fi
# The frontend caches namespaces for a few seconds; attributes can be added once it knows this one.
for i in $(seq 1 60); do
  "${t[@]}" operator search-attribute list -n "$ns" >/dev/null 2>&1 && break
  sleep 1
done
have=$("${t[@]}" operator search-attribute list -n "$ns")
for a in $names; do
  grep -qw "$a" <<<"$have" || "${t[@]}" operator search-attribute create -n "$ns" --name "$a" --type Keyword
done
