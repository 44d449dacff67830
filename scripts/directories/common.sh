# Shared settings for the test directories; sourced by the other scripts.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIRS_HOME="${TIGER_DIRS_HOME:-$REPO_ROOT/.tiger/directories}"
AD_DIR="$DIRS_HOME/samba"
LDAP_DIR="$DIRS_HOME/slapd"
# Test-only credentials for throwaway local servers; override through the environment.
AD_ADMINPASS="${TIGER_AD_ADMINPASS:-Tiger-Adm1n!pass}"
# Samba 4.17 has no setting for its LDAP ports: they are fixed at 389 and 636.
AD_LDAPS_PORT=636
AD_LDAP_PORT=389
AD_USERS="${TIGER_AD_USERS:-3500}"
AD_BASE="DC=corp,DC=example,DC=com"
AD_BIND="CN=Administrator,CN=Users,$AD_BASE"
LDAP_PORT="${TIGER_LDAP_PORT:-3389}"
LDAP_ADMINPASS="${TIGER_LDAP_ADMINPASS:-tiger-ldap-admin}"
LDAP_USERS="${TIGER_LDAP_USERS:-3500}"
LDAP_BASE="dc=example,dc=org"
LDAP_BIND="cn=admin,$LDAP_BASE"

log() { printf '[directories] %s\n' "$*" >&2; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Polls until the command succeeds or the deadline (seconds) passes.
wait_for() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.3
  done
}

ad_healthy() {
  LDAPTLS_CACERT="$AD_DIR/private/tls/ca.pem" ldapsearch -x -LLL -o nettimeout=5 \
    -H "ldaps://127.0.0.1:$AD_LDAPS_PORT" -D "$AD_BIND" -w "$AD_ADMINPASS" \
    -b "OU=Users,$AD_BASE" -s base dn >/dev/null 2>&1
}

ldap_healthy() {
  ldapsearch -x -LLL -o nettimeout=5 -H "ldap://127.0.0.1:$LDAP_PORT" -D "$LDAP_BIND" -w "$LDAP_ADMINPASS" \
    -b "ou=people,$LDAP_BASE" -s base dn >/dev/null 2>&1
}
