#!/usr/bin/env bash
# Make PostgreSQL server binaries available for the portability tests (tests/pg_support.py).
# Installs the Debian package when no server is present; tests start their own throw-away
# cluster on 127.0.0.1 and a free port, so nothing is started or enabled here.
set -euo pipefail

LABEL=PostgreSQL
PACKAGE=postgresql

present() { compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; }
version() { ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1; }

# The package starts a system cluster on 5432; the tests do not need it.
after_install() {
    command -v pg_ctlcluster >/dev/null || return 0
    for cluster in /etc/postgresql/*/main; do
        [ -d "$cluster" ] || continue
        pg_ctlcluster "$(basename "$(dirname "$cluster")")" main stop 2>/dev/null || true
    done
}

source "$(dirname "$0")/debian-package.sh"
