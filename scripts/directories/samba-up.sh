#!/usr/bin/env bash
# Provisions (once), seeds (once) and starts a Samba AD DC serving LDAPS with our own CA.
# Re-running reuses the provisioned directory when it is healthy.
set -euo pipefail
. "$(dirname "$0")/common.sh"

# Entries added to the seed after a server was first seeded (empty and exact-size groups): added
# to an existing directory once, skipping any that are there, so reused servers get them too.
EXTRA_MARK="$AD_DIR/.seeded-extra-1"
seed_extras() {
  [ -f "$EXTRA_MARK" ] && return 0
  log "adding the newer seed entries to the AD DC"
  npx --prefix "$REPO_ROOT" tsx "$REPO_ROOT/scripts/directories/make-ldif.ts" ad-extra "$AD_USERS" "$AD_DIR/seed-extra.ldif"
  /usr/bin/python3 - "$AD_DIR" <<'PY'
import sys
import ldb
from samba.samdb import SamDB
from samba.auth import system_session
from samba.param import LoadParm
d = sys.argv[1]
lp = LoadParm(); lp.load(d + '/etc/smb.conf')
db = SamDB(url=d + '/private/sam.ldb', session_info=system_session(), lp=lp)
for _, msg in db.parse_ldif(open(d + '/seed-extra.ldif').read()):
    try:
        db.add(msg)
    except ldb.LdbError as e:
        if e.args[0] != ldb.ERR_ENTRY_ALREADY_EXISTS:
            raise
PY
  touch "$EXTRA_MARK"
}

if pid_alive "$AD_DIR/samba.pid" && ad_healthy; then seed_extras; exit 0; fi
if pid_alive "$AD_DIR/samba.pid"; then kill "$(cat "$AD_DIR/samba.pid")" 2>/dev/null || true; sleep 1; fi

if [ ! -f "$AD_DIR/.provisioned" ]; then
  rm -rf "$AD_DIR"; mkdir -p "$AD_DIR"
  log "provisioning Samba AD DC in $AD_DIR"
  samba-tool domain provision --targetdir="$AD_DIR" --server-role=dc --realm=CORP.EXAMPLE.COM \
    --domain=CORP --adminpass="$AD_ADMINPASS" --dns-backend=SAMBA_INTERNAL \
    --option="interfaces=lo" --option="bind interfaces only=yes" >"$AD_DIR/provision.log" 2>&1
  # Only LDAP is needed; skipping smb/kdc/dns keeps the DC off ports other tools may hold.
  # Simple binds on plain 389 stay allowed for the ldap:// + StartTLS tests.
  sed -i "s#^\[global\]#[global]\n\tserver services = ldap\n\tldap server require strong auth = no\n\tpid directory = $AD_DIR/run\n\tlog file = $AD_DIR/samba.log#" "$AD_DIR/etc/smb.conf"
  sed -i '\#log file = /var/log#d' "$AD_DIR/etc/smb.conf"
  mkdir -p "$AD_DIR/run" "$AD_DIR/private/tls"
  # Samba's self-signed cert names only the host's FQDN; ours also names 127.0.0.1 and localhost
  # so clients can keep certificate verification on.
  tls="$AD_DIR/private/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=tiger-test-ca" \
    -keyout "$tls/ca-key.pem" -out "$tls/ca.pem" >/dev/null 2>&1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$tls/key.pem" -out "$tls/cert.csr" >/dev/null 2>&1
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:%s.corp.example.com\n' "$(hostname -s)" > "$tls/ext.cnf"
  openssl x509 -req -in "$tls/cert.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca-key.pem" -CAcreateserial \
    -days 3650 -extfile "$tls/ext.cnf" -out "$tls/cert.pem" >/dev/null 2>&1
  chmod 600 "$tls/key.pem" "$tls/ca-key.pem"
  touch "$AD_DIR/.provisioned"
fi

if [ ! -f "$AD_DIR/.seeded" ]; then
  log "seeding $AD_USERS users into the AD DC"
  npx --prefix "$REPO_ROOT" tsx "$REPO_ROOT/scripts/directories/make-ldif.ts" ad "$AD_USERS" "$AD_DIR/seed.ldif"
  # Loading through the sam.ldb modules (as samba-tool does) is ~4x faster than ldapadd over LDAPS.
  /usr/bin/python3 - "$AD_DIR" <<'PY'
import sys
from samba.samdb import SamDB
from samba.auth import system_session
from samba.param import LoadParm
d = sys.argv[1]
lp = LoadParm(); lp.load(d + '/etc/smb.conf')
db = SamDB(url=d + '/private/sam.ldb', session_info=system_session(), lp=lp)
db.transaction_start()
db.add_ldif(open(d + '/seed.ldif').read())
db.transaction_commit()
PY
  touch "$AD_DIR/.seeded"
fi

log "starting samba (ldaps://127.0.0.1:$AD_LDAPS_PORT)"
setsid samba -s "$AD_DIR/etc/smb.conf" -i -M single </dev/null >"$AD_DIR/stdout.log" 2>&1 &
echo $! > "$AD_DIR/samba.pid"
if ! wait_for 60 ad_healthy; then
  log "samba did not become healthy; see $AD_DIR/stdout.log"; tail -20 "$AD_DIR/stdout.log" >&2; exit 1
fi
seed_extras

