"""Orchestrates the speed comparison against a real CrateDB (scripts/bench-cratedb.sh calls it).

Makes the tables, runs every client and workload in its own process (the Rust clients through
the bench binary given with --rust, the Python ones through peers.py), keeps every JSON line in
$BENCH_OUT/results.jsonl, and writes the figures and ratio tables to $BENCH_OUT/report.md and
into sqlx-cratedb/BENCHMARKS.md between the markers of its section "Against CrateDB".

Knobs (environment): BENCH_ROWS (1000000: rows of the read and of the insert), BENCH_QUERIES
(5000 point selects per run, after 200 untimed), BENCH_RUNS (3: point and read runs per client,
alternating, best of), BENCH_BATCHES (1000,5000,20000: insert batch sizes probed per client),
BENCH_PROBE_ROWS (100000: rows of each probe), BENCH_INSERT_ROWS (BENCH_ROWS: rows of
the full insert), BENCH_ONLY (e.g. point,read), BENCH_DOC (the
document to update; BENCH_DOC= leaves it alone), BENCH_OUT (target/bench-cratedb).
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from peers import http_parts  # noqa: E402

BEGIN = "<!-- bench-cratedb:begin (written by scripts/bench-cratedb.sh) -->"
END = "<!-- bench-cratedb:end -->"
TABLE_DDL = (
    "CREATE TABLE bench_peers.{name} (id BIGINT PRIMARY KEY, qty INTEGER, total BIGINT, "
    "kind SMALLINT, price DOUBLE PRECISION, ratio REAL, active BOOLEAN, name TEXT, note TEXT, "
    "created TIMESTAMP WITH TIME ZONE) CLUSTERED INTO 4 SHARDS WITH (number_of_replicas = 0)"
)
# The same values as bench_row (peers.py, cratedb_peers.rs), made by the server.
FILL = (
    "INSERT INTO bench_peers.src SELECT g, g % 1000, g * 7, g % 100, g / 3.0, (g % 1000) / 8.0, "
    "g % 2 = 0, 'name-' || g, 'note text for row ' || lpad(g::TEXT, 7, '0'), "
    "(1704067200000 + g * 1000)::TIMESTAMP WITH TIME ZONE FROM generate_series({a}, {b}) AS t(g)"
)

RUST = ["ours-http", "ours-pgwire", "tokio-postgres", "sqlx-postgres"]
OURS = {"http": "ours-http", "pgwire": "ours-pgwire"}
TRANSPORT = {
    "ours-http": "http",
    "crate-python": "http",
    "sqlalchemy-pandas": "http",
    "ours-pgwire": "pgwire",
    "asyncpg": "pgwire",
    "psycopg": "pgwire",
    "tokio-postgres": "pgwire",
    "sqlx-postgres": "pgwire",
}
READERS = [
    "ours-http",
    "crate-python",
    "ours-pgwire",
    "asyncpg",
    "psycopg",
    "tokio-postgres",
    "sqlx-postgres",
]
# Insert shapes per client: each is probed at every batch size, the fastest is run in full.
INSERTERS = [
    ("ours-http", "", "`execute_bulk` (bulk_args)"),
    ("ours-http", "unnest", "`INSERT … SELECT FROM UNNEST(arrays)`"),
    ("crate-python", "", "`executemany` (bulk_args)"),
    ("sqlalchemy-pandas", "", "`to_sql(method=insert_bulk)`"),
    ("ours-pgwire", "", "`execute_bulk` (N x Bind/Execute + Sync)"),
    ("ours-pgwire", "unnest", "`INSERT … SELECT FROM UNNEST(arrays)`"),
    ("asyncpg", "executemany", "`executemany`"),
    ("asyncpg", "unnest", "`INSERT … SELECT FROM UNNEST(arrays)`"),
    ("psycopg", "executemany", "`executemany` (pipeline)"),
    ("psycopg", "unnest", "`INSERT … SELECT FROM UNNEST(arrays)`"),
    ("tokio-postgres", "pipelined", "pipelined `execute_raw`"),
    ("tokio-postgres", "unnest", "`INSERT … SELECT FROM UNNEST(arrays)`"),
    ("sqlx-postgres", "", "`INSERT … SELECT FROM UNNEST(arrays)`"),
]
SHAPE = {(c, m): s for c, m, s in INSERTERS}


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


class Db:
    """Set-up statements over HTTP with crate-python (not timed)."""

    def __init__(self):
        from crate import client

        server, user, password = http_parts()
        self.conn = client.connect(server, username=user, password=password, timeout=600)

    def q(self, sql, args=None):
        cur = self.conn.cursor()
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else None

    def version(self):
        return self.q("SELECT version['number'] FROM sys.nodes ORDER BY name LIMIT 1")[0][0]

    def count(self, table):
        self.q(f"REFRESH TABLE bench_peers.{table}")
        return self.q(f"SELECT count(*) FROM bench_peers.{table}")[0][0]

    def ensure_src(self, rows):
        exists = self.q(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'bench_peers' AND table_name = 'src'"
        )[0][0]
        if exists and self.count("src") == rows:
            log(f"bench_peers.src has its {rows} rows; reused")
            return
        log(f"making bench_peers.src with {rows} rows (server-side generate_series)")
        self.q("DROP TABLE IF EXISTS bench_peers.src")
        self.q(TABLE_DDL.format(name="src"))
        for a in range(1, rows + 1, 200_000):
            self.q(FILL.format(a=a, b=min(a + 199_999, rows)))
        if self.count("src") != rows:
            raise SystemExit("bench_peers.src: wrong row count after filling")
        self.q("OPTIMIZE TABLE bench_peers.src WITH (max_num_segments = 1)")
        self.q("REFRESH TABLE bench_peers.src")

    def fresh_sink(self):
        self.q("DROP TABLE IF EXISTS bench_peers.sink")
        self.q(TABLE_DDL.format(name="sink"))


class Runner:
    def __init__(self, rust, out):
        self.rust, self.results = rust, open(os.path.join(out, "results.jsonl"), "a")

    def run(self, client, workload, rows, batch=None, queries=None, mode=""):
        if client in RUST:
            cmd = [self.rust]
        else:
            cmd = [sys.executable, os.path.join(HERE, "peers.py")]
        cmd += ["--client", client, "--workload", workload, "--rows", str(rows)]
        if batch:
            cmd += ["--batch", str(batch)]
        if queries:
            cmd += ["--queries", str(queries)]
        if mode:
            cmd += ["--mode", mode]
        load = os.getloadavg()[0]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
            lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
            r = json.loads(lines[-1]) if lines else {"error": (p.stderr or p.stdout)[-300:]}
        except subprocess.TimeoutExpired:
            r = {"error": "no answer within 900 s"}
        r.update(client=client, workload=workload, rows=rows, mode=mode or None, load1=load)
        r.setdefault("transport", TRANSPORT[client])
        r["at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        self.results.write(json.dumps(r) + "\n")
        self.results.flush()
        short = r.get("error") or ", ".join(
            f"{k}={r[k]:.4g}"
            for k in ("p50_us", "p99_us", "wall_s", "cpu_s", "server_cpu_s")
            if isinstance(r.get(k), float)
        )
        log(f"{client} {workload} {mode} batch={batch or '-'}: {short}")
        return r


def best(runs, key):
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return runs[-1]
    out = dict(min(ok, key=lambda r: r[key]))
    # Best of each figure (as tests/benches/pgwire.rs): the runs saw the same machine, in turn.
    for k in ("p50_us", "p99_us", "mean_us", "wall_s", "cpu_s", "server_cpu_s"):
        vals = [r[k] for r in ok if isinstance(r.get(k), (int, float))]
        if vals:
            out[k] = min(vals)
    out["runs"] = len(ok)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rust", required=True, help="the cratedb_peers bench binary")
    a = ap.parse_args()
    env = os.environ
    rows = int(env.get("BENCH_ROWS", 1_000_000))
    queries = int(env.get("BENCH_QUERIES", 5000))
    runs = int(env.get("BENCH_RUNS", 3))
    batches = [int(b) for b in env.get("BENCH_BATCHES", "1000,5000,20000").split(",")]
    insert_rows = int(env.get("BENCH_INSERT_ROWS", rows))
    probe_rows = min(int(env.get("BENCH_PROBE_ROWS", 100_000)), insert_rows)
    only = set(env.get("BENCH_ONLY", "point,read,insert").split(","))
    out = env.get("BENCH_OUT", os.path.join(REPO, "target", "bench-cratedb"))
    doc = env.get("BENCH_DOC", os.path.join(REPO, "sqlx-cratedb", "BENCHMARKS.md"))
    os.makedirs(out, exist_ok=True)
    started = time.time()

    db = Db()
    version = db.version()
    db.ensure_src(rows)
    runner = Runner(a.rust, out)
    load_start = os.getloadavg()
    res = {"point": {}, "read": {}, "insert": {}}
    breaks = []

    if "point" in only:
        per = {c: [] for c in READERS}
        for _ in range(runs):
            for c in READERS:
                per[c].append(runner.run(c, "point", rows, queries=queries))
        res["point"] = {c: best(v, "p50_us") for c, v in per.items()}

    if "read" in only:
        per = {c: [] for c in READERS}
        for _ in range(runs):
            for c in READERS:
                r = runner.run(c, "read", rows)
                per[c].append(r)
        res["read"] = {c: best(v, "wall_s") for c, v in per.items()}

    if "insert" in only:
        probes = {}
        for c, mode, _ in INSERTERS:
            for b in batches:
                db.fresh_sink()
                r = runner.run(c, "insert", probe_rows, batch=b, mode=mode)
                if "error" not in r and db.count("sink") != probe_rows:
                    r["error"] = "row count after the insert differs"
                probes[(c, mode, b)] = r
        pick = {}  # ours: each shape in full; a peer: its fastest shape
        for c, mode, _ in INSERTERS:
            group = f"{c} {mode}".strip() if c in OURS.values() else c
            for b in batches:
                r = probes[(c, mode, b)]
                if "error" in r:
                    continue
                if group not in pick or r["wall_s"] < probes[pick[group]]["wall_s"]:
                    pick[group] = (c, mode, b)
            failed = [b for b in batches if "error" in probes[(c, mode, b)]]
            if failed:
                err = probes[(c, mode, failed[0])]["error"]
                breaks.append((c, SHAPE[(c, mode)], failed, err))
        for group, (c, mode, b) in pick.items():
            db.fresh_sink()
            r = runner.run(c, "insert", insert_rows, batch=b, mode=mode)
            if "error" not in r and db.count("sink") != insert_rows:
                r["error"] = "row count after the insert differs"
            r["probes"] = {
                str(bb): rows_per_s(probes[(c, mode, bb)], probe_rows) for bb in batches
            }
            res["insert"][group] = r
        db.q("DROP TABLE IF EXISTS bench_peers.sink")

    for w in ("point", "read"):
        for c, r in res[w].items():
            if "error" in r:
                breaks.append((c, w, [], r["error"]))

    meta = {
        "date": dt.date.today().isoformat(),
        "version": version,
        "rows": rows,
        "insert_rows": insert_rows,
        "queries": queries,
        "runs": runs,
        "batches": batches,
        "probe_rows": probe_rows,
        "load_start": load_start,
        "load_end": os.getloadavg(),
        "minutes": (time.time() - started) / 60,
        "cores": os.cpu_count(),
        "server_cpu": bool(env.get("BENCH_SERVER_PID")),
    }
    report = render(meta, res, breaks)
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(report)
    print(report)
    if doc:
        splice(doc, report)
        log(f"wrote the tables into {os.path.relpath(doc, REPO)}")
    log(f"done in {meta['minutes']:.1f} min; raw lines in {os.path.join(out, 'results.jsonl')}")


def rows_per_s(r, rows):
    return None if "error" in r else rows / r["wall_s"]


def fmt_int(x):
    return "–" if x is None else f"{x:,.0f}"


def label(c, r):
    if r.get("workload") == "insert":
        return f"{c}: {SHAPE[(c, r.get('mode') or '')]}, batch {r['batch']:,}"
    return c


def render(meta, res, breaks):
    L = []
    w = L.append
    la, lb = meta["load_start"], meta["load_end"]
    w(
        f"{meta['date']}, CrateDB {meta['version']} (one node), {meta['cores']} "
        f"cores, load average {la[0]:.1f} at the start and {lb[0]:.1f} at the end "
        f"({meta['minutes']:.1f} min run); {meta['rows']:,} rows x 10 columns; point selects: "
        f"{meta['queries']:,} per run after 200 untimed, best of {meta['runs']} alternating runs; "
        f"reads: best of {meta['runs']}; inserts: each shape probed at batches "
        f"{', '.join(f'{b:,}' for b in meta['batches'])} with {meta['probe_rows']:,} rows, the "
        f"fastest run with all {meta['insert_rows']:,}."
    )
    w("")
    server_note = "" if meta["server_cpu"] else " (server CPU: n/a, the server is not local)"
    w(f"**Figures**{server_note}")
    w("")
    w("| workload | transport | client | speed | client CPU | server CPU |")
    w("|---|---|---|---|---|---|")

    def cpu(r, per=None):
        v = r.get("cpu_s")
        if v is None:
            return "–"
        return f"{v * 1e6 / per:.0f} µs/query" if per else f"{v:.2f} s"

    def scpu(r, per=None):
        v = r.get("server_cpu_s")
        if v is None:
            return "–"
        return f"{v * 1e6 / per:.0f} µs/query" if per else f"{v:.2f} s"

    for c, r in res["point"].items():
        n = r.get("queries") or meta["queries"]
        speed = (
            f"✗ {r['error']}"
            if "error" in r
            else f"p50 {r['p50_us']:.0f} µs, p99 {r['p99_us']:.0f} µs"
        )
        w(
            f"| point select by PK | {TRANSPORT[c]} | {c} | {speed} | {cpu(r, n)} | "
            f"{scpu(r, n)} |"
        )
    for c, r in res["read"].items():
        speed = "✗ " + r["error"] if "error" in r else f"{meta['rows'] / r['wall_s']:,.0f} rows/s"
        w(f"| read {meta['rows']:,} rows | {TRANSPORT[c]} | {c} | {speed} | {cpu(r)} | {scpu(r)} |")
    for r in res["insert"].values():
        c = r["client"]
        speed = "✗ " + r["error"] if "error" in r else f"{r['rows'] / r['wall_s']:,.0f} rows/s"
        w(
            f"| insert {r['rows']:,} rows | {TRANSPORT[c]} | {label(c, r)} | {speed} | "
            f"{cpu(r)} | {scpu(r)} |"
        )
    w("")
    w("**Ratios** (ours against the best peer on the same transport; above 1.0x is ours faster)")
    w("")
    w("| row | transport | ours | best peer | ratio | target |")
    w("|---|---|---|---|---|---|")

    def ratio_line(name, transport, results, key, higher_better, fmt, mode=None):
        pick = max if higher_better else min
        ok = [r for r in results.values() if "error" not in r and r["transport"] == transport]
        ours = [
            r
            for r in ok
            if r["client"] == OURS[transport] and (mode is None or (r.get("mode") or "") == mode)
        ]
        peers = [r for r in ok if r["client"] not in OURS.values()]
        if not ours or not peers:
            return
        ours = pick(ours, key=key)
        pr = pick(peers, key=key)
        pc = label(pr["client"], pr)
        if len([r for r in ok if r["client"] == OURS[transport]]) > 1:
            name = f"{name}: {label(ours['client'], ours).split(': ', 1)[1]}"
        o, p = key(ours), key(pr)
        ratio = o / p if higher_better else p / o
        mark = "✅" if ratio >= 1.0 else "❌"
        w(
            f"| {name} | {transport} | {fmt(o)} | {pc}: {fmt(p)} | **{ratio:.2f}x** | "
            f">= 1.0x {mark} |"
        )

    us = lambda v: f"{v:.0f} µs"  # noqa: E731
    rps = lambda v: f"{v:,.0f} rows/s"  # noqa: E731
    for t in ("http", "pgwire"):
        ratio_line("point select p50", t, res["point"], lambda r: r["p50_us"], False, us)
        ratio_line("point select p99", t, res["point"], lambda r: r["p99_us"], False, us)
        ratio_line(
            "read", t, res["read"], lambda r: meta["rows"] / r["wall_s"], True, rps
        )
        ratio_line(
            "insert, our best shape", t, res["insert"], lambda r: r["rows"] / r["wall_s"], True, rps
        )
        ratio_line(
            "insert", t, res["insert"], lambda r: r["rows"] / r["wall_s"], True, rps, mode=""
        )
    w("")
    w("**Client CPU against crate-python's** (ours / crate-python; target at most 0.5x)")
    w("")
    w("| workload | crate-python | ours HTTP | ratio | ours pgwire | ratio |")
    w("|---|---|---|---|---|---|")
    for wl, title in (("point", "point select, per query"), ("read", "read"), ("insert", "insert")):
        cp = res[wl].get("crate-python")
        if not cp or "error" in cp:
            continue
        per = (cp.get("queries") or meta["queries"]) if wl == "point" else None
        cells = [title, cpu(cp, per)]
        for o in ("ours-http", "ours-pgwire"):
            r = res[wl].get(o)  # the insert: execute_bulk
            if not r or "error" in r:
                cells += ["–", "–"]
                continue
            ratio = r["cpu_s"] / cp["cpu_s"]
            cells += [cpu(r, per), f"**{ratio:.2f}x** {'✅' if ratio <= 0.5 else '❌'}"]
        w("| " + " | ".join(cells) + " |")
    if res["insert"]:
        w("")
        w("Insert probes, rows/s at each batch size ("
          f"{meta['probe_rows']:,} rows; the fastest went on to the full run):")
        w("")
        w("| client | " + " | ".join(f"{b:,}" for b in meta["batches"]) + " |")
        w("|---|" + "---|" * len(meta["batches"]) + "")
        for r in res["insert"].values():
            pr = r.get("probes", {})
            w(f"| {label(r['client'], r).split(', batch')[0]} | " + " | ".join(
                fmt_int(pr.get(str(b))) for b in meta["batches"]) + " |")
    if breaks:
        w("")
        w("**Where peers break against CrateDB**")
        w("")
        for c, what, failed, err in breaks:
            at = f" (batches {', '.join(map(str, failed))})" if failed else ""
            err = " ".join(err.split())
            w(f"* {c}, {what}{at}: `{err[:240]}`")
    return "\n".join(L) + "\n"


def splice(doc, report):
    text = ""
    if os.path.exists(doc):
        with open(doc) as f:
            text = f.read()
    block = f"{BEGIN}\n\n{report}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n## Against CrateDB: our driver vs the clients users have today\n\n" + block + "\n"
    with open(doc, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
