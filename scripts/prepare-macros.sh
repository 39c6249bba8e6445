#!/usr/bin/env bash
# Re-records sqlx-cratedb-macros/.sqlx (the query descriptions its tests and doctests compile
# from offline) against a live CrateDB: DATABASE_URL, by default crate+pg://crate@localhost:5432/doc.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo/sqlx-cratedb-macros"
url="${DATABASE_URL:-crate+pg://crate@localhost:5432/doc}"
mkdir -p .sqlx
rm -f .sqlx/query-*.json
touch tests/*.rs
export SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$PWD/.sqlx" DATABASE_URL="$url"
cargo test -p sqlx-cratedb-macros --tests --no-run
# Doctests are compiled only when run; the compile_fail one is expanded (and recorded) too.
cargo test -p sqlx-cratedb-macros --doc
ls .sqlx
