"""The Python side of scripts/bench-arrow.sh: one Arrow read per process, one JSON line.

    arrow_peers.py CLIENT --url POSTGRES_URL [--partitions P] [--protocol binary|cursor|simple]

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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("client")
    parser.add_argument("--url", required=True)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--protocol", default="binary")
    args = parser.parse_args()
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
