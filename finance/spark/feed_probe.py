"""Waits until the Iceberg tables hold given rows: the test's way to know the feed has delivered.

    feed_probe.py --namespace=payments --expect=expect.json --since=2026-12-01T00:00:00Z --timeout-s=180

expect.json: {"event_ids": [...], "settlement_line_ids": [...]}. Polls both tables (new snapshots are
seen at once: the catalog is not cached) every 2 s; prints a JSON line and exits 0 once every id is
there, or exits 1 at the timeout naming what is missing. A missing table counts as "not yet".
"""

import argparse
import datetime as dt
import json
import sys
import time

from pyspark.errors import AnalysisException
from pyspark.sql import functions as F

from finance_session import build_session, table_name


def present(spark, table, column, ids, where=None):
    if not ids:
        return set()
    try:
        frame = spark.table(table)
    except AnalysisException:
        return set()
    if where is not None:
        frame = frame.where(where)
    return {row[0] for row in frame.where(F.col(column).isin(ids)).select(column).distinct().collect()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--expect", required=True)
    parser.add_argument("--since", required=True, help="no expected event is older (ISO 8601, UTC)")
    parser.add_argument("--timeout-s", type=float, default=180)
    args = parser.parse_args()
    with open(args.expect, encoding="utf8") as f:
        expect = json.load(f)
    event_ids, line_ids = set(expect["event_ids"]), set(expect["settlement_line_ids"])
    since = dt.datetime.fromisoformat(args.since.replace("Z", "+00:00"))
    started = time.monotonic()
    spark = build_session("finance-feed-probe")
    try:
        while True:
            events = present(
                spark,
                table_name(args.namespace, "payment_events"),
                "event_id",
                list(event_ids),
                F.col("occurred_at") >= F.lit(since),
            )
            lines = present(spark, table_name(args.namespace, "settlement_lines"), "settlement_line_id", list(line_ids))
            missing = {"events": len(event_ids - events), "settlement_lines": len(line_ids - lines)}
            waited = round(time.monotonic() - started, 1)
            if not any(missing.values()):
                print(json.dumps({"events": len(events), "settlement_lines": len(lines), "waited_s": waited}))
                return 0
            if waited > args.timeout_s:
                print(
                    f"feed probe: after {waited} s, finance.{args.namespace} still lacks {missing['events']} of "
                    f"{len(event_ids)} events and {missing['settlement_lines']} of {len(line_ids)} settlement lines",
                    file=sys.stderr,
                )
                return 1
            time.sleep(2)
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main())
