#!/usr/bin/env bash
# The one set-up-and-test command (README "Testing"; `.ci/run` calls it).
#
# Rings run here (architecture.md §3): golden SQL and the crates' own tests, CrateDB's grammar
# over every SQL string the golden tests produced, CrateDB's lexer over the adversarial pairs
# (each payload one identifier or literal), the driver's protocol-peer tests, doctests,
# lints and docs. Prerequisites are installed or required: with CI=true a missing one fails.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

step() { printf '\n==> %s\n' "$*"; }
need() {
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "error: '$1' is required ($2)" >&2
        exit 1
    fi
}

need cargo "install Rust with rustup"
need python3 "Debian: apt-get install python3 python3-venv"

step "PostgreSQL server binaries (the wire-protocol peer; installed from Debian when root)"
bash tests/scripts/ensure-postgres.sh

step "Python venv for CrateDB's grammar (cratedb-sqlparse)"
python="$(bash scripts/grammar/setup.sh)"

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, all features, warnings are errors)"
cargo clippy --workspace --all-targets --all-features -- -D warnings

corpus="$repo/target/sql-corpus"
rm -rf "$corpus"
mkdir -p "$corpus"

# The live ring (tests/live.rs) runs inside `cargo test` against a real CrateDB when one is
# named: CRATEDB_HOME (an installed CrateDB; the test starts and removes its own node), or
# CRATEDB_URL / CRATEDB_PG_URL (a running server). Then a missing transport is a failure.
if [[ -n "${CRATEDB_HOME:-}${CRATEDB_URL:-}${CRATEDB_PG_URL:-}" ]]; then
    export CRATEDB_REQUIRED=1
    live="live ring against CrateDB (CRATEDB_HOME=${CRATEDB_HOME:-unset})"
else
    live="live ring skipped: no CRATEDB_HOME, CRATEDB_URL or CRATEDB_PG_URL"
fi

step "cargo test (unit, golden SQL, protocol peers, doctests; $live)"
SQL_CORPUS_DIR="$corpus" cargo test --workspace --all-features

if [[ -n "${CRATEDB_PG_URL:-}" ]]; then
    step "sqlx-cratedb-macros: the committed .sqlx matches what CrateDB describes now"
    bash scripts/prepare-macros.sh --check
fi

step "examples without a server (they print the SQL they would run)"
for example in ddl models migrate; do
    env -u CRATEDB_URL cargo run -q -p cratedb-examples --example "$example" >/dev/null
done

step "CrateDB grammar over every SQL string the tests produced"
"$python" scripts/grammar/check_sql.py --corpus "$corpus" --min-count 150

step "CrateDB's lexer over the adversarial pairs: each payload stays one identifier or literal"
"$python" scripts/grammar/check_tokens.py --corpus "$corpus" \
    --min-pairs 10000 --min-surfaces 120 --min-payloads 115

step "grammar harness self-test (it must reject bad SQL and token-changing pairs)"
bash scripts/grammar/self_test.sh

step "cargo doc (warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features

step "architecture: no import cycles between files, no upward imports (ARCHITECTURE.md)"
python3 scripts/arch/layers.py sqlx-cratedb/src --check
python3 scripts/arch/layers.py sea-cratedb/src --hub none | grep -q '^import cycles: 0 ' ||
    { python3 scripts/arch/layers.py sea-cratedb/src --hub none; exit 1; }

step "feature isolation"
cargo check -p sea-cratedb --no-default-features
cargo check -p sqlx-cratedb --no-default-features
cargo check -p sqlx-cratedb --lib --tests

echo
echo "all checks passed"
