#!/usr/bin/env bash
# Installs slapd, ldap-utils and the Samba AD DC from Debian packages, non-interactively.
# Skips apt entirely when everything is already present, so repeated runs cost nothing.
set -euo pipefail

need=()
command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ] || need+=(slapd)
command -v ldapsearch >/dev/null 2>&1 || need+=(ldap-utils)
command -v samba-tool >/dev/null 2>&1 || need+=(samba)
[ -x /usr/sbin/samba ] || need+=(samba-ad-dc)
# The AD DC needs the DB modules and krb5 bits the "samba" package only recommends.
dpkg -s samba-dsdb-modules >/dev/null 2>&1 || need+=(samba-dsdb-modules)
dpkg -s samba-vfs-modules >/dev/null 2>&1 || need+=(samba-vfs-modules)
dpkg -s winbind >/dev/null 2>&1 || need+=(winbind)
dpkg -s samba-ad-provision >/dev/null 2>&1 || need+=(samba-ad-provision)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# slapd's postinst would build a default database and start a daemon; we run our own instance
# from a private config directory, so tell debconf to leave the system one unconfigured.
echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
# Debian's policy-rc.d convention: keep package scripts from starting services (smbd, slapd).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
