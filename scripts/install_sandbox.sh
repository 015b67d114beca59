#!/usr/bin/env bash
# Install Debian's bubblewrap (the grading sandbox, lrlab.grading.sandbox_bwrap), idempotently, and check
# that it can create the namespaces grading needs on this machine.
set -euo pipefail

if ! command -v bwrap >/dev/null 2>&1; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install_sandbox: bubblewrap is missing and this is not a Debian/Ubuntu system;" \
             "install the 'bubblewrap' package with your package manager" >&2
        exit 1
    fi
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO="sudo"
        else
            echo "install_sandbox: need root (or sudo) to apt-get install bubblewrap" >&2
            exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update
    $SUDO apt-get install -y bubblewrap
fi

if bwrap --ro-bind / / --unshare-all --die-with-parent --uid 65534 --gid 65534 /bin/true 2>/dev/null; then
    echo "install_sandbox: $(bwrap --version) works here"
else
    echo "install_sandbox: bwrap is installed but cannot create namespaces here" \
         "(unprivileged user namespaces disabled? try: sysctl kernel.unprivileged_userns_clone=1)" >&2
    exit 1
fi
