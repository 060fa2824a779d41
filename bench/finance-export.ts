// npm run bench:finance [-- --payments=100000 --merchants=20 --date=2030-01-15]
// Generates one day of payments (events and settlement lines, finance/spark/bench_generate.py) straight
// into the Iceberg namespace FINANCE_BENCH_NAMESPACE (default finance_bench; its tables are recreated)
// of the catalog in DATABASE_URL's database, then times the finance export of that day
// (finance/spark/finance_export.py, the same spark-submit as `npm run finance:export`) and checks the
// report's totals against the generated ones. Prints the wall times and the driver JVM's peak RSS
// (docs/benchmarks.md).
import { readFile } from "node:fs/promises";
import { text } from "node:stream/consumers";
import pg from "pg";
import type { Currency } from "../core/domain/currency.ts";
import { minorFromNumeric } from "../core/domain/money.ts";
import { runFinanceExport, runSparkScript } from "../core/finance/spark-job.ts";
import { loadConfig } from "../core/infra/config.ts";
import { objectStoreFromEnv } from "../core/infra/object-store.ts";
import { arg, argString } from "./stats.ts";

const payments = arg("payments", 100_000);
const merchants = arg("merchants", 20);
const date = argString("date", "2030-01-15");
const namespace = process.env.FINANCE_BENCH_NAMESPACE || "finance_bench";
const bucket = process.env.S3_BUCKET_FINANCE || "payments-finance";
const { DATABASE_URL: databaseUrl } = loadConfig();

/** Samples the JVM's VmHWM (peak resident set) from /proc while it runs. */
function peakRssOf(pid: number): { stop(): number } {
  let peakKb = 0;
  const sample = () =>
    readFile(`/proc/${pid}/status`, "utf8").then(
      (status) => {
        peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      },
      () => undefined,
    );
  const timer = setInterval(sample, 250);
  return {
    stop() {
      clearInterval(timer);
      return Math.round(peakKb / 1024);
    },
  };
}

// The JDBC catalog keeps its tables in the schema iceberg_catalog (ICEBERG_CONTRACT.md).
const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
await pool.query("CREATE SCHEMA IF NOT EXISTS iceberg_catalog");
await pool.end();

const generated = await runSparkScript(
  "bench_generate.py",
  [`--namespace=${namespace}`, `--date=${date}`, `--payments=${payments}`, `--merchants=${merchants}`],
  { databaseUrl, quiet: true },
);
const gen = JSON.parse(generated.lines.at(-1) ?? "{}");
console.log(
  `generated ${gen.payments} payments: ${gen.payment_events} events, ${gen.settlement_lines} settlement lines in finance.${namespace} (${(generated.wallMs / 1000).toFixed(1)} s)`,
);

let rss: { stop(): number } | undefined;
const result = await runFinanceExport(date, {
  databaseUrl,
  quiet: true,
  extraArgs: [`--namespace=${namespace}`],
  onSpawn: (pid) => {
    rss = peakRssOf(pid);
  },
});
const peakRssMb = rss?.stop() ?? 0;

// The report, read back from S3, adds up to what was generated.
const csv = await text(
  await objectStoreFromEnv(bucket).getStream(result.csvUri.slice(`s3://${bucket}/`.length)),
);
const [head = "", ...rows] = csv.trimEnd().split("\n");
const names = head.split(",");
const totals: Record<string, Record<string, bigint>> = {};
for (const line of rows) {
  const r = Object.fromEntries(line.split(",").map((v, i) => [names[i], v]));
  const currency = r.currency as Currency;
  totals[currency] ??= { payments: 0n, gross: 0n, refunds: 0n, fees: 0n };
  const t = totals[currency];
  t.payments = (t.payments ?? 0n) + BigInt(r.payments ?? "0");
  for (const k of ["gross", "refunds", "fees"]) t[k] = (t[k] ?? 0n) + minorFromNumeric(r[k] ?? "", currency);
}
for (const [currency, want] of Object.entries(gen.totals as Record<string, Record<string, number>>))
  for (const [k, v] of Object.entries(want))
    if (totals[currency]?.[k] !== BigInt(v))
      throw new Error(`report ${currency} ${k} = ${totals[currency]?.[k]}, generated ${v}`);

console.log(
  JSON.stringify({
    payments,
    events: gen.payment_events,
    settlementLines: gen.settlement_lines,
    reportRows: result.summary.rows,
    exportWallSeconds: Number((result.wallMs / 1000).toFixed(1)),
    jobSeconds: result.summary.seconds,
    driverPeakRssMb: peakRssMb,
    driverMemory: process.env.FINANCE_SPARK_DRIVER_MEMORY || "512m",
    master: process.env.FINANCE_SPARK_MASTER || "local[2]",
    totalsMatch: true,
    output: result.csvUri,
  }),
);
