"""Orchestrates the Arrow read comparison (scripts/bench-arrow.sh calls it).

Targets: a throwaway PostgreSQL started by the Rust bench binary (always), and the CrateDB
named by CRATEDB_URL / CRATEDB_PG_URL (when set). On each, the same 10-column table of
BENCH_ROWS rows is read by every client in its own process, BENCH_RUNS times alternating, best
run kept: sqlx-cratedb-arrow (one stream; 4 range partitions; over HTTP too on CrateDB),
connectorx and polars.read_database_uri (single and 4 partitions). Then sqlx-cratedb-arrow
streams BENCH_RSS_ROWS rows from PostgreSQL to show its memory bound. Writes the tables into
sqlx-cratedb-arrow/BENCHMARKS.md (BENCH_DOC; BENCH_DOC= leaves it alone) and every raw line to
$BENCH_OUT/arrow.jsonl.

On CrateDB it then loads the same rows from a CSV file (exported from the table by
cratedb-loader) into an empty table: cratedb-loader (HTTP and pgwire) against pandas.read_csv
followed by crate-python's executemany (bulk_args) or sqlalchemy-cratedb's insert_bulk
(DataFrame.to_sql), BENCH_LOAD_BATCH rows per request, each client's time, CPU and peak RSS
from wait4.

Knobs: BENCH_ROWS (1000000), BENCH_RUNS (3), BENCH_RSS_ROWS (10000000; 0 skips),
BENCH_PARTITIONS (4), BENCH_LOAD_RUNS (2), BENCH_LOAD_BATCH (5000), BENCH_LOAD_CONCURRENCY (4),
BENCH_OUT (target/bench-arrow).
"""

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BEGIN = "<!-- bench-arrow:begin (written by scripts/bench-arrow.sh) -->"
END = "<!-- bench-arrow:end -->"


def run_json(cmd, log):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        line = {"error": (out.stderr or out.stdout).strip()[-600:], "cmd": cmd[1:3]}
    else:
        line = json.loads(out.stdout.strip().splitlines()[-1])
    log.write(json.dumps(line) + "\n")
    log.flush()
    return line


def clients(rust, python, url, parts, cratedb):
    """(label, command) of every client for one target."""
    peer = [python, os.path.join(HERE, "arrow_peers.py")]
    out = [
        ("sqlx-cratedb-arrow pgwire", [rust, "read", "--url", url["crate_pg"], "--client", "ours", "--keep"]),
        (
            f"sqlx-cratedb-arrow pgwire, {parts} partitions",
            [rust, "read", "--url", url["crate_pg"], "--client", "ours-partitioned", "--partitions", str(parts), "--keep"],
        ),
    ]
    if cratedb:
        out.append(("sqlx-cratedb-arrow HTTP", [rust, "read", "--url", url["http"], "--client", "ours", "--keep"]))
        out.append(
            (
                f"sqlx-cratedb-arrow HTTP, {parts} partitions",
                [rust, "read", "--url", url["http"], "--client", "ours-partitioned", "--partitions", str(parts), "--keep"],
            )
        )
    # CrateDB has no COPY TO STDOUT (connectorx's default binary protocol): the cursor one.
    protocols = ["cursor", "simple"] if cratedb else ["binary"]
    for protocol in protocols:
        for client in ["connectorx", "connectorx-partitioned", "polars", "polars-partitioned"]:
            label = client.replace("-partitioned", f", {parts} partitions") + f" ({protocol})"
            out.append((label, peer + [client, "--url", url["pg"], "--partitions", str(parts), "--protocol", protocol]))
    return out


def measure(target, rust, python, url, rows, runs, parts, cratedb, log):
    best = {}
    fill = run_json([rust, "fill", "--url", url["crate_pg"], "--rows", str(rows)], log)
    if fill.get("filled") != rows:
        sys.exit(f"bench-arrow: filling the {target} table failed: {fill}")
    expected_sum = rows * (rows + 1) // 2
    for run in range(runs):
        for label, cmd in clients(rust, python, url, parts, cratedb):
            line = run_json(cmd, log)
            line["target"], line["label"], line["run"] = target, label, run
            if "error" in line:
                best.setdefault(label, line)
                continue
            if line["rows"] != rows or line["id_sum"] != expected_sum:
                line["error"] = f"read {line['rows']} rows, id sum {line['id_sum']}"
            prev = best.get(label)
            if prev is None or "error" in prev or line["rows_per_s"] > prev["rows_per_s"]:
                best[label] = line
            print(f"bench-arrow: {target}: {label}: {line.get('rows_per_s', 0):,.0f} rows/s", file=sys.stderr)
    return best


def load_section(rust, python, loader, url, rows, runs, batch, concurrency, out_dir, log):
    """CSV → CrateDB: cratedb-loader vs crate-python bulk_args and insert_bulk."""
    csv = os.path.join(out_dir, "bench_load.csv")
    export = subprocess.run(
        [loader, "export", "--url", url["http"], "--query", "SELECT * FROM bench_arrow_src ORDER BY id",
         "--output", csv, "--quiet"],
        capture_output=True, text=True,
    )
    if export.returncode != 0:
        return f"**CSV load**: the export of the source table failed: {export.stderr[-300:]}"
    peer = [python, os.path.join(HERE, "arrow_peers.py")]
    clients = [
        ("cratedb-loader HTTP", [loader, "load", "--url", url["http"], "--table", "bench_load_sink", "--quiet",
                                 "--batch-size", str(batch), "--concurrency", str(concurrency), csv]),
        ("cratedb-loader pgwire", [loader, "load", "--url", url["crate_pg"], "--table", "bench_load_sink", "--quiet",
                                   "--batch-size", str(batch), "--concurrency", str(concurrency), csv]),
        ("crate-python executemany (bulk_args)", peer + ["load-crate-python", "--url", url["http"], "--csv", csv,
                                                         "--table", "bench_load_sink", "--batch", str(batch)]),
        ("sqlalchemy-cratedb insert_bulk (to_sql)", peer + ["load-insert-bulk", "--url", url["http"], "--csv", csv,
                                                            "--table", "bench_load_sink", "--batch", str(batch)]),
    ]
    best = {}
    for run in range(runs):
        for label, cmd in clients:
            run_json([rust, "sink", "--url", url["crate_pg"]], log)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, text=True)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            stored = run_json([rust, "count", "--url", url["crate_pg"], "--table", "bench_load_sink"], log).get("count")
            line = {"label": label, "run": run, "rc": done.returncode, "secs": wall, "cpu_s": cpu,
                    "rows_per_s": rows / wall, "stored": stored}
            if done.returncode != 0 or stored != rows:
                line["error"] = f"exit {done.returncode}, {stored} rows stored: {(done.stderr or done.stdout)[-300:]}"
            log.write(json.dumps(line) + "\n")
            log.flush()
            print(f"bench-arrow: load: {label}: {line['rows_per_s']:,.0f} rows/s", file=sys.stderr)
            prev = best.get(label)
            if prev is None or "error" in prev or ("error" not in line and line["rows_per_s"] > prev["rows_per_s"]):
                best[label] = line
    base = best.get("sqlalchemy-cratedb insert_bulk (to_sql)")
    base = None if base is None or "error" in base else base["rows_per_s"]
    lines = [
        f"**CSV load into CrateDB, {rows:,} rows x 10 columns** ({os.path.getsize(csv) / 1e6:.0f} MB file; "
        f"{batch} rows per request; the loader with {concurrency} requests in flight)",
        "",
        "| client | rows/s | vs insert_bulk | client CPU s |",
        "|---|---:|---:|---:|",
    ]
    for label, b in best.items():
        if "error" in b:
            lines.append(f"| {label} | fails: {b['error'][:150]} | | |")
        else:
            ratio = f"{b['rows_per_s'] / base:.2f}x" if base else "n/a"
            lines.append(f"| {label} | {b['rows_per_s']:,.0f} | {ratio} | {b['cpu_s']:.2f} |")
    return "\n".join(lines)


def table(target, best):
    peers = [b for l, b in best.items() if l.startswith("connectorx") and "error" not in b]
    base = max((b["rows_per_s"] for b in peers), default=None)
    lines = [
        f"**{target}**",
        "",
        "| client | rows/s | vs best connectorx | client CPU s | peak RSS MB |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, b in best.items():
        if "error" in b:
            lines.append(f"| {label} | fails: {b['error'].splitlines()[-1][:120]} | | | |")
            continue
        ratio = f"{b['rows_per_s'] / base:.2f}x" if base else "n/a"
        lines.append(
            f"| {label} | {b['rows_per_s']:,.0f} | {ratio} | {b['cpu_s']:.2f} | {b['max_rss_kb'] / 1024:.0f} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rust", required=True)
    parser.add_argument("--python", required=True)
    parser.add_argument("--loader", required=True)
    args = parser.parse_args()
    env = os.environ
    rows = int(env.get("BENCH_ROWS", "1000000"))
    runs = int(env.get("BENCH_RUNS", "3"))
    parts = int(env.get("BENCH_PARTITIONS", "4"))
    rss_rows = int(env.get("BENCH_RSS_ROWS", "10000000"))
    out_dir = env.get("BENCH_OUT", os.path.join(REPO, "target", "bench-arrow"))
    os.makedirs(out_dir, exist_ok=True)
    log = open(os.path.join(out_dir, "arrow.jsonl"), "a")
    sections = []
    pg = subprocess.Popen([args.rust, "serve-pg"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        urls = json.loads(pg.stdout.readline())
        url = {"pg": urls["url"], "crate_pg": urls["crate_url"]}
        best = measure("PostgreSQL 15 (throwaway, loopback)", args.rust, args.python, url, rows, runs, parts, False, log)
        sections.append(table(f"PostgreSQL, {rows:,} rows x 10 columns", best))
        if rss_rows:
            fill = run_json([args.rust, "fill", "--url", url["crate_pg"], "--rows", str(rss_rows)], log)
            streamed = run_json([args.rust, "read", "--url", url["crate_pg"], "--client", "ours"], log)
            parted = run_json(
                [args.rust, "read", "--url", url["crate_pg"], "--client", "ours-partitioned", "--partitions", str(parts)],
                log,
            )
            note = [f"**Memory while streaming {fill.get('filled', rss_rows):,} rows from PostgreSQL** (batches counted and dropped)", ""]
            for label, line in [("one stream", streamed), (f"{parts} partitions", parted)]:
                if "error" in line:
                    note.append(f"- {label}: fails: {line['error'][-200:]}")
                else:
                    note.append(
                        f"- {label}: {line['rows']:,} rows at {line['rows_per_s']:,.0f} rows/s, "
                        f"peak RSS {line['max_rss_kb'] / 1024:.0f} MB"
                    )
            sections.append("\n".join(note))
    finally:
        pg.stdin.close()
        pg.wait(timeout=60)
    if env.get("CRATEDB_URL") and env.get("CRATEDB_PG_URL"):
        pg_url = env["CRATEDB_PG_URL"]
        url = {"pg": pg_url, "crate_pg": pg_url, "http": env["CRATEDB_URL"]}
        best = measure("CrateDB", args.rust, args.python, url, rows, runs, parts, True, log)
        sections.append(table(f"CrateDB (CRATEDB_URL), {rows:,} rows x 10 columns", best))
        sections.append(
            load_section(
                args.rust, args.python, args.loader, url, rows,
                int(env.get("BENCH_LOAD_RUNS", "2")), int(env.get("BENCH_LOAD_BATCH", "5000")),
                int(env.get("BENCH_LOAD_CONCURRENCY", "4")), out_dir, log,
            )
        )
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n\n".join(
        [
            f"Measured {stamp} by `scripts/bench-arrow.sh` (best of {runs} runs per client, each in its "
            "own process; rows/s over the whole read into Arrow, connecting included for the Python peers "
            "and excluded for ours; the machine's other load affects all clients alike).",
            *sections,
        ]
    )
    report = os.path.join(out_dir, "report.md")
    with open(report, "w") as f:
        f.write(body + "\n")
    print(body)
    doc = env.get("BENCH_DOC", os.path.join(REPO, "sqlx-cratedb-arrow", "BENCHMARKS.md"))
    if doc:
        text = open(doc).read() if os.path.exists(doc) else ""
        block = f"{BEGIN}\n{body}\n{END}"
        if BEGIN in text and END in text:
            text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END):]
        else:
            text = text.rstrip("\n") + ("\n\n" if text else "") + block + "\n"
        with open(doc, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
