#!/usr/bin/env bash
# Make Debian's Chromium available for the dashboard browser test (tests/dashboards/
# test_browser.py). Playwright drives this system browser; no browser is downloaded by
# Playwright itself. Installs the Debian package when /usr/bin/chromium is absent.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
LABEL=Chromium
PACKAGE=chromium

present() { [ -x "$CHROMIUM" ]; }
version() { "$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM"; }

source "$(dirname "$0")/debian-package.sh"
