#!/usr/bin/env bash
# Make Debian's Chromium available for the dashboard browser test (tests/dashboards/
# test_browser.py). Playwright drives this system browser; no browser is downloaded by
# Playwright itself. Installs the Debian package when /usr/bin/chromium is absent.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    echo "Chromium found: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Chromium is not installed; run as root or: sudo apt-get install -y chromium" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium
echo "Chromium installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
