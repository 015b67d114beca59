#!/usr/bin/env bash
# Install configurable-http-proxy (JupyterHub's proxy, from npm) for the classroom JupyterHub test
# (tests/test_classroom_hub.py), idempotently, into .cache/chp/ (no global npm install).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=4.6.3
BIN=.cache/chp/node_modules/.bin/configurable-http-proxy
if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -qx "$VERSION"; then
    echo "install_chp: $BIN $VERSION present"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm
    else
        echo "install_chp: npm not found (apt-get install nodejs npm)" >&2
        exit 1
    fi
fi
mkdir -p .cache/chp
npm install --prefix .cache/chp --no-audit --no-fund --loglevel=error "configurable-http-proxy@$VERSION"
echo "install_chp: installed $("$BIN" --version)"
