#!/usr/bin/env bash
# Speed comparison against a real CrateDB: sqlx-cratedb (HTTP and pgwire) vs the clients users
# have today, crate-python, sqlalchemy-cratedb's insert_bulk through pandas to_sql, asyncpg and
# psycopg 3 (Python), tokio-postgres and sqlx-postgres (Rust), on the same server and tables.
# Workloads: point select by primary key (p50/p99), a full read and a bulk insert of BENCH_ROWS
# (default 1,000,000) rows of a 10-column mixed-type table. Writes the figures and ratio tables
# into sqlx-cratedb/BENCHMARKS.md ("Against CrateDB"), target/bench-cratedb/report.md, and every
# raw measurement to target/bench-cratedb/results.jsonl.
#
#   CRATEDB_URL=crate://crate@localhost:4200 CRATEDB_PG_URL=postgres://crate@localhost:5432/doc \
#       bash scripts/bench-cratedb.sh
#
# A development tool, not a test ring: it makes (and reuses) the tables bench_peers.src and
# bench_peers.sink on that server. The Python peers run from .venv-bench/ (made here from
# scripts/bench/requirements.txt). Server CPU is read from /proc of the process listening on
# CRATEDB_URL's port when it runs on this machine (or BENCH_SERVER_PID). Knobs: see
# scripts/bench/run.py (BENCH_ROWS, BENCH_QUERIES, BENCH_RUNS, BENCH_BATCHES, BENCH_ONLY, ...).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
log() { printf 'bench-cratedb: %s\n' "$*" >&2; }

: "${CRATEDB_URL:?set CRATEDB_URL, e.g. crate://crate@localhost:4200}"
: "${CRATEDB_PG_URL:?set CRATEDB_PG_URL, e.g. postgres://crate@localhost:5432/doc}"
export CRATEDB_URL CRATEDB_PG_URL

# ---- the Python peers' venv and the Rust clients' bench binary (bench profile) -------------------
source "$repo/scripts/bench/common.sh"
venv="${BENCH_VENV:-$repo/.venv-bench}"
bench_venv "$venv" "$repo/scripts/bench/requirements.txt"
bin="$(bench_binary cratedb_peers "$venv/bin/python")"

# ---- the server's process, for its CPU time (only when it listens on this machine) ---------------
if [[ -z "${BENCH_SERVER_PID:-}" ]]; then
    port="$("$venv/bin/python" -c 'import os, urllib.parse as u; print(u.urlsplit(os.environ["CRATEDB_URL"]).port or 4200)')"
    BENCH_SERVER_PID="$(ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2 || true)"
fi
if [[ -n "${BENCH_SERVER_PID:-}" && -r "/proc/$BENCH_SERVER_PID/stat" ]]; then
    export BENCH_SERVER_PID
    log "server process $BENCH_SERVER_PID (its CPU time is measured)"
else
    unset BENCH_SERVER_PID
    log "the server's process is not visible here: no server CPU figures"
fi

exec "$venv/bin/python" scripts/bench/run.py --rust "$bin"
