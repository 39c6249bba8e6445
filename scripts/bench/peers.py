"""The Python clients of `scripts/bench-cratedb.sh`, one client and one workload per process.

    peers.py --client crate-python|sqlalchemy-pandas|asyncpg|psycopg \
        --workload point|read|insert [--rows N] [--batch B] [--queries Q] [--mode M]

Prints one JSON line with the same fields as the Rust side (tests/benches/cratedb_peers.rs):
wall_s, cpu_s (this process's user + system CPU over the timed region, getrusage), server_cpu_s
(the CrateDB process named by BENCH_SERVER_PID, from /proc, when it runs on this machine),
p50_us / p99_us / mean_us for point selects, or error when the client fails against CrateDB.
The server is CRATEDB_URL (HTTP clients) or CRATEDB_PG_URL (pgwire clients). Data to insert is
made before the timed region, the same values as the Rust side makes.
"""

import argparse
import asyncio
import datetime as dt
import json
import os
import resource
import sys
import time
import urllib.parse

POINT_COLS = "id, qty, total, kind, price, ratio, active, name, note, created"
POINT_SQL = f"SELECT {POINT_COLS} FROM bench_peers.src WHERE id = {{p}}"
READ_SQL = f"SELECT {POINT_COLS} FROM bench_peers.src"
INSERT_SQL = "INSERT INTO bench_peers.sink ({c}) VALUES ({p})".format(c=POINT_COLS, p="{p}")
UNNEST_SQL = (
    f"INSERT INTO bench_peers.sink ({POINT_COLS}) SELECT * FROM UNNEST({{p1}}::BIGINT[], "
    "{p2}::INTEGER[], {p3}::BIGINT[], {p4}::SMALLINT[], {p5}::DOUBLE PRECISION[], {p6}::REAL[], "
    "{p7}::BOOLEAN[], {p8}::TEXT[], {p9}::TEXT[], {p10}::TIMESTAMP WITH TIME ZONE[])"
)
WARMUP = 200
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def qmark(n):
    return ", ".join("?" * n)


def dollar(n):
    return ", ".join(f"${i}" for i in range(1, n + 1))


def bench_row(i):
    """The 10-column row, the same values as bench_row in tests/benches/cratedb_peers.rs."""
    return (
        i,
        i % 1000,
        i * 7,
        i % 100,
        i / 3.0,
        (i % 1000) / 8.0,
        i % 2 == 0,
        f"name-{i}",
        f"note text for row {i:07d}",
        EPOCH + dt.timedelta(milliseconds=1_704_067_200_000 + i * 1000),
    )


def point_ids(rows, n):
    """The same pseudo-random ids as point_ids in the Rust side (a 64-bit LCG)."""
    x, out = 42, []
    for _ in range(n):
        x = (x * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        out.append((x >> 33) % rows + 1)
    return out


def process_cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def server_cpu():
    pid = os.environ.get("BENCH_SERVER_PID")
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split(" ")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Meter:
    def __init__(self):
        self.wall, self.cpu, self.server = time.perf_counter(), process_cpu(), server_cpu()

    def stop(self):
        out = {
            "wall_s": time.perf_counter() - self.wall,
            "cpu_s": process_cpu() - self.cpu,
            "server_cpu_s": None,
        }
        end = server_cpu()
        if self.server is not None and end is not None:
            out["server_cpu_s"] = end - self.server
        return out


def latency_fields(lat):
    lat = sorted(lat)
    n = len(lat)

    def rank(p):  # nearest rank, as the Rust side
        return lat[max(-(-n * p // 100), 1) - 1] * 1e6

    return {"p50_us": rank(50), "p99_us": rank(99), "mean_us": sum(lat) * 1e6 / n}


def point_loop(ids, one):
    """Runs one(id) for every id, timing each after the warm-up; `one` returns the row."""
    lat, meter = [], Meter()
    for k, i in enumerate(ids):
        if k == WARMUP:
            meter = Meter()
        t = time.perf_counter()
        row = one(i)
        if k >= WARMUP:
            lat.append(time.perf_counter() - t)
        assert row[0] == i, row
    return {**meter.stop(), **latency_fields(lat)}


async def point_loop_async(ids, one):
    lat, meter = [], Meter()
    for k, i in enumerate(ids):
        if k == WARMUP:
            meter = Meter()
        t = time.perf_counter()
        row = await one(i)
        if k >= WARMUP:
            lat.append(time.perf_counter() - t)
        assert row[0] == i, row
    return {**meter.stop(), **latency_fields(lat)}


def check_rows(n, want):
    if n != want:
        raise RuntimeError(f"read {n} rows, expected {want}")


def http_parts():
    """CRATEDB_URL (crate://user[:password]@host:port[/schema]) as crate-python's arguments."""
    url = urllib.parse.urlsplit(os.environ["CRATEDB_URL"])
    scheme = "https" if url.scheme in ("crate+https", "https") else "http"
    server = f"{scheme}://{url.hostname}:{url.port or 4200}"
    user = urllib.parse.unquote(url.username) if url.username else None
    password = urllib.parse.unquote(url.password) if url.password else None
    return server, user, password


# ---- crate-python (DB-API over HTTP) -------------------------------------------------------------
def crate_python(a):
    from crate import client

    server, user, password = http_parts()
    conn = client.connect(server, username=user, password=password)
    cur = conn.cursor()
    if a.workload == "point":
        sql = POINT_SQL.format(p="?")

        def one(i):
            cur.execute(sql, (i,))
            return cur.fetchone()

        return point_loop(point_ids(a.rows, WARMUP + a.queries), one)
    if a.workload == "read":
        meter = Meter()
        cur.execute(READ_SQL)
        rows = cur.fetchall()
        out = meter.stop()
        check_rows(len(rows), a.rows)
        return out
    if a.workload == "insert":
        data = [bench_row(i) for i in range(1, a.rows + 1)]
        sql = INSERT_SQL.format(p=qmark(10))
        meter = Meter()
        done = 0
        for s in range(0, len(data), a.batch):
            results = cur.executemany(sql, data[s : s + a.batch])
            done += sum(1 for r in results if r.get("rowcount") == 1)
        out = meter.stop()
        if done != a.rows:
            raise RuntimeError(f"inserted {done} rows of {a.rows}")
        return out
    raise ValueError(a.workload)


# ---- sqlalchemy-cratedb: pandas to_sql with insert_bulk (HTTP bulk_args) --------------------------
def sqlalchemy_pandas(a):
    import pandas as pd
    import sqlalchemy as sa
    from sqlalchemy_cratedb.support import insert_bulk

    if a.workload != "insert":
        raise ValueError("sqlalchemy-pandas runs the insert only")
    server, user, password = http_parts()
    host = server.split("://", 1)[1]
    cred = ""
    if user:
        cred = urllib.parse.quote(user, safe="")
        if password:
            cred += ":" + urllib.parse.quote(password, safe="")
        cred += "@"
    ssl = "?ssl=true" if server.startswith("https") else ""
    engine = sa.create_engine(f"crate://{cred}{host}{ssl}")
    df = pd.DataFrame.from_records(
        [bench_row(i) for i in range(1, a.rows + 1)], columns=POINT_COLS.split(", ")
    )
    meter = Meter()
    df.to_sql(
        "sink",
        engine,
        schema="bench_peers",
        if_exists="append",
        index=False,
        chunksize=a.batch,
        method=insert_bulk,
    )
    out = meter.stop()
    engine.dispose()
    return out


# ---- asyncpg (pgwire) ----------------------------------------------------------------------------
async def asyncpg_main(a):
    import asyncpg

    conn = await asyncpg.connect(os.environ["CRATEDB_PG_URL"])
    try:
        if a.workload == "point":
            stmt = await conn.prepare(POINT_SQL.format(p="$1"))
            return await point_loop_async(point_ids(a.rows, WARMUP + a.queries), stmt.fetchrow)
        if a.workload == "read":
            meter = Meter()
            rows = await conn.fetch(READ_SQL)
            out = meter.stop()
            check_rows(len(rows), a.rows)
            return out
        if a.workload == "insert":
            data = [bench_row(i) for i in range(1, a.rows + 1)]
            meter = Meter()
            if a.mode == "unnest":
                sql = UNNEST_SQL.format(**{f"p{i}": f"${i}" for i in range(1, 11)})
                for s in range(0, len(data), a.batch):
                    await conn.execute(sql, *map(list, zip(*data[s : s + a.batch])))
            else:  # executemany: Bind + Execute per row, pipelined
                sql = INSERT_SQL.format(p=dollar(10))
                for s in range(0, len(data), a.batch):
                    await conn.executemany(sql, data[s : s + a.batch])
            return meter.stop()
        raise ValueError(a.workload)
    finally:
        await conn.close()


# ---- psycopg 3 (pgwire) --------------------------------------------------------------------------
def psycopg_main(a):
    import psycopg

    with psycopg.connect(os.environ["CRATEDB_PG_URL"], autocommit=True) as conn:
        cur = conn.cursor()
        if a.workload == "point":
            sql = POINT_SQL.format(p="%s")

            def one(i):
                cur.execute(sql, (i,), prepare=True)
                return cur.fetchone()

            return point_loop(point_ids(a.rows, WARMUP + a.queries), one)
        if a.workload == "read":
            meter = Meter()
            cur.execute(READ_SQL)
            rows = cur.fetchall()
            out = meter.stop()
            check_rows(len(rows), a.rows)
            return out
        if a.workload == "insert":
            data = [bench_row(i) for i in range(1, a.rows + 1)]
            meter = Meter()
            if a.mode == "unnest":
                sql = UNNEST_SQL.format(**{f"p{i}": "%s" for i in range(1, 11)})
                for s in range(0, len(data), a.batch):
                    cur.execute(sql, [list(c) for c in zip(*data[s : s + a.batch])])
            else:  # executemany (pipeline mode)
                sql = INSERT_SQL.format(p=", ".join(["%s"] * 10))
                for s in range(0, len(data), a.batch):
                    cur.executemany(sql, data[s : s + a.batch])
            return meter.stop()
        raise ValueError(a.workload)


CLIENTS = {
    "crate-python": ("http", crate_python),
    "sqlalchemy-pandas": ("http", sqlalchemy_pandas),
    "asyncpg": ("pgwire", lambda a: asyncio.run(asyncpg_main(a))),
    "psycopg": ("pgwire", psycopg_main),
}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--client", required=True, choices=sorted(CLIENTS))
    p.add_argument("--workload", required=True, choices=["point", "read", "insert"])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--batch", type=int, default=5000)
    p.add_argument("--queries", type=int, default=5000)
    p.add_argument("--mode", default="", help="insert shape: executemany (default) or unnest")
    a = p.parse_args()
    transport, run = CLIENTS[a.client]
    head = {
        "client": a.client,
        "transport": transport,
        "workload": a.workload,
        "rows": a.rows,
        "batch": a.batch if a.workload == "insert" else None,
        "queries": a.queries if a.workload == "point" else None,
        "mode": a.mode or None,
    }
    try:
        head.update(run(a))
    except Exception as e:  # noqa: BLE001 - a client that breaks against CrateDB is a result
        head["error"] = f"{type(e).__name__}: {e}".strip()[:300]
    print(json.dumps(head), flush=True)


if __name__ == "__main__":
    sys.exit(main())
