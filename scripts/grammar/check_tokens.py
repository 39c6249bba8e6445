#!/usr/bin/env python3
"""Check with CrateDB's own lexer that adversarial payloads stay one identifier or one literal.

The corpus is the ``*.pairs`` files (JSON Lines) under DIR, written by sea-cratedb's adversarial
test (``sea-cratedb/tests/adversarial``) when SQL_CORPUS_DIR is set; each line is

    {"surface": "<builder surface>", "token": "identifier" | "literal" | "setting",
     "payload": "<adversarial text>", "benign_payload": "<benign stand-in>",
     "benign": "<SQL built with the benign stand-in>", "sql": "<SQL built with the payload>"}

A pair passes when
* both statements lex without a lexer error or an UNRECOGNIZED token and parse as exactly one statement;
* their token-type sequences (default channel) are identical: the payload changed no token's kind
  and added or removed none;
* every token whose text differs decodes to the payload (and the benign one to the stand-in):
  an identifier or setting is a QUOTED_IDENTIFIER with ``""`` undoubled (a setting may also be a
  bare IDENTIFIER), a literal is a STRING with ``''`` undoubled; at least one token differs
  unless the payload equals the stand-in.

Parsing: CrateDB's parser decides only on token types (its only predicates are operator
precedence), so a pair whose type sequences are identical parses exactly when the benign one
does. Each distinct type sequence is therefore parsed once, with check_sql.py's parser.

The last line is ``token check: N passed, M failed``. Exit 0 if nothing failed, 1 if a pair failed
or the corpus holds fewer than --min-pairs pairs, --min-surfaces surfaces or --min-payloads
payloads (an empty corpus fails), 2 on usage errors.

    "$(bash scripts/grammar/setup.sh)" scripts/grammar/check_tokens.py --corpus DIR \
        [--min-pairs N] [--min-surfaces N] [--min-payloads N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_sql  # noqa: E402  (the parser driver and its import checks)
from check_sql import (  # noqa: E402
    CaseInsensitiveStream, SqlBaseLexer, Token, UsageError, _Collect, _cut, _one_line, read_json_lines,
)

QUOTED = SqlBaseLexer.QUOTED_IDENTIFIER
BARE = SqlBaseLexer.IDENTIFIER
STRING = SqlBaseLexer.STRING
# The grammar's catch-all for input no other rule matches (an unterminated string, a stray `"`).
UNRECOGNIZED = getattr(SqlBaseLexer, "UNRECOGNIZED", None)
TOKENS = ("identifier", "literal", "setting")


def lex(sql: str) -> Tuple[List[Tuple[int, str]], List[str]]:
    """The default-channel tokens of ``sql`` as (type, text), and the lexer's errors."""
    lexer = SqlBaseLexer(CaseInsensitiveStream(sql))
    lexer.tags = []  # per-statement dollar-quote state (the package keeps it on the class)
    lexer.removeErrorListeners()
    errors = _Collect("lexer")
    lexer.addErrorListener(errors)
    tokens = []
    while True:
        tok = lexer.nextToken()
        if tok.type == Token.EOF:
            break
        if tok.type == UNRECOGNIZED:
            errors.errors.append(f"lexer: line {tok.line}:{tok.column} unrecognized input {_cut(tok.text, 40)!r}")
        if tok.channel == Token.DEFAULT_CHANNEL:
            tokens.append((tok.type, tok.text))
    return tokens, errors.errors


def type_name(t: int) -> str:
    names = SqlBaseLexer.symbolicNames
    return names[t] if 0 <= t < len(names) else str(t)


def decode(kind: str, t: int, text: str) -> Optional[str]:
    """The name or value a token of the expected kind carries, or None if it is another kind."""
    if kind in ("identifier", "setting") and t == QUOTED:
        return text[1:-1].replace('""', '"')
    if kind == "setting" and t == BARE:
        return text
    if kind == "literal" and t == STRING:
        return text[1:-1].replace("''", "'")
    return None


def load(corpus: Path) -> List[dict]:
    if not corpus.is_dir():
        raise UsageError(f"corpus directory not found: {corpus}")
    pairs = []
    for path in sorted(p for p in corpus.rglob("*.pairs") if p.is_file()):
        for where, obj in read_json_lines(path):
            for key in ("surface", "token", "payload", "benign_payload", "benign", "sql"):
                if not isinstance(obj.get(key), str):
                    raise UsageError(f'{where}: "{key}" must be a string')
            if obj["token"] not in TOKENS:
                raise UsageError(f'{where}: "token" must be one of {", ".join(TOKENS)}, got {obj["token"]!r}')
            obj["at"] = where
            pairs.append(obj)
    return pairs


class Checker:
    def __init__(self) -> None:
        self.lexed: Dict[str, Tuple[List[Tuple[int, str]], List[str]]] = {}
        self.parsed: Dict[Tuple[int, ...], check_sql.ParseResult] = {}

    def tokens(self, sql: str) -> Tuple[List[Tuple[int, str]], List[str]]:
        if sql not in self.lexed:
            self.lexed[sql] = lex(sql)
        return self.lexed[sql]

    def parse(self, types: Tuple[int, ...], sql: str) -> check_sql.ParseResult:
        if types not in self.parsed:
            self.parsed[types] = check_sql.parse(sql)
        return self.parsed[types]

    def check(self, pair: dict) -> Optional[str]:
        """None if the pair passes, else why it fails."""
        kind, payload, stand_in = pair["token"], pair["payload"], pair["benign_payload"]
        (btoks, berr), (atoks, aerr) = self.tokens(pair["benign"]), self.tokens(pair["sql"])
        if berr:
            return f"the benign statement does not lex: {berr[0]}"
        if aerr:
            return f"the adversarial statement does not lex: {aerr[0]}"
        btypes = tuple(t for t, _ in btoks)
        atypes = tuple(t for t, _ in atoks)
        if btypes != atypes:
            i = next((i for i, (b, a) in enumerate(zip(btypes, atypes)) if b != a), min(len(btypes), len(atypes)))
            got = type_name(atypes[i]) if i < len(atypes) else "end of statement"
            want = type_name(btypes[i]) if i < len(btypes) else "end of statement"
            return (f"token types differ at token {i + 1}: {got} where the benign statement has {want} "
                    f"({len(atypes)} tokens vs {len(btypes)})")
        changed = 0
        for (t, btext), (_, atext) in zip(btoks, atoks):
            if btext == atext:
                continue
            changed += 1
            if decode(kind, t, btext) != stand_in:
                return f"a token other than the {kind} changed: {type_name(t)} {_cut(btext, 60)!r}"
            got = decode(kind, t, atext)
            if got != payload:
                return f"the {type_name(t)} token carries {_cut(repr(got), 60)}, not the payload"
        if changed == 0 and payload != stand_in:
            return "no token carries the payload"
        result = self.parse(btypes, pair["benign"])
        if not result.ok:
            return f"does not parse: {result.message}"
        return None


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", required=True, help="directory searched recursively for *.pairs files")
    ap.add_argument("--min-pairs", type=int, default=1, help="fail below this many pairs (default 1)")
    ap.add_argument("--min-surfaces", type=int, default=1, help="fail below this many surfaces (default 1)")
    ap.add_argument("--min-payloads", type=int, default=1, help="fail below this many payloads (default 1)")
    args = ap.parse_args(argv)
    corpus = Path(args.corpus).absolute()
    try:
        pairs = load(corpus)
    except UsageError as exc:
        print(f"token check: usage error: {exc}", file=sys.stderr)
        return 2
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    surfaces = {p["surface"] for p in pairs}
    payloads = {p["payload"] for p in pairs}
    print(f"token check: corpus {corpus}: {len(pairs)} pair(s), {len(surfaces)} surface(s), "
          f"{len(payloads)} payload(s)")

    checker = Checker()
    passed = failed = 0
    t0 = time.perf_counter()
    for pair in pairs:
        why = checker.check(pair)
        if why is None:
            passed += 1
        else:
            failed += 1
            print(f"FAIL [{pair['surface']}] payload {_cut(repr(pair['payload']), 80)}: {why}\n"
                  f"     benign: {_cut(_one_line(pair['benign']), 160)}\n"
                  f"     sql:    {_cut(_one_line(pair['sql']), 160)}  (at {pair['at']})")
    for what, count, minimum in (("pair(s)", len(pairs), args.min_pairs),
                                 ("surface(s)", len(surfaces), args.min_surfaces),
                                 ("payload(s)", len(payloads), args.min_payloads)):
        if count < minimum:
            failed += 1
            print(f"FAIL [corpus] {corpus} holds {count} {what}, fewer than the minimum {minimum}: "
                  "the check must not pass vacuously (did the adversarial test write the corpus?)")
    print(f"timing: lexed {len(checker.lexed)} distinct statement(s), parsed {len(checker.parsed)} distinct "
          f"token-type sequence(s) in {time.perf_counter() - t0:.1f}s")
    print(f"token check: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
