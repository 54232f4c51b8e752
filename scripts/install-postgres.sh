#!/usr/bin/env bash
# Make PostgreSQL server binaries available for the portability tests (tests/pg_support.py).
# Installs the Debian package when no server is present; tests start their own throw-away
# cluster on 127.0.0.1 and a free port, so nothing is started or enabled here.
set -euo pipefail

if compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
    echo "PostgreSQL found: $(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL is not installed; run as root or: sudo apt-get install -y postgresql" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql
# The package starts a system cluster on 5432; the tests do not need it.
if command -v pg_ctlcluster >/dev/null; then
    for cluster in /etc/postgresql/*/main; do
        [ -d "$cluster" ] || continue
        version="$(basename "$(dirname "$cluster")")"
        pg_ctlcluster "$version" main stop 2>/dev/null || true
    done
fi
echo "PostgreSQL installed: $(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
