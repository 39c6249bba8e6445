#!/usr/bin/env bash
# Self-test of the grammar harness: proves check_sql.py and check_tokens.py cannot pass vacuously.
# It builds temporary corpora and checks each script's exit code and output:
#   all-good corpus -> 0; a statement expected valid that is invalid -> 1, named; empty corpus -> 1;
#   an `expect: invalid` statement that parses -> 1, named; usage errors -> 2; and more.
#   check_tokens.py: good pairs -> 0; a payload that changes the token types (breaks out of its
#   identifier or literal), changes another token, is not carried whole, or makes the statement
#   unparsable -> 1, named; too few pairs/surfaces/payloads -> 1; usage errors -> 2.
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

# run_script SCRIPT NAME CORPUS_DIR [ARGS...]: runs SCRIPT on the corpus, keeps stdout+stderr in OUT
# and the exit code in RC.
run_script() {
    local script="$1" name="$2" dir="$3"
    shift 3
    set +e
    OUT="$(PYTHONDONTWRITEBYTECODE=1 "$PY" "$script" --corpus "$dir" "$@" 2>&1)"
    RC=$?
    set -e
    CUR="$name"
}

# run NAME CORPUS_DIR [ARGS...]: runs check_sql.py.
run() { run_script "$CHECK" "$@"; }

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

# ---- check_tokens.py: (benign, adversarial) pairs ------------------------------------------------
TOKENS="$SCRIPT_DIR/check_tokens.py"

# run_tokens NAME CORPUS_DIR [ARGS...]: runs check_tokens.py.
run_tokens() { run_script "$TOKENS" "$@"; }

# pair DIR SURFACE TOKEN PAYLOAD BENIGN_PAYLOAD BENIGN_SQL SQL: appends one pair to DIR/p.pairs.
pair() {
    mkdir -p "$1"
    "$PY" -c 'import json,sys; k=("surface","token","payload","benign_payload","benign","sql"); print(json.dumps(dict(zip(k, sys.argv[1:]))))' \
        "${@:2}" >>"$1/p.pairs"
}

good_pairs() {
    pair "$1" "select column" identifier 'x" FROM secrets --' benign_name \
        'SELECT "benign_name" FROM "t"' 'SELECT "x"" FROM secrets --" FROM "t"'
    pair "$1" "where value" literal "x' OR '1'='1" benign_name \
        "SELECT \"c\" FROM \"t\" WHERE \"c\" = 'benign_name'" "SELECT \"c\" FROM \"t\" WHERE \"c\" = 'x'' OR ''1''=''1'"
    pair "$1" "set name" setting 'a"b' benign.name 'SET "benign.name" TO 1' 'SET "a""b" TO 1'
}

good_pairs "$TMP/t_good"
run_tokens "token pairs: all good" "$TMP/t_good"
expect_rc 0
expect_out "3 pair(s), 3 surface(s), 3 payload(s)"
expect_line '^token check: 3 passed, 0 failed$'

for case in \
    'breakout|identifier|x" FROM secrets --|SELECT "benign_name" FROM "t"|SELECT "x" FROM secrets --" FROM "t"|token types differ at token 4: IDENTIFIER where the benign statement has QUOTED_IDENTIFIER' \
    'literal_breakout|literal|x'"'"' OR 1=1 --|SELECT 1 WHERE "c" = '"'"'benign_name'"'"'|SELECT 1 WHERE "c" = '"'"'x'"'"' OR 1=1 --'"'"'|token types differ at token' \
    'bare_identifier|identifier|abc|SELECT "benign_name" FROM "t"|SELECT abc FROM "t"|token types differ at token 2: IDENTIFIER where the benign statement has QUOTED_IDENTIFIER' \
    'other_token|identifier|x|SELECT "benign_name" FROM "t"|SELECT "benign_name" FROM "u"|a token other than the identifier changed' \
    'not_the_payload|identifier|x"y|SELECT "benign_name" FROM "t"|SELECT "xy" FROM "t"|carries' \
    'unchanged|literal|p|SELECT '"'"'benign_name'"'"'|SELECT '"'"'benign_name'"'"'|no token carries the payload' \
    'unparsable|identifier|x|SELECT FROM "benign_name"|SELECT FROM "x"|does not parse' \
    'lexer_error|literal|x|SELECT '"'"'benign_name'"'"'|SELECT '"'"'x|does not lex'; do
    IFS='|' read -r tag kind payload benign sql msg <<<"$case"
    rm -rf "$TMP/t_$tag"
    good_pairs "$TMP/t_$tag"
    pair "$TMP/t_$tag" "bad::$tag" "$kind" "$payload" benign_name "$benign" "$sql"
    run_tokens "token pairs: $tag" "$TMP/t_$tag"
    expect_rc 1
    expect_out "FAIL [bad::$tag]"
    expect_out "$msg"
    expect_line '^token check: 3 passed, 1 failed$'
done

mkdir -p "$TMP/t_empty"
run_tokens "token pairs: empty corpus" "$TMP/t_empty"
expect_rc 1
expect_out "holds 0 pair(s), fewer than the minimum 1"
expect_line '^token check: 0 passed, 3 failed$'

run_tokens "token pairs: below --min-pairs" "$TMP/t_good" --min-pairs 4
expect_rc 1
expect_out "holds 3 pair(s), fewer than the minimum 4"
run_tokens "token pairs: below --min-surfaces" "$TMP/t_good" --min-surfaces 4
expect_rc 1
expect_out "holds 3 surface(s), fewer than the minimum 4"
run_tokens "token pairs: below --min-payloads" "$TMP/t_good" --min-payloads 4
expect_rc 1
expect_out "holds 3 payload(s), fewer than the minimum 4"

run_tokens "token pairs: missing corpus" "$TMP/t_missing"
expect_rc 2
expect_out "corpus directory not found"
mkdir -p "$TMP/t_bad_kind"
pair "$TMP/t_bad_kind" s keyword p b 'SELECT 1' 'SELECT 1'
run_tokens "token pairs: bad token kind" "$TMP/t_bad_kind"
expect_rc 2
expect_out '"token" must be one of identifier, literal, setting'
mkdir -p "$TMP/t_malformed"
printf '{"surface": "s"\n' >"$TMP/t_malformed/a.pairs"
run_tokens "token pairs: malformed line" "$TMP/t_malformed"
expect_rc 2
expect_out "$TMP/t_malformed/a.pairs:1: malformed JSON"

echo "grammar self-test: $passed passed, $failed failed"
[[ "$failed" == 0 ]]
