// npm run finance:export -- --date=YYYY-MM-DD [--namespace=payments]
// The daily finance report (docs/finance-data.md, "Finance report"): runs finance/spark/finance_export.py
// with spark-submit in local mode against the Iceberg catalog in DATABASE_URL's database, writes CSV and
// Parquet to S3_BUCKET_FINANCE, prints the job's JSON summary and, last, the CSV's s3:// key.
import { argString } from "../../bench/stats.ts";
import { runFinanceExport } from "../../core/finance/spark-job.ts";
import { loadConfig } from "../../core/infra/config.ts";

function usage(message: string): never {
  console.error(`${message}\nusage: npm run finance:export -- --date=YYYY-MM-DD [--namespace=payments]`);
  process.exit(2);
}

const date = argString("date", "");
const namespace = argString("namespace", "");
if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) usage("--date must be YYYY-MM-DD");
if (namespace !== "" && !/^[a-z][a-z0-9_]{0,62}$/.test(namespace)) usage("--namespace: a-z, 0-9 and _");

const config = loadConfig();
try {
  await runFinanceExport(date, {
    databaseUrl: config.DATABASE_URL,
    echo: true,
    extraArgs: namespace ? [`--namespace=${namespace}`] : [],
  });
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
