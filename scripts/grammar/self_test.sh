#!/usr/bin/env bash
# Self-test of the grammar harness: proves check_sql.py cannot pass vacuously. It builds temporary
# corpora and checks check_sql.py's exit code and output for each:
#   all-good corpus -> 0; a statement expected valid that is invalid -> 1, named; empty corpus -> 1;
#   an `expect: invalid` statement that parses -> 1, named; usage errors -> 2; and more.
# Prints `grammar self-test: N passed, M failed`; exits non-zero on any failure.
#
#   bash scripts/grammar/self_test.sh
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
CHECK="$SCRIPT_DIR/check_sql.py"
PY="$(bash "$SCRIPT_DIR/setup.sh")"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/grammar-self-test.XXXXXX")"
trap 'rm -rf -- "$TMP"' EXIT

passed=0
failed=0
OUT=""
RC=0

ok() { passed=$((passed + 1)); printf 'ok    %s\n' "$1"; }
bad() {
    failed=$((failed + 1))
    printf 'FAIL  %s\n' "$1"
    printf '%s\n' "$OUT" | sed 's/^/      | /'
}

# run NAME CORPUS_DIR [ARGS...]: runs check_sql.py, keeps stdout+stderr in OUT and the exit code in RC.
run() {
    local name="$1" dir="$2"
    shift 2
    set +e
    OUT="$(PYTHONDONTWRITEBYTECODE=1 "$PY" "$CHECK" --corpus "$dir" "$@" 2>&1)"
    RC=$?
    set -e
    CUR="$name"
}

expect_rc() {
    if [[ "$RC" == "$1" ]]; then ok "$CUR: exit $1"; else bad "$CUR: exit $RC, expected $1"; fi
}

# expect_out TEXT: the output contains TEXT (fixed string).
expect_out() {
    if grep -qF -- "$1" <<<"$OUT"; then ok "$CUR: output has: $1"; else bad "$CUR: output lacks: $1"; fi
}

# expect_line REGEX: some whole line of the output matches the extended regex.
expect_line() {
    if grep -qE -- "$1" <<<"$OUT"; then ok "$CUR: output has a line like: $1"; else bad "$CUR: no line like: $1"; fi
}

# expect_last TEXT: the last line of the output is exactly TEXT, and it is the only summary line.
expect_last() {
    local last n
    last="$(tail -n 1 <<<"$OUT")"
    n="$(grep -cE '^grammar check: [0-9]+ passed, [0-9]+ failed$' <<<"$OUT" || true)"
    if [[ "$last" == "$1" && "$n" == "1" ]]; then
        ok "$CUR: ends with: $1"
    else
        bad "$CUR: last line is '$last' ($n summary lines), expected '$1'"
    fi
}

mk() { mkdir -p "$TMP/$1"; cat >"$TMP/$1/$2"; }

# ---- the all-good corpus (e) ---------------------------------------------------------------------
# 10 unique (sql, expect) pairs: 7 valid that parse (one of them with min_version 6.2), 2 invalid
# that are rejected, 1 newer-grammar one that is listed, not counted. 12 lines in all (duplicates).
mk good a.jsonl <<'EOF'
{"source": "good::select", "sql": "SELECT \"a\", \"o\"['k'] FROM \"doc\".\"t\" WHERE \"x\" = ANY($1) ORDER BY \"a\" DESC NULLS LAST LIMIT 10", "expect": "valid"}
{"source": "good::insert", "sql": "INSERT INTO \"t\" (\"a\") VALUES ($1) ON CONFLICT (\"a\") DO UPDATE SET \"b\" = \"excluded\".\"b\" RETURNING \"a\"", "expect": "valid"}
{"source": "good::create", "sql": "CREATE TABLE \"t\" (\"a\" TEXT PRIMARY KEY, \"o\" OBJECT(STRICT) AS (\"x\" INTEGER)) CLUSTERED BY (\"a\") INTO 4 SHARDS WITH (number_of_replicas = '0-1')", "expect": "valid"}
{"source": "good::bad_on_purpose", "sql": "SELECT FROM WHERE", "expect": "invalid"}
{"source": "good::unterminated_dollar", "sql": "SELECT $a$never closed", "expect": "invalid"}

{"source": "good::dollar_after_unterminated", "sql": "SELECT $b$x$b$", "expect": "valid"}
{"source": "good::newer", "sql": "CREATE SCHEMA \"s\"", "expect": "valid", "min_version": "6.2"}
{"source": "good::newer_but_parses", "sql": "SELECT 1", "expect": "valid", "min_version": "6.2"}
EOF
mk good b.jsonl <<'EOF'
{"source": "good::select_again", "sql": "SELECT \"a\", \"o\"['k'] FROM \"doc\".\"t\" WHERE \"x\" = ANY($1) ORDER BY \"a\" DESC NULLS LAST LIMIT 10", "expect": "valid"}
{"source": "good::refresh", "sql": "REFRESH TABLE \"t\"", "expect": "valid"}
{"source": "good::multiline", "sql": "SELECT \"a\"\nFROM \"t\";", "expect": "valid"}
{"source": "good::create", "sql": "CREATE TABLE \"t\" (\"a\" TEXT PRIMARY KEY, \"o\" OBJECT(STRICT) AS (\"x\" INTEGER)) CLUSTERED BY (\"a\") INTO 4 SHARDS WITH (number_of_replicas = '0-1')", "expect": "valid"}
EOF
run "all-good corpus" "$TMP/good"
expect_rc 0
expect_last "grammar check: 9 passed, 0 failed"
expect_out "2 file(s), 12 line(s), 10 unique statement(s)"
expect_line '^  NEWER \[good::newer\] needs newer grammar \(min_version 6\.2\): CREATE SCHEMA "s"  <-- parser: line 1:7 '
expect_line '^timing: parsed [0-9]+ distinct SQL string\(s\) in '

# ---- (b) expected valid, actually invalid ----------------------------------------------------------
for case in \
    'for_update|SELECT * FROM "t" FOR UPDATE|mismatched input '"'"'FOR'"'"'' \
    'trailing_garbage|SELECT 1 garbage garbage|extraneous input '"'"'garbage'"'"'' \
    'no_select_list|SELECT FROM WHERE|no viable alternative' \
    'two_statements|SELECT 1; SELECT 2|parsed as 2 statements, expected exactly 1' \
    'add_column_if_not_exists|ALTER TABLE "t" ADD COLUMN IF NOT EXISTS "c" INT|mismatched input '"'"'IF'"'"'' \
    'empty_sql||mismatched input '"'"'<EOF>'"'"''; do
    IFS='|' read -r tag sql msg <<<"$case"
    rm -rf "$TMP/b_$tag"
    cp -r "$TMP/good" "$TMP/b_$tag"
    "$PY" -c 'import json,sys; print(json.dumps({"source": "bad::"+sys.argv[1], "sql": sys.argv[2], "expect": "valid"}))' \
        "$tag" "$sql" >"$TMP/b_$tag/c.jsonl"
    run "expected valid but invalid ($tag)" "$TMP/b_$tag"
    expect_rc 1
    expect_out "FAIL [bad::$tag] expected valid, does not parse: $sql  <-- "
    expect_out "$msg"
    expect_last "grammar check: 9 passed, 1 failed"
done

# A statement that fails and claims only min_version 6.1 (the grammar's own level) is not excused.
mk not_newer a.jsonl <<'EOF'
{"source": "bad::claims_6_1", "sql": "CREATE SCHEMA \"s\"", "expect": "valid", "min_version": "6.1"}
EOF
run "min_version 6.1 is not excused" "$TMP/not_newer"
expect_rc 1
expect_out 'FAIL [bad::claims_6_1] expected valid, does not parse: CREATE SCHEMA "s"'
expect_last "grammar check: 0 passed, 1 failed"

# ---- (c) empty corpus --------------------------------------------------------------------------------
mkdir -p "$TMP/empty_dir"
run "empty corpus directory" "$TMP/empty_dir"
expect_rc 1
expect_out "fewer than --min-count 1"
expect_last "grammar check: 0 passed, 1 failed"

mk empty_files a.jsonl </dev/null
printf '\n\n' >"$TMP/empty_files/b.jsonl"
run "corpus of empty files" "$TMP/empty_files"
expect_rc 1
expect_last "grammar check: 0 passed, 1 failed"

run "corpus below --min-count" "$TMP/good" --min-count 11
expect_rc 1
expect_out "holds 10 unique statement(s), fewer than --min-count 11"
expect_last "grammar check: 9 passed, 1 failed"

# ---- (d) expect invalid, but it parses -------------------------------------------------------------
cp -r "$TMP/good" "$TMP/d"
mk d c.jsonl <<'EOF'
{"source": "bad::invalid_that_parses", "sql": "SELECT 1 garbage", "expect": "invalid"}
EOF
run "expect invalid but it parses" "$TMP/d"
expect_rc 1
expect_out "FAIL [bad::invalid_that_parses] expected invalid, but it parses: SELECT 1 garbage"
expect_last "grammar check: 9 passed, 1 failed"

# ---- usage errors: exit 2, naming file and line -------------------------------------------------
run "missing corpus directory" "$TMP/does-not-exist"
expect_rc 2
expect_out "corpus directory not found: $TMP/does-not-exist"

mk malformed a.jsonl <<'EOF'
{"source": "x", "sql": "SELECT 1", "expect": "valid"}
{"source": "x", "sql": "SELECT 1", "expect": "valid"
EOF
run "malformed JSON line" "$TMP/malformed"
expect_rc 2
expect_out "$TMP/malformed/a.jsonl:2: malformed JSON"

mk bad_expect a.jsonl <<'EOF'
{"source": "x", "sql": "SELECT 1", "expect": "maybe"}
EOF
run "bad expect value" "$TMP/bad_expect"
expect_rc 2
expect_out "$TMP/bad_expect/a.jsonl:1: \"expect\" must be \"valid\" or \"invalid\""

echo "grammar self-test: $passed passed, $failed failed"
[[ "$failed" == 0 ]]
