"""The Spark session of the finance jobs: the Iceberg catalog `finance` and S3, from the environment.

Configuration comes from environment variables, never from the command line (which every user of the
machine can read); `npm run finance:export` derives them from the service's own settings
(core/finance/spark-job.ts):

  ICEBERG_JDBC_URI       jdbc:postgresql://HOST:PORT/DB?currentSchema=iceberg_catalog. Unset: the
                         catalog `finance` is expected from spark-defaults.conf / --conf (a cluster).
  ICEBERG_JDBC_USER      the catalog database's user
  ICEBERG_JDBC_PASSWORD  its password (Spark redacts `*password*` settings in its UI and logs)
  ICEBERG_WAREHOUSE      s3://payments-warehouse/
  S3_ENDPOINT            an S3-compatible store (s3proxy, MinIO); unset: AWS S3 itself
  S3_FORCE_PATH_STYLE    true (default when S3_ENDPOINT is set) / false
  AWS_REGION             us-east-1 by default
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: read by the AWS SDKs' default credential chains (Iceberg's
                         S3FileIO and Hadoop's S3A), so they are never copied into Spark's settings.
"""

import os

from pyspark.sql import SparkSession

CATALOG = "finance"


def _catalog_settings(env):
    uri = env.get("ICEBERG_JDBC_URI")
    if not uri:
        return {}
    prefix = f"spark.sql.catalog.{CATALOG}"
    settings = {
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.type": "jdbc",
        f"{prefix}.uri": uri,
        f"{prefix}.jdbc.user": env.get("ICEBERG_JDBC_USER", ""),
        f"{prefix}.jdbc.password": env.get("ICEBERG_JDBC_PASSWORD", ""),
        f"{prefix}.warehouse": env["ICEBERG_WAREHOUSE"],
        f"{prefix}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        f"{prefix}.client.region": env.get("AWS_REGION") or "us-east-1",
        # Every query sees the tables' latest snapshot (a feed commits every few seconds).
        f"{prefix}.cache-enabled": "false",
    }
    endpoint = env.get("S3_ENDPOINT")
    if endpoint:
        settings[f"{prefix}.s3.endpoint"] = endpoint
        settings[f"{prefix}.s3.path-style-access"] = env.get("S3_FORCE_PATH_STYLE") or "true"
    return settings


def _s3a_settings(env):
    """Hadoop's S3A, through which Spark writes the report (s3a:// paths)."""
    endpoint = env.get("S3_ENDPOINT")
    if not endpoint:
        return {}
    return {
        "spark.hadoop.fs.s3a.endpoint": endpoint,
        "spark.hadoop.fs.s3a.endpoint.region": env.get("AWS_REGION") or "us-east-1",
        "spark.hadoop.fs.s3a.path.style.access": env.get("S3_FORCE_PATH_STYLE") or "true",
        "spark.hadoop.fs.s3a.connection.ssl.enabled": str(endpoint.startswith("https:")).lower(),
    }


def build_session(app_name, env=None):
    env = os.environ if env is None else env
    builder = (
        SparkSession.builder.appName(app_name)
        .config("spark.sql.session.timeZone", "UTC")
        # Money: an overflowing sum or a bad cast fails the job instead of turning into NULL.
        .config("spark.sql.ansi.enabled", "true")
    )
    for key, value in {**_catalog_settings(env), **_s3a_settings(env)}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def table_name(namespace, table):
    return f"{CATALOG}.{namespace}.{table}"


def default_namespace(env=None):
    env = os.environ if env is None else env
    return env.get("ICEBERG_NAMESPACE") or "payments"
