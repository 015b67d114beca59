#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (tests/browser/), idempotently.
# Python Playwright drives it through executable_path=/usr/bin/chromium; `playwright install`
# is not used (its browser download is not available in our environments).
set -euo pipefail

CHROMIUM=${LRLAB_CHROMIUM:-/usr/bin/chromium}

if [ -x "$CHROMIUM" ]; then
    echo "install_chromium: $CHROMIUM present: $("$CHROMIUM" --version 2>/dev/null || echo '?')"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install_chromium: need root (or sudo) to apt-get install chromium" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y chromium
echo "install_chromium: installed $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
