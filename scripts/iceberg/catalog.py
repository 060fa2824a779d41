"""The finance Iceberg catalog: table definitions, creation, and reads (docs/adr/0012-iceberg-feed.md).

The JDBC catalog lives in the service's PostgreSQL database (DATABASE_URL), schema iceberg_catalog,
catalog name `finance`; the warehouse is s3://$S3_BUCKET_WAREHOUSE/ on $S3_ENDPOINT. pyiceberg's
SqlCatalog uses the same tables as Iceberg's Java JdbcCatalog, which the Kafka Connect sink uses.

    catalog.py ensure                       create the namespace and tables, add new optional columns
    catalog.py status                       one JSON line per table: snapshots, rows, last commit
    catalog.py scan TABLE [--where EXPR]    the table's rows as JSON lines (pyiceberg row filter), each
                                            with its data file's partition under `_partition`
    catalog.py files TABLE                  its data files with their partition values, as JSON lines

Run it through scripts/iceberg/catalog.sh, which picks the project's virtualenv.
"""

from __future__ import annotations

import argparse
import datetime
import decimal
import json
import os
import sys
from urllib.parse import quote, urlsplit

from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import NamespaceAlreadyExistsError, NoSuchTableError
from pyiceberg.io.pyarrow import ArrowScan
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.transforms import DayTransform
from pyiceberg.types import (
    DateType,
    DecimalType,
    IntegerType,
    LongType,
    NestedField,
    StringType,
    TimestamptzType,
)
from sqlalchemy import create_engine, text

CATALOG_NAME = "finance"
CATALOG_SCHEMA = "iceberg_catalog"


def field(field_id: int, name: str, kind, required: bool) -> NestedField:
    return NestedField(field_id=field_id, name=name, field_type=kind, required=required)


# One row per outcome event (payment.<type>.v1). The contract: /work/ICEBERG_CONTRACT.md and
# docs/finance-data.md "Tables". Columns are only ever added, optional, with new ids (see `ensure`).
PAYMENT_EVENTS = Schema(
    field(1, "event_id", StringType(), True),
    field(2, "event_type", StringType(), True),
    field(3, "occurred_at", TimestamptzType(), True),
    field(4, "payment_id", StringType(), True),
    field(5, "merchant_id", StringType(), False),
    field(6, "order_id", LongType(), False),
    field(7, "psp", StringType(), False),
    field(8, "psp_reference", StringType(), False),
    field(9, "currency", StringType(), False),
    field(10, "amount_minor", LongType(), False),
    field(11, "sequence", LongType(), False),
)

# One row per change of a psp_settlement line (Debezium CDC, without `raw`); amounts as the ledger
# stores them (NUMERIC(12,2), major units).
SETTLEMENT_LINES = Schema(
    field(1, "settlement_line_id", LongType(), True),
    field(2, "psp", StringType(), True),
    field(3, "batch_id", StringType(), True),
    field(4, "line_no", IntegerType(), True),
    field(5, "record_type", StringType(), True),
    field(6, "psp_reference", StringType(), True),
    field(7, "payment_id", StringType(), False),
    field(8, "refund_id", StringType(), False),
    field(9, "currency", StringType(), True),
    field(10, "gross_amount", DecimalType(12, 2), True),
    field(11, "fee_amount", DecimalType(12, 2), True),
    field(12, "net_amount", DecimalType(12, 2), True),
    field(13, "settled_on", DateType(), True),
    field(14, "cdc_op", StringType(), True),
    field(15, "cdc_lsn", LongType(), True),
)


def day_spec(schema: Schema, column: str) -> PartitionSpec:
    source = schema.find_field(column)
    return PartitionSpec(
        PartitionField(source_id=source.field_id, field_id=1000, transform=DayTransform(), name=f"{column}_day")
    )


TABLES = {
    "payment_events": (PAYMENT_EVENTS, day_spec(PAYMENT_EVENTS, "occurred_at")),
    "settlement_lines": (SETTLEMENT_LINES, day_spec(SETTLEMENT_LINES, "settled_on")),
}


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None or value == "":
        sys.exit(f"catalog.py: {name} is not set (eval \"$(bash scripts/stack/env.sh)\")")
    return value


def namespace() -> str:
    return env("ICEBERG_NAMESPACE", "payments")


def sqlalchemy_url() -> str:
    """DATABASE_URL (postgres://user:pw@host:port/db) as SQLAlchemy's psycopg2 URL on the catalog schema."""
    url = urlsplit(env("DATABASE_URL"))
    if url.scheme not in ("postgres", "postgresql"):
        sys.exit(f"catalog.py: DATABASE_URL must be a postgres:// URL, not {url.scheme}://")
    options = quote(f"-csearch_path={CATALOG_SCHEMA}")
    return f"postgresql+psycopg2://{url.netloc}{url.path}?options={options}"


def ensure_catalog_schema() -> None:
    engine = create_engine(sqlalchemy_url())
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {CATALOG_SCHEMA}"))
    engine.dispose()


def open_catalog() -> SqlCatalog:
    return SqlCatalog(
        CATALOG_NAME,
        **{
            "uri": sqlalchemy_url(),
            # The same catalog table layout (with views) as the Java JdbcCatalog the sink runs with.
            "schema_version": "v1",
            "warehouse": f"s3://{env('S3_BUCKET_WAREHOUSE', 'payments-warehouse')}/",
            "s3.endpoint": env("S3_ENDPOINT"),
            "s3.access-key-id": env("AWS_ACCESS_KEY_ID"),
            "s3.secret-access-key": env("AWS_SECRET_ACCESS_KEY"),
            "s3.region": env("AWS_REGION", "us-east-1"),
            "s3.force-virtual-addressing": "false",
        },
    )


def evolve(table: Table, wanted: Schema) -> list[str]:
    """Adds the definition's columns that the table lacks; refuses any other difference."""
    have = table.schema()
    added: list[str] = []
    for column in wanted.fields:
        try:
            existing = have.find_field(column.name)
        except ValueError:
            existing = None
        if existing is None:
            if column.required:
                sys.exit(f"catalog.py: {table.name()} lacks required column {column.name}; only optional columns can be added")
            added.append(column.name)
            continue
        if existing.field_type != column.field_type or existing.required != column.required:
            sys.exit(
                f"catalog.py: {'.'.join(table.name())}.{column.name} is {existing.field_type}"
                f"{' required' if existing.required else ''} in the catalog but {column.field_type}"
                f"{' required' if column.required else ''} in the definition: a breaking change needs a new table"
            )
    if added:
        with table.update_schema() as update:
            for name in added:
                column = wanted.find_field(name)
                update.add_column(name, column.field_type, required=False)
    return added


def ensure() -> None:
    ensure_catalog_schema()
    catalog = open_catalog()
    ns = namespace()
    try:
        catalog.create_namespace(ns)
        print(f"[iceberg] namespace {CATALOG_NAME}.{ns} created")
    except NamespaceAlreadyExistsError:
        pass
    for name, (schema, spec) in TABLES.items():
        identifier = f"{ns}.{name}"
        try:
            table = catalog.load_table(identifier)
        except NoSuchTableError:
            catalog.create_table(identifier, schema=schema, partition_spec=spec, properties={"format-version": "2"})
            print(f"[iceberg] table {CATALOG_NAME}.{identifier} created")
            continue
        added = evolve(table, schema)
        if added:
            print(f"[iceberg] table {CATALOG_NAME}.{identifier}: added optional columns {', '.join(added)}")


def plain(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def load(name: str) -> Table:
    if name not in TABLES:
        sys.exit(f"catalog.py: unknown table {name} (known: {', '.join(TABLES)})")
    return open_catalog().load_table(f"{namespace()}.{name}")


def partition_of(table: Table, data_file) -> dict[str, str]:
    """A data file's partition, as Iceberg prints it in paths: {"occurred_at_day": "2026-12-01"}."""
    schema = table.schema()
    return {
        f.name: f.transform.to_human_string(schema.find_type(f.source_id), data_file.partition[i])
        for i, f in enumerate(table.spec().fields)
    }


def scan(name: str, where: str | None) -> None:
    """The rows matching `where`, file by file, each with its file's partition under `_partition`."""
    table = load(name)
    table_scan = table.scan(row_filter=where) if where else table.scan()
    reader = ArrowScan(table.metadata, table.io, table_scan.projection(), table_scan.row_filter)
    for task in table_scan.plan_files():
        partition = partition_of(table, task.file)
        for row in reader.to_table([task]).to_pylist():
            print(json.dumps({**{k: plain(v) for k, v in row.items()}, "_partition": partition}))


def files(name: str) -> None:
    table = load(name)
    for task in table.scan().plan_files():
        data = task.file
        print(json.dumps({"path": data.file_path, "records": data.record_count, "partition": partition_of(table, data)}))


def status() -> None:
    catalog = open_catalog()
    for name in TABLES:
        identifier = f"{namespace()}.{name}"
        try:
            table = catalog.load_table(identifier)
        except NoSuchTableError:
            print(json.dumps({"table": f"{CATALOG_NAME}.{identifier}", "exists": False}))
            continue
        snapshot = table.current_snapshot()
        summary = snapshot.summary if snapshot else None
        print(
            json.dumps(
                {
                    "table": f"{CATALOG_NAME}.{identifier}",
                    "exists": True,
                    "snapshots": len(table.snapshots()),
                    "rows": int(summary["total-records"]) if summary and "total-records" in summary else 0,
                    "last_commit": datetime.datetime.fromtimestamp(snapshot.timestamp_ms / 1000, datetime.timezone.utc).isoformat()
                    if snapshot
                    else None,
                }
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("ensure")
    commands.add_parser("status")
    scan_cmd = commands.add_parser("scan")
    scan_cmd.add_argument("table")
    scan_cmd.add_argument("--where")
    files_cmd = commands.add_parser("files")
    files_cmd.add_argument("table")
    args = parser.parse_args()
    if args.command == "ensure":
        ensure()
    elif args.command == "status":
        status()
    elif args.command == "scan":
        scan(args.table, args.where)
    else:
        files(args.table)


if __name__ == "__main__":
    main()
