#!/usr/bin/env bash
# Make redis-server available for the local stack's CeleryExecutor (socialmart.stack).
# Installs the Debian package when missing; the stack starts its own throw-away server on
# SOCIALMART_BIND_HOST:REDIS_PORT, so the system service the package starts is stopped.
set -euo pipefail

LABEL=Redis
PACKAGE=redis-server

present() { command -v redis-server >/dev/null; }
version() { redis-server --version | cut -d' ' -f3; }

after_install() {
    command -v service >/dev/null || return 0
    service redis-server stop 2>/dev/null || true
}

source "$(dirname "$0")/debian-package.sh"
