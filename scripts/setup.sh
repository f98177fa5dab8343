#!/usr/bin/env bash
# The first command of the README: installs the Debian packages docpipe needs
# (only those missing; apt-get as root or through sudo), builds docpipe in
# build/ (Release), and runs the default chain (configs/default.json) over the
# sample bundles in samples/. Safe to run again: it installs nothing twice and
# rebuilds only what changed.
set -euo pipefail
# shellcheck source=scripts/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$DP_ROOT"

dp_install_missing
# Warnings are not errors here (a new compiler's new warning must not stop a
# user's build); scripts/test.sh turns them into errors in the same folder.
dp_build build -DCMAKE_BUILD_TYPE=Release -DDOCPIPE_WERROR=OFF

dp_say "running the default chain over samples/"
marker=$(mktemp)
trap 'rm -f "$marker"' EXIT
rc=0
./build/docpipe run samples/releases.tar.gz samples/releases.zip samples/releases || rc=$?
if [ "$rc" -ne 0 ]; then
    dp_die "docpipe run exited $rc (see its messages above)"
fi
dp_say "output written (newest files under out/):"
if [ -d out ]; then
    find out -type f -newer "$marker" -print | sort >&2
fi
dp_say "docpipe is ready: ./build/docpipe --help"
