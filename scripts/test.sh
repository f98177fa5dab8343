#!/usr/bin/env bash
# The second command of the README: installs what is missing (like
# scripts/setup.sh), checks that no banned C function is called
# (scripts/check-banned), builds with warnings as errors and runs every test
# (unit and CLI) through CTest.
#
#   bash scripts/test.sh              build/ (Release, -DDOCPIPE_WERROR=ON)
#   bash scripts/test.sh --sanitize   build-sanitize/ (ASan + UBSan); same as
#                                     DOCPIPE_SANITIZE=1 bash scripts/test.sh
# Arguments after `--` go to ctest (for example `-- -R samples`).
set -euo pipefail
# shellcheck source=scripts/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$DP_ROOT"

case "${DOCPIPE_SANITIZE:-0}" in
    1|[Oo][Nn]|[Yy][Ee][Ss]|[Tt][Rr][Uu][Ee]) sanitize=1 ;;
    *) sanitize=0 ;;
esac
ctest_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --sanitize) sanitize=1 ;;
        --) shift; ctest_args=("$@"); break ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) dp_die "unknown argument: $1 (try --help)" ;;
    esac
    shift
done

dp_install_missing
python3 "$DP_ROOT/scripts/check-banned"
if [ "$sanitize" = 1 ]; then
    dir=build-sanitize
    dp_build "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDOCPIPE_TESTS=ON -DDOCPIPE_WERROR=ON \
        -DDOCPIPE_SANITIZE=ON
    # Every leak, every UB report and every ASan error fails the test that
    # caused it.
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:exitcode=86}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}
else
    dir=build
    dp_build "$dir" -DCMAKE_BUILD_TYPE=Release -DDOCPIPE_TESTS=ON -DDOCPIPE_WERROR=ON
fi

dp_say "running the tests of $dir"
cd "$DP_ROOT/$dir"
ctest --output-on-failure -j2 ${ctest_args[@]+"${ctest_args[@]}"}
dp_say "all tests of $dir passed"
