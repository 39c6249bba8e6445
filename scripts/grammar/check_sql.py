#!/usr/bin/env python3
"""Parse every SQL statement of the golden-test corpus with CrateDB's own grammar.

The corpus is a directory of ``*.jsonl`` files (searched recursively); each non-blank line is

    {"source": "<test name>", "sql": "<one SQL statement>", "expect": "valid" | "invalid",
     "min_version": "6.2"}                                  # min_version is optional

* expect=valid: the SQL must parse as exactly one statement with no syntax error at all.
* expect=invalid: the SQL must fail to parse (proves the harness detects bad SQL).
* expect=valid with a min_version newer than the grammar (6.1.1 for cratedb-sqlparse 0.0.17):
  parsed too; if it fails it is listed as "needs newer grammar", not counted as a failure.

Identical (sql, expect) pairs are checked once; each distinct SQL string is parsed once.
The last line is always ``grammar check: N passed, M failed`` (N, M count unique statements).
Exit 0 if nothing failed, 1 if something failed or the corpus holds fewer than --min-count
unique statements (an empty corpus fails; that failure counts 1 in M), 2 on usage errors
(missing corpus directory, malformed line: file and line are named).

    "$(bash scripts/grammar/setup.sh)" scripts/grammar/check_sql.py [--corpus DIR] [--min-count N] [-v]

Why not ``cratedb_sqlparse.sqlparse()`` itself: its error reporting loses errors.
``raise_exception=True`` crashes with AttributeError on "extraneous input" (e.g.
``SELECT 1 garbage garbage``); the default collecting mode keeps only the *last* error of a
statement and silently drops errors it cannot attribute to a statement; and its lexer keeps
dollar-quote state in a class attribute, so one unterminated ``$tag$`` string makes later,
valid ``$tag$...$tag$`` strings fail. This script drives the same generated lexer and parser
(and the package's case-insensitive input stream and lexer actions) directly: any syntax error
reported by the lexer or the parser, anywhere, is a failure, and lexer state is per parse.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

REPO = Path(__file__).resolve().parent.parent.parent
DEFAULT_CORPUS = "target/sql-corpus"
MAX_MSG = 240  # ANTLR's "expecting {...}" sets can list 200+ keywords: cut them for the report.


class UsageError(Exception):
    pass


# --------------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------------

_T0 = time.perf_counter()
try:
    from antlr4 import CommonTokenStream, Token
    from antlr4.error.ErrorListener import ErrorListener
    from antlr4.error.ErrorStrategy import BailErrorStrategy, DefaultErrorStrategy
    from antlr4.error.Errors import ParseCancellationException
    from antlr4.atn.PredictionMode import PredictionMode

    import cratedb_sqlparse
    # Importing cratedb_sqlparse.parser installs the lexer actions for $tag$ strings on SqlBaseLexer.
    from cratedb_sqlparse.parser import CaseInsensitiveStream
    from cratedb_sqlparse.generated_parser.SqlBaseLexer import SqlBaseLexer
    from cratedb_sqlparse.generated_parser.SqlBaseParser import SqlBaseParser
except ImportError as exc:  # pragma: no cover - depends on the environment
    print(
        f"grammar check: usage error: cannot import cratedb_sqlparse ({exc}); "
        "run it with the venv python printed by scripts/grammar/setup.sh",
        file=sys.stderr,
    )
    sys.exit(2)
IMPORT_SECONDS = time.perf_counter() - _T0

GRAMMAR_VERSION: str = getattr(cratedb_sqlparse, "__cratedb_version__", "6.1")


class _Collect(ErrorListener):
    """Collects every syntax error (lexer or parser), in order."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.errors: List[str] = []

    def syntaxError(self, recognizer, offendingSymbol, line, column, msg, e):  # noqa: N802
        self.errors.append(f"{self.origin}: line {line}:{column} {msg}")


@dataclass
class ParseResult:
    ok: bool
    statements: int = 0
    errors: List[str] = field(default_factory=list)
    crashed: bool = False  # the parser raised: proves nothing either way
    seconds: float = 0.0

    @property
    def message(self) -> str:
        if self.crashed or self.errors:
            more = f" (+{len(self.errors) - 1} more error(s))" if len(self.errors) > 1 else ""
            return _cut(self.errors[0]) + more
        if self.statements != 1:
            return f"parsed as {self.statements} statements, expected exactly 1"
        return "ok"


def _run(sql: str, sll: bool) -> Tuple[int, List[str]]:
    lexer = SqlBaseLexer(CaseInsensitiveStream(sql))
    lexer.tags = []  # per-parse dollar-quote state (the package keeps it on the class)
    lexer.removeErrorListeners()
    lex_errors = _Collect("lexer")
    lexer.addErrorListener(lex_errors)
    stream = CommonTokenStream(lexer)
    parser = SqlBaseParser(stream)
    parser.removeErrorListeners()
    parse_errors = _Collect("parser")
    parser.addErrorListener(parse_errors)
    if sll:
        # Fast path: SLL prediction, stop at the first error. SLL never accepts what LL rejects.
        parser._interp.predictionMode = PredictionMode.SLL
        parser._errHandler = BailErrorStrategy()
    else:
        parser._interp.predictionMode = PredictionMode.LL
        parser._errHandler = DefaultErrorStrategy()
    tree = parser.statements()
    count = sum(1 for c in (tree.children or []) if isinstance(c, SqlBaseParser.StatementContext))
    errors = lex_errors.errors + parse_errors.errors
    if not errors and stream.LA(1) != Token.EOF:
        errors.append("parser: input not consumed to the end")
    return count, errors


def parse(sql: str) -> ParseResult:
    """Parse ``sql`` with CrateDB's grammar. ok means: no lexer or parser error, one statement."""
    t0 = time.perf_counter()
    try:
        try:
            count, errors = _run(sql, sll=True)
        except ParseCancellationException:
            count, errors = -1, ["bail"]
        if errors:
            # Full LL with the default strategy: authoritative, and gives ANTLR's error messages.
            # (SLL can reject what LL accepts, never the reverse, so LL decides.)
            count, errors = _run(sql, sll=False)
        res = ParseResult(ok=not errors and count == 1, statements=count, errors=errors)
    except RecursionError:
        res = ParseResult(ok=False, crashed=True, errors=["parser crashed: RecursionError (statement nested too deeply)"])
    except Exception as exc:  # a crash in the runtime proves nothing about the SQL
        res = ParseResult(ok=False, crashed=True, errors=[f"parser crashed: {type(exc).__name__}: {exc}"])
    res.seconds = time.perf_counter() - t0
    return res


# --------------------------------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------------------------------

_VERSION_RE = re.compile(r"^\d+(\.\d+){0,2}$")


def version_tuple(v: str) -> Tuple[int, int, int]:
    parts = [int(p) for p in v.split(".")]
    return tuple((parts + [0, 0, 0])[:3])  # type: ignore[return-value]


@dataclass
class Entry:
    sql: str
    expect: str
    sources: List[str] = field(default_factory=list)
    first_at: str = ""
    # None: must parse with this grammar. Else the lowest min_version given (all occurrences had one).
    min_version: Optional[str] = None
    strict: bool = False  # some occurrence had no min_version, or one the grammar covers


def read_json_lines(path: Path) -> Iterator[Tuple[str, dict]]:
    """Each non-blank line of a JSON Lines file as (``file:line``, object); UsageError if a line
    is not a JSON object or the file cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read: {exc}") from exc
    # JSON Lines are split on \n only: str.splitlines() would also split inside a JSON
    # string at U+2028/U+2029, which JSON encoders leave unescaped.
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{where}: malformed JSON: {exc}") from exc
        if not isinstance(obj, dict):
            raise UsageError(f"{where}: expected a JSON object, got {type(obj).__name__}")
        yield where, obj


def load_corpus(corpus: Path, grammar_version: str) -> Tuple[Dict[Tuple[str, str], Entry], int, int]:
    if not corpus.exists():
        raise UsageError(f"corpus directory not found: {corpus}")
    if not corpus.is_dir():
        raise UsageError(f"corpus is not a directory: {corpus}")
    files = sorted(p for p in corpus.rglob("*.jsonl") if p.is_file())
    entries: Dict[Tuple[str, str], Entry] = {}
    lines = 0
    gv = version_tuple(grammar_version)
    for path in files:
        for where, obj in read_json_lines(path):
            source, sql, expect = obj.get("source"), obj.get("sql"), obj.get("expect")
            if not isinstance(source, str):
                raise UsageError(f"{where}: \"source\" must be a string")
            if not isinstance(sql, str):
                raise UsageError(f"{where}: \"sql\" must be a string")
            if expect not in ("valid", "invalid"):
                raise UsageError(f"{where}: \"expect\" must be \"valid\" or \"invalid\", got {expect!r}")
            mv = obj.get("min_version")
            if mv is not None and not (isinstance(mv, str) and _VERSION_RE.match(mv)):
                raise UsageError(f"{where}: \"min_version\" must be a version string like \"6.2\", got {mv!r}")
            lines += 1
            key = (sql, expect)
            e = entries.get(key)
            if e is None:
                e = entries[key] = Entry(sql=sql, expect=expect, first_at=where)
            if source not in e.sources:
                e.sources.append(source)
            if mv is None or version_tuple(mv) <= gv:
                e.strict = True
                e.min_version = None
            elif not e.strict:
                if e.min_version is None or version_tuple(mv) < version_tuple(e.min_version):
                    e.min_version = mv
    return entries, len(files), lines


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------

def _one_line(s: str) -> str:
    return s.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n")


def _cut(s: str, n: int = MAX_MSG) -> str:
    return s if len(s) <= n else s[: n - 3] + "..."


def _sources(e: Entry) -> str:
    more = f" (+{len(e.sources) - 1} more)" if len(e.sources) > 1 else ""
    return f"{e.sources[0]}{more}"


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=None,
                    help=f"corpus directory of *.jsonl files, searched recursively "
                         f"(default: {DEFAULT_CORPUS} under the repo root)")
    ap.add_argument("--min-count", type=int, default=1,
                    help="fail unless the corpus holds at least this many unique statements (default 1)")
    ap.add_argument("--grammar-version", default=GRAMMAR_VERSION,
                    help=f"CrateDB version the grammar implements (default: the package's, {GRAMMAR_VERSION})")
    ap.add_argument("-v", "--verbose", action="store_true", help="also print every statement's result")
    args = ap.parse_args(argv)

    corpus = REPO / DEFAULT_CORPUS if args.corpus is None else Path(args.corpus).absolute()
    try:
        if not _VERSION_RE.match(args.grammar_version):
            raise UsageError(f"--grammar-version must look like 6.1 or 6.1.1, got {args.grammar_version!r}")
        entries, nfiles, nlines = load_corpus(corpus, args.grammar_version)
    except UsageError as exc:
        print(f"grammar check: usage error: {exc}", file=sys.stderr)
        return 2

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    print(f"grammar check: corpus {corpus}: {nfiles} file(s), {nlines} line(s), {len(entries)} unique statement(s); "
          f"cratedb-sqlparse {_pkg_version()} (CrateDB grammar {args.grammar_version})")

    # Parse each distinct SQL string once (the same SQL may be listed as valid and as invalid).
    results: Dict[str, ParseResult] = {}
    t0 = time.perf_counter()
    for (sql, _expect) in entries:
        if sql not in results:
            results[sql] = parse(sql)
    parse_total = time.perf_counter() - t0

    passed = failed = 0
    newer: List[Tuple[Entry, ParseResult]] = []
    for e in entries.values():
        r = results[e.sql]
        if e.expect == "valid":
            if r.ok:
                passed += 1
                verdict = "ok"
            elif e.min_version is not None and not e.strict and not r.crashed:
                newer.append((e, r))
                verdict = f"needs newer grammar (min_version {e.min_version})"
            else:
                failed += 1
                verdict = "failed"
                print(f"FAIL [{_sources(e)}] expected valid, does not parse: {_one_line(e.sql)}"
                      f"  <-- {_one_line(r.message)}  (first at {e.first_at})")
        else:
            if r.crashed:
                failed += 1
                verdict = "failed"
                print(f"FAIL [{_sources(e)}] expected invalid, the parser crashed instead of rejecting it: "
                      f"{_one_line(e.sql)}  <-- {_one_line(r.message)}  (first at {e.first_at})")
            elif r.ok:
                failed += 1
                verdict = "failed"
                print(f"FAIL [{_sources(e)}] expected invalid, but it parses: {_one_line(e.sql)}"
                      f"  (first at {e.first_at})")
            else:
                passed += 1
                verdict = "ok (rejected as expected)"
        if args.verbose:
            print(f"  {verdict}: [{_sources(e)}] expect={e.expect}: {_one_line(e.sql)}"
                  + ("" if r.ok else f"  <-- {_one_line(r.message)}"))

    if newer:
        print(f"needs newer grammar: {len(newer)} statement(s) rejected by CrateDB {args.grammar_version}'s grammar, "
              f"excused by their min_version (counted neither as passed nor as failed):")
        for e, r in newer:
            print(f"  NEWER [{_sources(e)}] needs newer grammar (min_version {e.min_version}): {_one_line(e.sql)}"
                  f"  <-- {_one_line(r.message)}")
    else:
        print("needs newer grammar: none")

    if len(entries) < args.min_count:
        failed += 1
        print(f"FAIL [corpus] {corpus} holds {len(entries)} unique statement(s), fewer than --min-count "
              f"{args.min_count}: the check must not pass vacuously (did the golden tests write the corpus?)")

    n = len(results)
    if n:
        slow_sql, slow = max(results.items(), key=lambda kv: kv[1].seconds)
        print(f"timing: parsed {n} distinct SQL string(s) in {parse_total:.2f}s "
              f"({parse_total / n * 1000:.2f} ms/statement on average, slowest {slow.seconds * 1000:.1f} ms: "
              f"{_cut(_one_line(slow_sql), 80)}); import {IMPORT_SECONDS:.2f}s")
    else:
        print(f"timing: nothing parsed; import {IMPORT_SECONDS:.2f}s")

    print(f"grammar check: {passed} passed, {failed} failed")
    return 1 if failed else 0


def _pkg_version() -> str:
    try:
        from importlib.metadata import version
        return version("cratedb-sqlparse")
    except Exception:  # pragma: no cover
        return "?"


if __name__ == "__main__":
    sys.exit(main())
