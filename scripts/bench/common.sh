# Shared by scripts/bench-cratedb.sh and scripts/bench-arrow.sh (sourced; each defines `log`).

# bench_venv DIR REQUIREMENTS: makes (or reuses) the virtual environment DIR with the pinned
# REQUIREMENTS, made again when that file or the Python version changes.
bench_venv() {
    local venv="$1" req="$2"
    local stamp="$venv/.requirements.stamp"
    local want
    want="$(sha256sum "$req" | cut -d' ' -f1) $(python3 -V 2>&1)"
    if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
        log "creating $venv with $(python3 -V 2>&1)"
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet -r "$req"
        printf '%s' "$want" >"$stamp"
    fi
}

# bench_binary NAME PYTHON: builds the bench target NAME of cratedb-integration (bench profile)
# and prints the path of its executable; exits when it did not build.
bench_binary() {
    local name="$1" python="$2" bin
    log "building the $name bench binary"
    bin="$(cargo bench -p cratedb-integration --bench "$name" --no-run --message-format=json 2>/dev/null |
        "$python" -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == sys.argv[1] and m.get("executable"):
        print(m["executable"])' "$name")"
    [[ -x "$bin" ]] || { log "error: the bench binary did not build (cargo bench -p cratedb-integration --bench $name --no-run)"; exit 1; }
    printf '%s' "$bin"
}
