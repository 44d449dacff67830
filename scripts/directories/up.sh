#!/usr/bin/env bash
# Installs, provisions, seeds and starts both test directories; safe to run again.
set -euo pipefail
here="$(dirname "$0")"
bash "$here/install.sh"
bash "$here/slapd-up.sh"
bash "$here/samba-up.sh"
