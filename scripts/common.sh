# shellcheck shell=bash
# Shared by scripts/setup.sh and scripts/test.sh (sourced, not run): find the
# repository, install the Debian packages of scripts/packages.txt that are
# missing, and configure and build one build folder.

# The repository root, whatever the caller's working directory.
DP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export DEBIAN_FRONTEND=noninteractive

dp_say() { printf '==> %s\n' "$*" >&2; }
dp_die() { printf 'docpipe scripts: %s\n' "$*" >&2; exit 1; }

# The package names of scripts/packages.txt, comments and blank lines removed.
dp_packages() {
    sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^[[:space:]]*$/d' "$DP_ROOT/scripts/packages.txt"
}

# Prints the packages of the list that dpkg does not report as installed.
dp_missing_packages() {
    local pkg status
    while read -r pkg; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
        case "$status" in
            *" installed") ;;
            *) printf '%s\n' "$pkg" ;;
        esac
    done < <(dp_packages)
}

# Installs what is missing with apt-get (as root, or through sudo), and does
# nothing at all when everything is there, so running it again is cheap.
# DOCPIPE_NO_INSTALL=1 skips the step (for machines managed otherwise).
dp_install_missing() {
    if [ "${DOCPIPE_NO_INSTALL:-0}" = 1 ]; then
        dp_say "DOCPIPE_NO_INSTALL=1: not installing packages"
        return 0
    fi
    command -v dpkg-query >/dev/null 2>&1 || \
        dp_die "dpkg-query not found: install the packages of scripts/packages.txt by hand and set DOCPIPE_NO_INSTALL=1"
    local missing
    missing=$(dp_missing_packages | tr '\n' ' ')
    missing=${missing% }
    if [ -z "$missing" ]; then
        dp_say "all $(dp_packages | wc -l) packages of scripts/packages.txt are installed"
        return 0
    fi
    local -a sudo=()
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 || \
            dp_die "missing packages ($missing) and not root and no sudo: install them as root"
        sudo=(sudo DEBIAN_FRONTEND=noninteractive)
    fi
    dp_say "installing: $missing"
    # A fresh machine has empty package lists, so update before installing;
    # the lock timeout waits for another apt (unattended upgrades) to finish.
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update
    # shellcheck disable=SC2086 # the list is split into words on purpose
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends $missing
    missing=$(dp_missing_packages | tr '\n' ' ')
    [ -z "${missing% }" ] || dp_die "still missing after apt-get install: $missing"
}

# dp_build DIR CMAKE_ARGS...: configures DIR from the repository root and
# builds everything in it, using every core (DOCPIPE_JOBS overrides).
dp_build() {
    local dir=$1
    shift
    local jobs=${DOCPIPE_JOBS:-$(nproc 2>/dev/null || echo 2)}
    dp_say "configuring $dir ($*)"
    cmake -S "$DP_ROOT" -B "$DP_ROOT/$dir" "$@"
    dp_say "building $dir with $jobs jobs"
    cmake --build "$DP_ROOT/$dir" -j "$jobs"
}
