"""Generates one day of payments into a benchmark namespace (its two tables are dropped and recreated),
for `npm run bench:finance` (bench/finance-export.ts):

    bench_generate.py --namespace=finance_bench --date=2030-01-15 --payments=100000 [--merchants=20]

Payment i gets, from independent hashes of i, one of M merchants, one of USD, EUR, GBP and JPY, Stripe or
Adyen, and a fate out of ten: 0-5 captured (authorized + captured), 6 authorized only, 7 captured then
half refunded, 8 failed (declined), 9 authorized then canceled. Events are spread over the day; every
100th payment's events are written twice (at-least-once delivery: same event_id). A settlement line
per capture (Stripe's fee model: 2.9% + 30, zero-decimal currencies 3.6%) and per refund (no fee).
Prints a JSON line with the counts and the totals per currency in minor units, which the benchmark
checks the report against.
"""

import argparse
import datetime as dt
import json
import time

from pyspark.sql import functions as F

from contract_tables import create_contract_tables, drop_contract_tables
from finance_session import build_session, table_name

FATES = """CASE
  WHEN fate < 6 THEN array(named_struct('type', 'authorized', 'seq', 1L, 'offset_ms', 0L, 'amount', amount),
                           named_struct('type', 'captured', 'seq', 2L, 'offset_ms', 1L, 'amount', amount))
  WHEN fate = 6 THEN array(named_struct('type', 'authorized', 'seq', 1L, 'offset_ms', 0L, 'amount', amount))
  WHEN fate = 7 THEN array(named_struct('type', 'authorized', 'seq', 1L, 'offset_ms', 0L, 'amount', amount),
                           named_struct('type', 'captured', 'seq', 2L, 'offset_ms', 1L, 'amount', amount),
                           named_struct('type', 'refunded', 'seq', 3L, 'offset_ms', 60000L, 'amount', amount div 2))
  WHEN fate = 8 THEN array(named_struct('type', 'failed', 'seq', 1L, 'offset_ms', 0L, 'amount', amount))
  ELSE array(named_struct('type', 'authorized', 'seq', 1L, 'offset_ms', 0L, 'amount', amount),
             named_struct('type', 'canceled', 'seq', 2L, 'offset_ms', 30000L, 'amount', CAST(NULL AS BIGINT)))
END"""


def payments(spark, day, count, merchants):
    start_us = int(dt.datetime.combine(day, dt.time(), dt.timezone.utc).timestamp() * 1_000_000)
    # Spread over the first 23 hours, so that the last events (refunds a minute later) stay in the day.
    spacing_us = 23 * 3600 * 1_000_000 // count
    return spark.range(count).selectExpr(
        "id",
        "concat('pay_bench_', id) AS payment_id",
        f"concat('mer_bench_', pmod(hash(id, 'merchant'), {merchants})) AS merchant_id",
        "element_at(array('USD', 'EUR', 'GBP', 'JPY'), pmod(hash(id, 'currency'), 4) + 1) AS currency",
        "IF(pmod(hash(id, 'psp'), 2) = 0, 'stripe', 'adyen') AS psp",
        "100 + (id * 7919) % 100000 AS amount",
        "pmod(hash(id, 'fate'), 10) AS fate",
        f"{start_us} + id * {spacing_us} AS t0_us",
    )


def events_of(base):
    events = (
        base.withColumn("e", F.explode(F.expr(FATES)))
        .selectExpr(
            "concat(payment_id, '-', e.seq) AS event_id",
            "e.type AS event_type",
            "timestamp_micros(t0_us + e.offset_ms * 1000) AS occurred_at",
            "payment_id",
            "merchant_id",
            "id AS order_id",
            "psp",
            "concat('ref_', id) AS psp_reference",
            "currency",
            "e.amount AS amount_minor",
            "e.seq AS sequence",
            "id",
        )
    )
    return events.unionByName(events.where("id % 100 = 0")).drop("id")


def lines_of(base, day):
    captured = base.where("fate < 6 OR fate = 7")
    fee = "IF(currency = 'JPY', amount * 36 div 1000, amount * 29 div 1000 + 30)"
    charges = captured.selectExpr(
        "id * 2 AS settlement_line_id", "psp", "amount AS gross_minor", f"{fee} AS fee_minor",
        "'charge' AS record_type", "concat('ref_', id) AS psp_reference", "payment_id", "currency", "id",
    )  # fmt: skip
    refunds = captured.where("fate = 7").selectExpr(
        "id * 2 + 1 AS settlement_line_id", "psp", "-(amount div 2) AS gross_minor", "0L AS fee_minor",
        "'refund' AS record_type", "concat('re_', id) AS psp_reference", "payment_id", "currency", "id",
    )  # fmt: skip
    return charges.unionByName(refunds).selectExpr(
        "settlement_line_id",
        "psp",
        f"concat('po_bench_', psp, '_{day.isoformat()}') AS batch_id",
        "CAST(settlement_line_id AS INT) AS line_no",
        "record_type",
        "psp_reference",
        "payment_id",
        "CAST(NULL AS STRING) AS refund_id",
        "currency",
        "gross_minor",
        "fee_minor",
        "gross_minor - fee_minor AS net_minor",
        f"DATE'{day.isoformat()}' AS settled_on",
    )


def expected_totals(spark, namespace, day):
    """Per currency, from the generated tables (deduplicated): what the report must add up to."""
    start = f"TIMESTAMP'{day.isoformat()} 00:00:00'"
    return {
        row["currency"]: {k: row[k] for k in ("payments", "gross", "refunds", "fees")}
        for row in spark.sql(f"""
          WITH e AS (SELECT DISTINCT * FROM {table_name(namespace, 'payment_events')}
                      WHERE occurred_at >= {start} AND occurred_at < {start} + INTERVAL 1 DAY),
               f AS (SELECT currency, sum(fee_minor) AS fees FROM {table_name(namespace, 'settlement_lines')}
                      WHERE settled_on = DATE'{day.isoformat()}' GROUP BY currency)
          SELECT e.currency, count(DISTINCT payment_id) AS payments,
                 sum(IF(event_type = 'captured', amount_minor, 0)) AS gross,
                 sum(IF(event_type = 'refunded', amount_minor, 0)) AS refunds, first(f.fees) AS fees
            FROM e JOIN f USING (currency) GROUP BY e.currency""").collect()
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--date", required=True)
    parser.add_argument("--payments", type=int, default=100_000)
    parser.add_argument("--merchants", type=int, default=20)
    args = parser.parse_args()
    if args.namespace == "payments":
        parser.error("the benchmark never writes the feed's own namespace `payments`")
    day = dt.date.fromisoformat(args.date)
    started = time.monotonic()
    spark = build_session("finance-bench-generate")
    try:
        drop_contract_tables(spark, args.namespace)
        create_contract_tables(spark, args.namespace)
        base = payments(spark, day, args.payments, args.merchants)
        events_of(base).writeTo(table_name(args.namespace, "payment_events")).append()
        lines_of(base, day).writeTo(table_name(args.namespace, "settlement_lines")).append()
        counts = {
            table: spark.table(table_name(args.namespace, table)).count()
            for table in ("payment_events", "settlement_lines")
        }
        totals = expected_totals(spark, args.namespace, day)
    finally:
        spark.stop()
    print(json.dumps({"payments": args.payments, **counts, "totals": totals,
                      "seconds": round(time.monotonic() - started, 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
