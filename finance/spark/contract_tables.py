"""The two Iceberg tables of ICEBERG_CONTRACT.md, for the jobs that write them themselves: the dev-only
feed fixture (dev_feed_fixture.py) and the benchmark's generator (bench_generate.py). In production the
Kafka Connect feed creates and fills them; the finance export only reads them."""

from finance_session import table_name

PAYMENT_EVENTS_COLUMNS = """
  event_id      string NOT NULL,
  event_type    string NOT NULL,
  occurred_at   timestamp NOT NULL,
  payment_id    string NOT NULL,
  merchant_id   string,
  order_id      bigint,
  psp           string,
  psp_reference string,
  currency      string,
  amount_minor  bigint,
  sequence      bigint"""

SETTLEMENT_LINES_COLUMNS = """
  settlement_line_id bigint NOT NULL,
  psp                string NOT NULL,
  batch_id           string NOT NULL,
  line_no            int NOT NULL,
  record_type        string NOT NULL,
  psp_reference      string NOT NULL,
  payment_id         string,
  refund_id          string,
  currency           string NOT NULL,
  gross_amount       decimal(12,2) NOT NULL,
  fee_amount         decimal(12,2) NOT NULL,
  net_amount         decimal(12,2) NOT NULL,
  settled_on         date NOT NULL,
  cdc_op             string NOT NULL,
  cdc_lsn            bigint NOT NULL"""


def create_contract_tables(spark, namespace):
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS finance.{namespace}")
    for table, columns, partition in (
        ("payment_events", PAYMENT_EVENTS_COLUMNS, "days(occurred_at)"),
        ("settlement_lines", SETTLEMENT_LINES_COLUMNS, "days(settled_on)"),
    ):
        spark.sql(
            f"CREATE TABLE IF NOT EXISTS {table_name(namespace, table)} ({columns}) USING iceberg "
            f"PARTITIONED BY ({partition}) TBLPROPERTIES ('format-version'='2')"
        )


def drop_contract_tables(spark, namespace):
    for table in ("payment_events", "settlement_lines"):
        spark.sql(f"DROP TABLE IF EXISTS {table_name(namespace, table)} PURGE")
