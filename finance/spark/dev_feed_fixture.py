"""DEV-ONLY FIXTURE, NOT THE FEED. The Iceberg tables are fed by Kafka Connect (ICEBERG_CONTRACT.md,
docs/finance-data.md "Tables"). Until that feed runs where a developer works, this writes the rows the
feed would write, taken from the same sources (the outbox's outcome events, psp_settlement), into a
namespace of the developer's own (e.g. payments_w2), with Spark SQL:

    dev_feed_fixture.py --namespace=payments_w2 --events=events.jsonl --lines=lines.jsonl

One JSON object per line, the contract's columns, with `occurred_at` in epoch milliseconds, the
settlement amounts as decimal strings and `settled_on` as YYYY-MM-DD. The tables are created as the contract describes when they are missing.
test/helpers/finance-feed.ts makes the files (FINANCE_FEED_FIXTURE=1).
"""

import argparse

from pyspark.sql import functions as F

from contract_tables import create_contract_tables
from finance_session import build_session, table_name

EVENTS_SCHEMA = (
    "event_id string, event_type string, occurred_at long, payment_id string, merchant_id string, "
    "order_id long, psp string, psp_reference string, currency string, amount_minor long, sequence long"
)
LINES_SCHEMA = (
    "settlement_line_id long, psp string, batch_id string, line_no int, record_type string, "
    "psp_reference string, payment_id string, refund_id string, currency string, gross_amount string, "
    "fee_amount string, net_amount string, settled_on string, cdc_op string, cdc_lsn long"
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--events", required=True)
    parser.add_argument("--lines", required=True)
    args = parser.parse_args()
    if args.namespace == "payments":
        parser.error("the fixture never writes the feed's own namespace `payments`: use one of your own")
    spark = build_session("finance-dev-feed-fixture")
    try:
        create_contract_tables(spark, args.namespace)
        events = spark.read.schema(EVENTS_SCHEMA).json(f"file://{args.events}").withColumn(
            "occurred_at", F.timestamp_millis("occurred_at")
        )
        lines = spark.read.schema(LINES_SCHEMA).json(f"file://{args.lines}")
        for amount in ("gross_amount", "fee_amount", "net_amount"):
            lines = lines.withColumn(amount, F.col(amount).cast("decimal(12,2)"))
        lines = lines.withColumn("settled_on", F.to_date("settled_on"))
        events.writeTo(table_name(args.namespace, "payment_events")).append()
        lines.writeTo(table_name(args.namespace, "settlement_lines")).append()
        print(f"fixture: {events.count()} events, {lines.count()} settlement lines into finance.{args.namespace}")
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
