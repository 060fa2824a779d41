"""Generates one day of payments into a benchmark namespace (its two tables are dropped and recreated),
for `npm run bench:finance` (bench/finance-export.ts):

    bench_generate.py --namespace=finance_bench --date=2030-01-15 --payments=100000 [--merchants=20]

Payment i gets, from independent hashes of i, one of M merchants, one of USD, EUR, GBP and JPY, Stripe or
Adyen, and a fate out of ten: 0-5 captured (authorized + captured), 6 authorized only, 7 captured then
half refunded, 8 failed (declined), 9 authorized then canceled. Events are spread over the day; every
100th payment's events are written twice (at-least-once delivery: same event_id). A settlement line
per capture (Stripe's fee model: 2.9% + 30, zero-decimal currencies 3.6%) and per refund (no fee),
written as CDC changes (some updated, some deleted: see cdc_rows). Prints a JSON line with the row
counts and the totals per currency in minor units, which the benchmark checks the report against.
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


def lines_of(base):
    """The settlement lines in minor units, before they are written as the CDC feed writes them."""
    captured = base.where("fate < 6 OR fate = 7")
    fee = "IF(currency = 'JPY', amount * 36 div 1000, amount * 29 div 1000 + 30)"
    charges = captured.selectExpr(
        "id * 2 AS settlement_line_id", "psp", "amount AS gross_minor", f"{fee} AS fee_minor",
        "'charge' AS record_type", "concat('ref_', id) AS psp_reference", "payment_id", "currency",
    )  # fmt: skip
    refunds = captured.where("fate = 7").selectExpr(
        "id * 2 + 1 AS settlement_line_id", "psp", "-(amount div 2) AS gross_minor", "0L AS fee_minor",
        "'refund' AS record_type", "concat('re_', id) AS psp_reference", "payment_id", "currency",
    )  # fmt: skip
    return charges.unionByName(refunds)


def cdc_rows(lines, day):
    """As the CDC feed writes them (ICEBERG_CONTRACT.md): amounts as decimal(12,2) in major units, one
    row per change. Every line is inserted (`c`); every 50th is first inserted with a fee 1 higher, then
    updated (`u`) to its fee; every 200th charge is then deleted (`d`) and must not count."""
    def major(minor):
        return (
            f"CAST(IF(currency = 'JPY', CAST({minor} AS DECIMAL(14,2)), CAST({minor} AS DECIMAL(14,0)) / 100) "
            "AS DECIMAL(12,2))"
        )

    def changes(frame, op, lsn, fee):
        return frame.selectExpr(
            "settlement_line_id", "psp", f"concat('po_bench_', psp, '_{day.isoformat()}') AS batch_id",
            "CAST(settlement_line_id AS INT) AS line_no", "record_type", "psp_reference", "payment_id",
            "CAST(NULL AS STRING) AS refund_id", "currency", f"{major('gross_minor')} AS gross_amount",
            f"{major(fee)} AS fee_amount", f"{major(f'gross_minor - ({fee})')} AS net_amount",
            f"DATE'{day.isoformat()}' AS settled_on", f"'{op}' AS cdc_op",
            f"settlement_line_id * 10 + {lsn} AS cdc_lsn",
        )  # fmt: skip

    updated = lines.where("settlement_line_id % 50 = 0")
    deleted = lines.where("settlement_line_id % 200 = 0 AND record_type = 'charge'")
    return (
        changes(lines.where("settlement_line_id % 50 != 0"), "c", 0, "fee_minor")
        .unionByName(changes(updated, "c", 0, "fee_minor + 1"))
        .unionByName(changes(updated, "u", 1, "fee_minor"))
        .unionByName(changes(deleted, "d", 2, "fee_minor"))
    )


def expected_totals(base, lines):
    """Per currency, what the report must add up to, from the generated truth (not from the tables)."""
    fate = F.col("fate")
    money = base.groupBy("currency").agg(
        F.count("*").alias("payments"),
        F.sum(F.when((fate < 6) | (fate == 7), F.col("amount")).otherwise(0)).alias("gross"),
        F.sum(F.when(fate == 7, F.expr("amount div 2")).otherwise(0)).alias("refunds"),
    )
    kept = lines.where("NOT (settlement_line_id % 200 = 0 AND record_type = 'charge')")
    fees = kept.groupBy("currency").agg(F.sum("fee_minor").alias("fees"))
    return {
        row["currency"]: {k: row[k] for k in ("payments", "gross", "refunds", "fees")}
        for row in money.join(fees, "currency").collect()
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
        lines = lines_of(base)
        events_of(base).writeTo(table_name(args.namespace, "payment_events")).append()
        cdc_rows(lines, day).writeTo(table_name(args.namespace, "settlement_lines")).append()
        counts = {
            table: spark.table(table_name(args.namespace, table)).count()
            for table in ("payment_events", "settlement_lines")
        }
        totals = expected_totals(base, lines)
    finally:
        spark.stop()
    print(json.dumps({"payments": args.payments, **counts, "totals": totals,
                      "seconds": round(time.monotonic() - started, 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
