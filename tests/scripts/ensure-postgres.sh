#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries (initdb, postgres, psql) are installed for the
# real-server tests (tests/, ring 3 of architecture.md §3).
#
# Looks where the test support looks: `pg_config --bindir`, then /usr/lib/postgresql/*/bin.
# When nothing is found and this runs as root, installs Debian's `postgresql` package with
# apt-get (after `apt-get update`); otherwise it fails with a message saying what to install.
# The package's system service is not needed: the tests start their own servers. Prints the
# bin directory on success.
set -euo pipefail

find_bindir() {
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/postgres" && -x "$dir/psql" ]]; then
            echo "$dir"
            return 0
        fi
    fi
    # Highest major version first.
    local dirs=()
    shopt -s nullglob
    dirs=(/usr/lib/postgresql/*/bin)
    shopt -u nullglob
    ((${#dirs[@]})) || return 1
    for dir in $(printf '%s\n' "${dirs[@]}" | sort -t/ -k4 -n -r); do
        if [[ -x "$dir/initdb" && -x "$dir/postgres" && -x "$dir/psql" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

if bindir="$(find_bindir)"; then
    echo "$bindir"
    exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
    echo "error: PostgreSQL server binaries (initdb, postgres, psql) not found via pg_config" \
        "or /usr/lib/postgresql/*/bin, and not running as root to install them." >&2
    echo "       Install them, e.g. on Debian/Ubuntu: sudo apt-get install postgresql" >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: PostgreSQL server binaries not found and apt-get is not available;" \
        "install PostgreSQL's server package with this system's package manager." >&2
    exit 1
fi

echo "PostgreSQL server binaries not found: installing Debian's postgresql package" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends postgresql >&2

if bindir="$(find_bindir)"; then
    echo "$bindir"
    exit 0
fi
echo "error: installed the postgresql package but still found no initdb/postgres/psql" >&2
exit 1
