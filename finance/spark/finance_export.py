"""Daily finance report from the Iceberg tables `<ns>.payment_events` and `<ns>.settlement_lines`.

    spark-submit --jars <the jars of deploy/maven/finance/pom.xml> --py-files finance/spark/finance_session.py \
      finance/spark/finance_export.py --date=YYYY-MM-DD [--namespace=payments] [--bucket=payments-finance]
      [--prefix=finance] [--run-id=…]

`npm run finance:export -- --date=YYYY-MM-DD` runs it locally (core/finance/spark-job.ts). It writes
  s3://<bucket>/<prefix>/date=YYYY-MM-DD/report-<run>.csv      one CSV object, header row first
  s3://<bucket>/<prefix>/date=YYYY-MM-DD/report-<run>.parquet/ Spark's Parquet output (part files)
and prints a JSON summary, then the CSV's s3:// key as its LAST line.

The report (docs/finance-data.md, "Finance report"): one row per (day, merchant_id, currency, psp,
status) over the payments that have an outcome event on the day (UTC); status is the payment's latest
event as of the end of the day; gross is what was captured that day, refunds what was refunded that
day, fees the settlement fees of the payment's current lines settled that day, net = gross - refunds -
fees. Amounts are summed as longs of minor units (the settlement's decimal(12,2) fees are converted
exactly), never floats, and rendered as decimal strings in major units.
"""

import argparse
import datetime as dt
import json
import os
import re
import sys
import time
import uuid

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import DecimalType

from finance_session import build_session, default_namespace, table_name

# Currencies without minor units: the same list as core/domain/currency.ts (a unit test compares
# them). Every other supported currency has two decimals.
ZERO_DECIMAL_CURRENCIES = (
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW",
    "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
)  # fmt: skip

GROUP_KEYS = ["merchant_id", "currency", "psp", "status"]
AMOUNTS = ["gross", "refunds", "fees", "net"]
# A payment's latest event is its highest `sequence`, then the latest `occurred_at`; two events alike in
# both (not expected) are ordered by this rank, so that the status never depends on the order of rows.
EVENT_RANK = {"authorized": 1, "captured": 2, "refunded": 3, "canceled": 4, "failed": 5, "compensated": 6}


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Daily finance report from the Iceberg tables")
    parser.add_argument("--date", required=True, help="the day (UTC), YYYY-MM-DD")
    parser.add_argument("--namespace", default=default_namespace())
    parser.add_argument("--bucket", default=os.environ.get("S3_BUCKET_FINANCE") or "payments-finance")
    parser.add_argument("--prefix", default="finance")
    parser.add_argument("--run-id", default=None)
    args = parser.parse_args(argv)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.date):
        parser.error("--date must be YYYY-MM-DD")
    args.day = dt.date.fromisoformat(args.date)
    if args.run_id is None:
        args.run_id = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", args.run_id):
        parser.error("--run-id: letters, digits, - and _ only")
    return args


def major_units(minor, currency):
    """Minor units (long) as a decimal string in major units: 1234 USD -> "12.34", 1234 JPY -> "1234"."""
    hundredths = (minor.cast(DecimalType(20, 0)) / F.lit(100).cast(DecimalType(3, 0))).cast(DecimalType(22, 2))
    return F.when(currency.isin(*ZERO_DECIMAL_CURRENCIES), minor.cast("string")).otherwise(hundredths.cast("string"))


def day_events(spark: SparkSession, namespace: str, day: dt.date) -> DataFrame:
    start = dt.datetime.combine(day, dt.time(), dt.timezone.utc)
    end = start + dt.timedelta(days=1)
    occurred = F.col("occurred_at")
    return (
        spark.table(table_name(namespace, "payment_events"))
        .where((occurred >= F.lit(start)) & (occurred < F.lit(end)))
        # At-least-once delivery: the same event may be there more than once.
        .dropDuplicates(["event_id"])
    )


def minor_units(amount, currency):
    """A decimal(12,2) amount in major units as a long of minor units, exactly (JPY 180.00 -> 180,
    USD 0.59 -> 59); a value with more precision than its currency fails the job rather than round."""
    scaled = amount * F.when(currency.isin(*ZERO_DECIMAL_CURRENCIES), F.lit(1)).otherwise(F.lit(100))
    exact = scaled == F.floor(scaled)
    return F.when(exact, scaled.cast("long")).otherwise(
        F.raise_error(F.concat(F.lit("amount with more decimals than its currency: "), amount.cast("string")))
    )


def day_fees(spark: SparkSession, namespace: str, day: dt.date) -> DataFrame:
    """Per payment, the fees of its current settlement lines settled that day. The table holds every
    change of a line (CDC): the current line is its change with the highest cdc_lsn, unless that change
    is a delete. A line keeps its settled_on across changes (it is keyed by PSP, batch and line)."""
    latest_first = Window.partitionBy("settlement_line_id").orderBy(F.col("cdc_lsn").desc())
    return (
        spark.table(table_name(namespace, "settlement_lines"))
        .where(F.col("settled_on") == F.lit(day))
        .withColumn("n", F.row_number().over(latest_first))
        .where((F.col("n") == 1) & (F.col("cdc_op") != "d") & F.col("payment_id").isNotNull())
        .groupBy("payment_id")
        .agg(F.sum(minor_units(F.col("fee_amount"), F.col("currency"))).alias("fees_minor"))
    )


def per_payment(events: DataFrame, fees: DataFrame) -> DataFrame:
    """One row per payment with an event on the day: its status at the end of the day and its money."""
    rank = F.lit(0)
    for kind, value in EVENT_RANK.items():
        rank = F.when(F.col("event_type") == kind, F.lit(value)).otherwise(rank)
    latest_first = Window.partitionBy("payment_id").orderBy(
        F.col("sequence").desc_nulls_last(),
        F.col("occurred_at").desc(),
        rank.desc(),
        F.col("event_id").desc(),
    )
    status = (
        events.withColumn("n", F.row_number().over(latest_first))
        .where(F.col("n") == 1)
        .select("payment_id", F.col("event_type").alias("status"))
    )
    of_type = lambda kind: F.when(F.col("event_type") == kind, F.col("amount_minor"))  # noqa: E731
    money = events.groupBy("payment_id").agg(
        F.max("merchant_id").alias("merchant_id"),
        F.max("currency").alias("currency"),
        F.max("psp").alias("psp"),
        # amount_captured is the payment's captured total, and a payment is captured once: a repeated
        # captured event counts once.
        F.coalesce(F.max(of_type("captured")), F.lit(0)).alias("gross_minor"),
        F.coalesce(F.sum(of_type("refunded")), F.lit(0)).alias("refunds_minor"),
    )
    return (
        money.join(status, "payment_id")
        .join(fees, "payment_id", "left")
        .withColumn("fees_minor", F.coalesce(F.col("fees_minor"), F.lit(0)))
    )


def build_report(spark: SparkSession, namespace: str, day: dt.date) -> DataFrame:
    payments = per_payment(day_events(spark, namespace, day), day_fees(spark, namespace, day))
    grouped = payments.groupBy(*GROUP_KEYS).agg(
        F.count("*").alias("payments"),
        F.sum("gross_minor").alias("gross_minor"),
        F.sum("refunds_minor").alias("refunds_minor"),
        F.sum("fees_minor").alias("fees_minor"),
    )
    report = grouped.withColumn(
        "net_minor", F.col("gross_minor") - F.col("refunds_minor") - F.col("fees_minor")
    ).withColumn("day", F.lit(day))
    for amount in AMOUNTS:
        report = report.withColumn(amount, major_units(F.col(f"{amount}_minor"), F.col("currency")))
    return report.select(
        "day", *GROUP_KEYS, "payments", *AMOUNTS, *[f"{amount}_minor" for amount in AMOUNTS]
    )


def _hadoop_fs(spark: SparkSession, uri: str):
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), path


def write_report(spark: SparkSession, report: DataFrame, bucket: str, prefix: str, day: dt.date, run_id: str):
    """Writes the CSV as one object (Spark writes a directory, whose single part is then renamed) and
    the Parquet directory. Returns the s3:// keys of both."""
    base = f"{prefix}/date={day.isoformat()}"
    csv_key = f"{base}/report-{run_id}.csv"
    parquet_key = f"{base}/report-{run_id}.parquet"
    staging = f"s3a://{bucket}/{base}/_staging-{run_id}"
    one_sorted = report.coalesce(1).sortWithinPartitions(*GROUP_KEYS)
    fs, staging_path = _hadoop_fs(spark, staging)
    try:
        one_sorted.select("day", *GROUP_KEYS, "payments", *AMOUNTS).write.option("header", "true").csv(staging)
        parts = [s.getPath() for s in fs.listStatus(staging_path) if s.getPath().getName().startswith("part-")]
        if len(parts) != 1:
            raise RuntimeError(f"expected one CSV part in {staging}, found {len(parts)}")
        _, target = _hadoop_fs(spark, f"s3a://{bucket}/{csv_key}")
        if not fs.rename(parts[0], target):
            raise RuntimeError(f"could not move {parts[0]} to {target}")
    finally:
        fs.delete(staging_path, True)
    one_sorted.write.parquet(f"s3a://{bucket}/{parquet_key}")
    return f"s3://{bucket}/{csv_key}", f"s3://{bucket}/{parquet_key}/"


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    spark = build_session("finance-export")
    try:
        try:
            report = build_report(spark, args.namespace, args.day).persist()
        except AnalysisException as err:
            if err.getErrorClass() != "TABLE_OR_VIEW_NOT_FOUND":
                raise
            print(
                f"finance export: no table finance.{args.namespace}.payment_events / settlement_lines in the "
                "catalog: the Iceberg feed has not created them (docs/finance-data.md)",
                file=sys.stderr,
            )
            return 2
        totals = report.agg(F.count("*").alias("rows"), F.sum("payments").alias("payments")).first()
        csv_uri, parquet_uri = write_report(spark, report, args.bucket, args.prefix, args.day, args.run_id)
    finally:
        spark.stop()
    summary = {
        "date": args.date,
        "namespace": args.namespace,
        "run_id": args.run_id,
        "rows": totals["rows"],
        "payments": totals["payments"] or 0,
        "parquet": parquet_uri,
        "seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(summary), flush=True)
    print(csv_uri, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
