#!/usr/bin/env bash
# Builds (once) a private slapd with its own cn=config, seeds it offline with slapadd, starts it.
set -euo pipefail
. "$(dirname "$0")/common.sh"

if pid_alive "$LDAP_DIR/slapd.pid" && ldap_healthy; then exit 0; fi
if pid_alive "$LDAP_DIR/slapd.pid"; then kill "$(cat "$LDAP_DIR/slapd.pid")" 2>/dev/null || true; sleep 1; fi

if [ ! -f "$LDAP_DIR/.seeded" ]; then
  rm -rf "$LDAP_DIR"; mkdir -p "$LDAP_DIR/slapd.d" "$LDAP_DIR/data"
  hash="$(slappasswd -s "$LDAP_ADMINPASS")"
  cat > "$LDAP_DIR/config.ldif" <<LDIF
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: $LDAP_DIR/slapd.pid
olcSizeLimit: 1000

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: ppolicy

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/nis.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: $LDAP_BASE
olcRootDN: $LDAP_BIND
olcRootPW: $hash
olcDbDirectory: $LDAP_DIR/data
olcDbMaxSize: 1073741824
olcDbIndex: objectClass eq
olcDbIndex: entryUUID eq
olcDbIndex: member,uniqueMember eq
olcLimits: dn.exact="$LDAP_BIND" size=unlimited
olcAccess: {0}to * by dn.exact="$LDAP_BIND" manage by * none

dn: olcOverlay={0}ppolicy,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {0}ppolicy
LDIF
  slapadd -n 0 -F "$LDAP_DIR/slapd.d" -l "$LDAP_DIR/config.ldif" >"$LDAP_DIR/slapadd.log" 2>&1
  log "seeding $LDAP_USERS users into slapd"
  npx --prefix "$REPO_ROOT" tsx "$REPO_ROOT/scripts/directories/make-ldif.ts" ldap "$LDAP_USERS" "$LDAP_DIR/seed.ldif"
  slapadd -q -n 1 -F "$LDAP_DIR/slapd.d" -l "$LDAP_DIR/seed.ldif" >>"$LDAP_DIR/slapadd.log" 2>&1
  touch "$LDAP_DIR/.seeded"
fi

log "starting slapd (ldap://127.0.0.1:$LDAP_PORT)"
slapd -F "$LDAP_DIR/slapd.d" -h "ldap://127.0.0.1:$LDAP_PORT/" -u "$(id -un)" -g "$(id -gn)"
if ! wait_for 30 ldap_healthy; then log "slapd did not become healthy"; exit 1; fi
