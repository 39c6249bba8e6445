#!/usr/bin/env python3
"""Module layering check for a Rust crate (ARCHITECTURE.md, "Layers").

Reads every `.rs` file under a crate's `src/`, collects the paths each file names through
`crate::` / `super::` / `self::` (in `use` items and inline), resolves them to the file that
defines the module (following `pub use` re-exports), and reports:

* import cycles between files (strongly connected components of the file graph),
* imports from a lower layer to a higher one (layers are given by module prefixes),
* the largest source files.

Test code (`#[cfg(test)]` items and files declared under `#[cfg(test)]`) is left out: tests may
reach across layers. With `--check` the script exits 1 when a cycle or an upward import exists.

The one declared exception is the sqlx type family (`--hub`, default `crate::database`): sqlx's
`Database` trait names the connection, row, value, ... types and each of them names `Database`
back, so an edge *to* the hub is allowed and edges *from* it are not followed.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
PATH_RE = re.compile(rf"\b(?:crate|super|self)(?:\s*::\s*(?:{IDENT}|\*))+")
USE_RE = re.compile(r"\b(pub(?:\s*\([^)]*\))?\s+)?use\s+([^;]+);", re.S)
MOD_DECL_RE = re.compile(rf"((?:#\[[^\]]*\]\s*)*)(?:pub(?:\([^)]*\))?\s+)?mod\s+({IDENT})\s*;")

# Layers, lowest first: (name, module prefixes). A module not listed belongs to the top layer.
LAYERS = [
    ("protocol", ["crate::protocol"]),
    ("value model", ["crate::model", "crate::error"]),
    ("transports", ["crate::connection", "crate::options"]),
]
TOP = "driver API"


def strip_comments_and_strings(text: str) -> str:
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'r(#*)"', text[i:])
            end = text.find('"' + m.group(1), i + len(m.group(0)))
            out.append('""')
            i = n if end < 0 else end + 1 + len(m.group(1))
        elif c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
            out.append('""')
            i += 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4]) or c == "'" and re.match(r"'\\[xu]", text[i:i + 3]):
            j = text.find("'", i + 2)
            out.append("' '")
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def drop_cfg_test(text: str) -> str:
    """Remove items annotated `#[cfg(test)]` (an inline module or a single item)."""
    while True:
        m = re.search(r"#\[cfg\(test\)\]", text)
        if not m:
            return text
        i = m.end()
        depth, j = 0, i
        while j < len(text):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    j += 1
                    break
            elif text[j] == ";" and depth == 0:
                j += 1
                break
            j += 1
        text = text[: m.start()] + text[j:]


def expand_use(tree: str) -> list[str]:
    tree = re.sub(r"\s+", "", tree)
    tree = re.sub(r"\bas\w+", "", tree)
    return _expand(tree)


def _expand(tree: str) -> list[str]:
    if "{" not in tree:
        return [tree]
    start = tree.index("{")
    prefix, inner = tree[:start], tree[start + 1 : tree.rindex("}")]
    parts, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "{"
        depth -= ch == "}"
        cur += ch
    parts.append(cur)
    result = []
    for part in filter(None, parts):
        for sub in _expand(part):
            result.append(prefix[:-2] if sub == "self" else prefix + sub)
    return result


class Crate:
    def __init__(self, src: Path):
        self.src = src
        self.files: dict[str, Path] = {}  # module path -> file
        self.code: dict[str, str] = {}
        self.test_only: set[str] = set()
        self.reexports: dict[str, str] = {}  # crate::m::Name -> crate::x::y::Name
        for path in sorted(src.rglob("*.rs")):
            self.files[self.module_of(path)] = path
        for module, path in self.files.items():
            raw = strip_comments_and_strings(path.read_text())
            for attrs, name in MOD_DECL_RE.findall(raw):
                if "cfg(test)" in attrs:
                    self.test_only.add(self.child(module, name))
            self.code[module] = drop_cfg_test(raw)
        for module in list(self.test_only):
            self.test_only.update(m for m in self.files if m.startswith(module + "::"))
        for module, code in self.code.items():
            for vis, tree in USE_RE.findall(code):
                if not vis:
                    continue
                for full in expand_use(tree):
                    absolute = self.absolute(module, full)
                    if absolute and not absolute.endswith("*"):
                        self.reexports[module + "::" + absolute.rsplit("::", 1)[-1]] = absolute

    def module_of(self, path: Path) -> str:
        rel = path.relative_to(self.src).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] in ("mod", "lib", "main") :
            parts = parts[:-1]
        return "::".join(["crate", *parts])

    def child(self, module: str, name: str) -> str:
        return f"{module}::{name}"

    def absolute(self, module: str, path: str) -> str | None:
        parts = path.split("::")
        if parts[0] == "crate":
            return path
        base = module.split("::")
        while parts and parts[0] in ("super", "self"):
            if parts[0] == "super":
                base = base[:-1]
            parts = parts[1:]
        if not base:
            return None
        return "::".join(base + parts)

    def resolve(self, path: str, depth: int = 0) -> str | None:
        """The module file that defines what `path` names."""
        parts = path.split("::")
        for cut in range(len(parts), 0, -1):
            prefix = "::".join(parts[:cut])
            if prefix in self.reexports and depth < 16 and self.reexports[prefix] != prefix:
                rest = "::".join(parts[cut:])
                target = self.reexports[prefix] + ("::" + rest if rest else "")
                return self.resolve(target, depth + 1)
            if prefix in self.files:
                return prefix
        return None

    def edges(self, hub: str) -> dict[str, set[str]]:
        graph: dict[str, set[str]] = {m: set() for m in self.files if m not in self.test_only}
        for module in graph:
            if module == hub or module == "crate":
                continue
            code = MOD_DECL_RE.sub("", self.code[module])
            paths = []
            for _vis, tree in USE_RE.findall(code):
                paths += expand_use(tree)
            paths += [re.sub(r"\s+", "", p) for p in PATH_RE.findall(USE_RE.sub("", code))]
            for p in paths:
                if not re.match(r"(crate|super|self)\b", p):
                    continue
                absolute = self.absolute(module, p.rstrip(":*").rstrip(":"))
                target = absolute and self.resolve(absolute)
                if target and target != module and target in graph and target != "crate":
                    graph[module].add(target)
        return graph


def layer_of(module: str) -> int:
    for index, (_name, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + "::") for p in prefixes):
            return index
    return len(LAYERS)


def layer_name(index: int) -> str:
    return LAYERS[index][0] if index < len(LAYERS) else TOP


def sccs(graph: dict[str, set[str]]) -> list[list[str]]:
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path, help="the crate's src/ directory")
    parser.add_argument("--hub", default="crate::database", help="the sqlx type-family module")
    parser.add_argument("--check", action="store_true", help="exit 1 on a cycle or upward import")
    parser.add_argument("--largest", type=int, default=5, help="how many largest files to list")
    args = parser.parse_args()

    crate = Crate(args.src)
    graph = crate.edges(args.hub)
    cycles = sccs(graph)
    upward = sorted(
        (m, t) for m, ts in graph.items() for t in ts if t != args.hub and layer_of(t) > layer_of(m)
    )
    sizes = sorted(
        ((len(p.read_text().splitlines()), str(p.relative_to(args.src))) for p in crate.files.values()),
        reverse=True,
    )
    in_cycles = sum(len(c) for c in cycles)
    print(f"files: {len(crate.files)}  import edges: {sum(len(t) for t in graph.values())}")
    print(f"import cycles: {len(cycles)} (files in them: {in_cycles})")
    for comp in cycles:
        print("  cycle: " + ", ".join(m.removeprefix("crate::") for m in comp))
    print(f"upward imports between layers: {len(upward)}")
    for m, t in upward:
        print(f"  {m} ({layer_name(layer_of(m))}) -> {t} ({layer_name(layer_of(t))})")
    print("largest files: " + ", ".join(f"{p} {n}" for n, p in sizes[: args.largest]))
    if args.check and (cycles or upward):
        print("layer check failed: see ARCHITECTURE.md (Layers)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
