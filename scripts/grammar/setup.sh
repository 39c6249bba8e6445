#!/usr/bin/env bash
# Creates (idempotently) the Python venv that runs CrateDB's grammar check, at $REPO/.venv-grammar,
# and prints the venv's python path on stdout (and nothing else there: progress goes to stderr).
#
#   PY="$(bash scripts/grammar/setup.sh)" && "$PY" scripts/grammar/check_sql.py --corpus target/sql-corpus
#
# Fast when already done: it only checks that the venv's python imports cratedb_sqlparse and that
# the requirements stamp matches. Packages are (re)installed only when requirements.txt changed
# (its sha256, with the venv's python version, is stamped inside the venv).
#
# Prerequisites: python3 (>= 3.9) with a working `python3 -m venv`. When one is missing and this runs
# as root with apt-get, it installs Debian's python3 / python3-venv itself (set GRAMMAR_NO_APT=1 to
# forbid that). Otherwise it fails (exit 1) with a message naming the fix; with CI=true a missing
# prerequisite is always a failure, never a skip.
#
# Environment: GRAMMAR_PYTHON (default python3) picks the interpreter the venv is built from;
# GRAMMAR_VENV (default $REPO/.venv-grammar) moves the venv.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO="$(cd -- "$SCRIPT_DIR/../.." && pwd -P)"
REQ="$SCRIPT_DIR/requirements.txt"
VENV="${GRAMMAR_VENV:-$REPO/.venv-grammar}"
VPY="$VENV/bin/python"
STAMP="$VENV/.grammar-requirements.stamp"
BASE_PY="${GRAMMAR_PYTHON:-python3}"

log() { printf 'grammar setup: %s\n' "$*" >&2; }

die() {
    # $1: what is missing, $2: how to fix it
    if [[ "${CI:-}" == "true" ]]; then
        log "ERROR (CI=true, a missing prerequisite is a failure): $1"
        log "fix: $2"
    else
        log "ERROR: $1"
        log "fix: $2"
    fi
    exit 1
}

[[ -f "$REQ" ]] || die "requirements file not found: $REQ" "restore scripts/grammar/requirements.txt from git"

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d' ' -f1
    else
        # Last resort: any python3 will do for hashing.
        "$BASE_PY" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"
    fi
}

# The stamp ties the installed packages to this requirements file and this interpreter version.
venv_stamp() {
    local pyver
    pyver="$("$VPY" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null)" || return 1
    printf 'requirements-sha256=%s python=%s\n' "$(sha256_of "$REQ")" "$pyver"
}

venv_ready() {
    [[ -x "$VPY" && -f "$STAMP" ]] || return 1
    local want
    want="$(venv_stamp)" || return 1
    [[ "$(cat "$STAMP")" == "$want" ]] || return 1
    "$VPY" -c 'import cratedb_sqlparse' >/dev/null 2>&1
}

# ---- fast path: nothing to do -------------------------------------------------------------------
if venv_ready; then
    printf '%s\n' "$VPY"
    exit 0
fi

# ---- slow path: serialise concurrent runs (parallel test binaries may all call this) -----------
if command -v flock >/dev/null 2>&1; then
    LOCK="${TMPDIR:-/tmp}/venv-grammar-$(printf '%s' "$VENV" | cksum | cut -d' ' -f1).lock"
    exec 9>"$LOCK"
    if ! flock -w 600 9; then
        die "timed out waiting for another setup.sh holding $LOCK" "wait for it to finish, or remove $LOCK"
    fi
    # Someone else may have finished the job while we waited.
    if venv_ready; then
        printf '%s\n' "$VPY"
        exit 0
    fi
fi

can_apt() {
    [[ "${GRAMMAR_NO_APT:-}" != "1" && "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1
}

apt_install() {
    log "installing Debian packages: $*"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends "$@" >&2; then
        # A fresh machine has no package lists yet.
        apt-get update >&2 || true
        apt-get install -y --no-install-recommends "$@" >&2
    fi
}

# ---- python3 ------------------------------------------------------------------------------------
if ! command -v "$BASE_PY" >/dev/null 2>&1; then
    if can_apt && [[ -z "${GRAMMAR_PYTHON:-}" ]]; then
        apt_install python3 python3-venv || true
    fi
    command -v "$BASE_PY" >/dev/null 2>&1 ||
        die "'$BASE_PY' not found on PATH (needed for CrateDB's grammar check)" \
            "apt-get install python3 python3-venv (Debian/Ubuntu), or put a Python >= 3.9 on PATH / set GRAMMAR_PYTHON"
fi

if ! "$BASE_PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' >/dev/null 2>&1; then
    die "'$BASE_PY' is $("$BASE_PY" -V 2>&1 || echo 'not runnable'); cratedb-sqlparse needs Python >= 3.9" \
        "install a Python >= 3.9 and put it on PATH as python3 (or set GRAMMAR_PYTHON)"
fi

# ---- venv module (Debian splits it, with ensurepip's wheels, into python3-venv) -----------------
venv_module_ok() { "$BASE_PY" -c 'import venv, ensurepip' >/dev/null 2>&1; }
pyminor="$("$BASE_PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
apt_tried=0
apt_venv() {
    # Only for Debian's own interpreter; a pyenv/uv/conda python is not fixed by a Debian package.
    [[ "$apt_tried" == 0 ]] && can_apt && [[ "$(command -v "$BASE_PY")" == /usr/bin/* ]] || return 1
    apt_tried=1
    apt_install python3-venv "python${pyminor}-venv" || apt_install python3-venv
}
VENV_FIX="apt-get install python3-venv (Debian/Ubuntu, as root), or use a Python build that ships venv and ensurepip (GRAMMAR_PYTHON)"

if ! venv_module_ok; then
    apt_venv || true
    venv_module_ok || die "'$BASE_PY -m venv' is not usable (the venv/ensurepip modules are missing)" "$VENV_FIX"
fi

# ---- create the venv (recreate it when it is broken, e.g. its base interpreter went away) ------
if [[ -e "$VENV" ]] && ! "$VPY" -c 'import sys' >/dev/null 2>&1; then
    log "removing broken venv at $VENV"
    rm -rf -- "$VENV"
fi
if [[ ! -x "$VPY" ]]; then
    log "creating venv at $VENV with $(command -v "$BASE_PY") ($("$BASE_PY" -V 2>&1))"
    if ! "$BASE_PY" -m venv "$VENV" >&2; then
        rm -rf -- "$VENV"
        # Debian's python imports ensurepip even without python3-venv, then fails to create the venv.
        if apt_venv && "$BASE_PY" -m venv "$VENV" >&2; then
            :
        else
            rm -rf -- "$VENV"
            die "'$BASE_PY -m venv $VENV' failed (see above)" "$VENV_FIX"
        fi
    fi
fi

# ---- install the pinned requirements ------------------------------------------------------------
rm -f -- "$STAMP"
log "installing $(basename "$REQ") into $VENV"
if ! "$VPY" -m pip install --disable-pip-version-check --no-input --quiet --require-hashes -r "$REQ" >&2; then
    die "pip could not install $REQ into $VENV (see above)" \
        "check that PyPI is reachable and that the pinned versions/hashes in $REQ exist"
fi
if ! "$VPY" -c 'import cratedb_sqlparse' >&2; then
    die "cratedb_sqlparse does not import in $VENV after installing" "delete $VENV and run this script again"
fi
venv_stamp >"$STAMP"
log "ready: $("$VPY" -c 'import cratedb_sqlparse as c; print("cratedb-sqlparse grammar for CrateDB", c.__cratedb_version__)')"

printf '%s\n' "$VPY"
