"""The Python side of scripts/bench-arrow.sh: one Arrow read or CSV load per process, one JSON
line.

    arrow_peers.py CLIENT --url POSTGRES_URL [--partitions P] [--protocol binary|cursor|simple]
    arrow_peers.py load-crate-python|load-insert-bulk --url CRATE_HTTP_URL --csv FILE --table T

CLIENT is connectorx (cx.read_sql(..., return_type="arrow")), connectorx-partitioned (the same
with partition_on="id", partition_num=P), polars (pl.read_database_uri, which runs connectorx)
or polars-partitioned. Every client holds the whole result at the end, as these APIs return it.
"""

import argparse
import json
import resource
import sys
import time

QUERY = "SELECT * FROM bench_arrow_src"


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load(args):
    """A CSV file into CrateDB the way a Python user does it: pandas reads the file, then
    crate-python's executemany (bulk_args) or sqlalchemy-cratedb's insert_bulk through
    DataFrame.to_sql inserts it, --batch rows per request."""
    import pandas as pd

    cpu0, start = cpu(), time.perf_counter()
    frame = pd.read_csv(args.csv)
    host = args.url.split("://", 1)[1].split("/", 1)[0]
    if args.client == "load-crate-python":
        from crate import client

        columns = ", ".join(frame.columns)
        marks = ", ".join("?" for _ in frame.columns)
        sql = f"INSERT INTO {args.table} ({columns}) VALUES ({marks})"
        rows = [tuple(r) for r in frame.itertuples(index=False, name=None)]
        conn = client.connect("http://" + host.split("@")[-1])
        cur = conn.cursor()
        failed = 0
        for s in range(0, len(rows), args.batch):
            results = cur.executemany(sql, rows[s : s + args.batch])
            failed += sum(1 for r in results if r.get("rowcount", 1) < 0)
        conn.close()
    else:
        import sqlalchemy as sa
        from sqlalchemy_cratedb.support import insert_bulk

        engine = sa.create_engine(f"crate://{host}")
        frame.to_sql(args.table, engine, if_exists="append", index=False, chunksize=args.batch, method=insert_bulk)
        engine.dispose()
        failed = 0
    secs = time.perf_counter() - start
    return {
        "client": args.client,
        "rows": len(frame),
        "failed": failed,
        "secs": secs,
        "rows_per_s": len(frame) / secs,
        "cpu_s": cpu() - cpu0,
        "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("client")
    parser.add_argument("--url", required=True)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--protocol", default="binary")
    parser.add_argument("--csv")
    parser.add_argument("--table")
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    if args.client.startswith("load-"):
        print(json.dumps(load(args)))
        return
    url = args.url
    partitioned = args.client.endswith("-partitioned")
    cpu0, start = cpu(), time.perf_counter()
    if args.client.startswith("connectorx"):
        import connectorx as cx

        extra = {"partition_on": "id", "partition_num": args.partitions} if partitioned else {}
        table = cx.read_sql(url, QUERY, return_type="arrow", protocol=args.protocol, **extra)
        rows = table.num_rows
        id_sum = int(table.column("id").to_numpy().sum())
    elif args.client.startswith("polars"):
        import polars as pl

        extra = {"partition_on": "id", "partition_num": args.partitions} if partitioned else {}
        frame = pl.read_database_uri(QUERY, url, engine="connectorx", protocol=args.protocol, **extra)
        rows = frame.height
        id_sum = int(frame["id"].sum())
    else:
        sys.exit(f"unknown client {args.client}")
    secs = time.perf_counter() - start
    print(
        json.dumps(
            {
                "client": args.client,
                "transport": "pgwire",
                "protocol": args.protocol,
                "rows": rows,
                "id_sum": id_sum,
                "secs": secs,
                "rows_per_s": rows / secs,
                "cpu_s": cpu() - cpu0,
                "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
        )
    )


if __name__ == "__main__":
    main()
