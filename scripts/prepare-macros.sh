#!/usr/bin/env bash
# Re-records sqlx-cratedb-macros/.sqlx (the query descriptions its tests and doctests compile
# from offline) against a live CrateDB over pgwire: DATABASE_URL, else CRATEDB_PG_URL, else
# crate+pg://crate@localhost:5432/doc (a postgres:// URL is rewritten to crate+pg://, the
# scheme the macros take). With --check, records into a temporary directory instead and fails
# when it differs from the committed .sqlx.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo/sqlx-cratedb-macros"
url="${DATABASE_URL:-${CRATEDB_PG_URL:-crate+pg://crate@localhost:5432/doc}}"
url="$(sed -E 's#^postgres(ql)?://#crate+pg://#' <<<"$url")"
if [[ "${1:-}" == "--check" ]]; then
    out="$(mktemp -d)"
    trap 'rm -rf "$out"' EXIT
else
    out="$PWD/.sqlx"
    mkdir -p "$out"
    rm -f "$out"/query-*.json
fi
# Cargo does not track DATABASE_URL: touching the sources makes it expand the macros again.
touch tests/*.rs
export SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$out" DATABASE_URL="$url"
cargo test -q -p sqlx-cratedb-macros --tests --no-run
# Doctests are compiled only when run; the compile_fail one is expanded (and recorded) too.
cargo test -q -p sqlx-cratedb-macros --doc
touch tests/*.rs
if [[ "${1:-}" == "--check" ]]; then
    diff -r "$out" .sqlx
    echo "sqlx-cratedb-macros/.sqlx matches what CrateDB describes"
else
    ls "$out"
fi
