#!/usr/bin/env bash
# Arrow reads, side by side in one run: sqlx-cratedb-arrow against connectorx and
# polars.read_database_uri (PyPI) on the same table: a throwaway PostgreSQL (always) and the
# CrateDB named by CRATEDB_URL / CRATEDB_PG_URL (when set); there also a CSV load with
# cratedb-loader against crate-python's bulk_args and sqlalchemy-cratedb's insert_bulk. Writes the ratio tables into
# sqlx-cratedb-arrow/BENCHMARKS.md. A development tool, not a test ring. Knobs: see
# scripts/bench/arrow.py (BENCH_ROWS, BENCH_RUNS, BENCH_RSS_ROWS, BENCH_DOC, ...).
#
#   CRATEDB_URL=crate://crate@localhost:4200 CRATEDB_PG_URL=postgres://crate@localhost:5432/doc \
#       bash scripts/bench-arrow.sh
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
log() { printf 'bench-arrow: %s\n' "$*" >&2; }

bash tests/scripts/ensure-postgres.sh

venv="${BENCH_ARROW_VENV:-$repo/.venv-bench-arrow}"
req="$repo/scripts/bench/requirements-arrow.txt"
stamp="$venv/.requirements.stamp"
want="$(sha256sum "$req" | cut -d' ' -f1) $(python3 -V 2>&1)"
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    log "creating $venv with $(python3 -V 2>&1)"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet -r "$req"
    printf '%s' "$want" >"$stamp"
fi

log "building the arrow_peers bench binary"
bin="$(cargo bench -p cratedb-integration --bench arrow_peers --no-run --message-format=json 2>/dev/null |
    "$venv/bin/python" -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "arrow_peers" and m.get("executable"):
        print(m["executable"])')"
[[ -x "$bin" ]] || { log "error: the bench binary did not build"; exit 1; }

log "building cratedb-loader (release)"
cargo build --release -q -p cratedb-loader
loader="${CARGO_TARGET_DIR:-$repo/target}/release/cratedb-loader"
[[ -x "$loader" ]] || { log "error: $loader did not build"; exit 1; }

exec "$venv/bin/python" scripts/bench/arrow.py --rust "$bin" --python "$venv/bin/python" --loader "$loader"
