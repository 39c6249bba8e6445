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

source "$repo/scripts/bench/common.sh"
venv="${BENCH_ARROW_VENV:-$repo/.venv-bench-arrow}"
bench_venv "$venv" "$repo/scripts/bench/requirements-arrow.txt"
bin="$(bench_binary arrow_peers "$venv/bin/python")"

log "building cratedb-loader (release)"
cargo build --release -q -p cratedb-loader
loader="${CARGO_TARGET_DIR:-$repo/target}/release/cratedb-loader"
[[ -x "$loader" ]] || { log "error: $loader did not build"; exit 1; }

exec "$venv/bin/python" scripts/bench/arrow.py --rust "$bin" --python "$venv/bin/python" --loader "$loader"
