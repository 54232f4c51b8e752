#!/usr/bin/env bash
# Make redis-server available for the local stack's CeleryExecutor (socialmart.stack).
# Installs the Debian package when missing; the stack starts its own throw-away server on
# SOCIALMART_BIND_HOST:REDIS_PORT, so the system service the package starts is stopped.
set -euo pipefail

if command -v redis-server >/dev/null; then
    echo "Redis found: $(redis-server --version | cut -d' ' -f3)"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Redis is not installed; run as root or: sudo apt-get install -y redis-server" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends redis-server
if command -v service >/dev/null; then
    service redis-server stop 2>/dev/null || true
fi
echo "Redis installed: $(redis-server --version | cut -d' ' -f3)"
