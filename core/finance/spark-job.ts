import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { s3SettingsFromEnv } from "../infra/object-store.ts";

/** The checkout's root: the jobs live in finance/spark/, their versions in the files below. */
const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SPARK_DIR = path.join(REPO_ROOT, "finance/spark");
const REQUIREMENTS = path.join(SPARK_DIR, "requirements.txt");
const POM = path.join(REPO_ROOT, "deploy/maven/finance/pom.xml");

/** The scripts of finance/spark/ that run through spark-submit. */
export type SparkScript = "finance_export.py" | "dev_feed_fixture.py" | "feed_probe.py" | "bench_generate.py";

export interface SparkInstall {
  home: string;
  sparkSubmit: string;
  python: string;
  jars: string[];
}

/**
 * Where scripts/install-deps.sh puts pyspark and the job's jars (`finance_spark_home` there): one
 * directory of the cache per pyspark and Iceberg version, whose `.complete` holds `stamp`, the SHA-256
 * of the two files it was made from.
 */
export async function sparkInstallDir(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ home: string; stamp: string }> {
  const [requirements, pom] = await Promise.all([readFile(REQUIREMENTS, "utf8"), readFile(POM, "utf8")]);
  const pyspark = /^pyspark==(\S+)/m.exec(requirements)?.[1];
  const iceberg = /<iceberg\.version>([^<]+)<\/iceberg\.version>/.exec(pom)?.[1];
  if (!pyspark || !iceberg) throw new Error(`no pyspark or iceberg version in ${REQUIREMENTS} / ${POM}`);
  const cache = env.PAYMENT_STACK_CACHE || path.join(homedir(), ".cache/payment-stack");
  return {
    home: path.join(cache, `finance-spark-${pyspark}-iceberg-${iceberg}`),
    stamp: createHash("sha256").update(requirements).update(pom).digest("hex"),
  };
}

/** The installed directory; a missing or stale one is an error that says how to install it. */
export async function locateSparkInstall(env: NodeJS.ProcessEnv = process.env): Promise<SparkInstall> {
  const { home, stamp } = await sparkInstallDir(env);
  const installed = await readFile(path.join(home, ".complete"), "utf8").catch(() => "");
  if (installed.trim() !== stamp)
    throw new Error(
      `the finance export's Spark is not installed (or is out of date) in ${home}: run bash scripts/install-deps.sh (without STACK_SPARK=0)`,
    );
  const jarDir = path.join(home, "jars");
  const jars = (await readdir(jarDir))
    .filter((f) => f.endsWith(".jar"))
    .sort()
    .map((f) => path.join(jarDir, f));
  return {
    home,
    sparkSubmit: path.join(home, "venv/bin/spark-submit"),
    python: path.join(home, "venv/bin/python"),
    jars,
  };
}

/**
 * The Iceberg JDBC catalog's connection, from a postgres:// URL (the service's DATABASE_URL): the
 * catalog's tables live in the schema `iceberg_catalog` of the same database (ICEBERG_CONTRACT.md).
 * The password travels only in the job's environment, never on a command line.
 */
export function catalogFromDatabaseUrl(databaseUrl: string): Record<string, string> {
  const url = new URL(databaseUrl);
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:")
    throw new Error("DATABASE_URL must be a postgres:// URL");
  const params = new URLSearchParams({ currentSchema: "iceberg_catalog" });
  for (const name of ["sslmode", "sslrootcert"]) {
    const value = url.searchParams.get(name);
    if (value) params.set(name, value);
  }
  const database = decodeURIComponent(url.pathname.slice(1)) || "postgres";
  return {
    ICEBERG_JDBC_URI: `jdbc:postgresql://${url.hostname}:${url.port || "5432"}/${encodeURIComponent(database)}?${params}`,
    ICEBERG_JDBC_USER: decodeURIComponent(url.username),
    ICEBERG_JDBC_PASSWORD: decodeURIComponent(url.password),
  };
}

/** The environment of a finance Spark job, from the service's (finance/spark/finance_session.py reads it). */
export function sparkJobEnv(
  databaseUrl: string,
  install: SparkInstall,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const s3 = s3SettingsFromEnv(env);
  const { DATABASE_URL: _url, ...inherited } = env;
  const job: NodeJS.ProcessEnv = {
    ...inherited,
    ...catalogFromDatabaseUrl(databaseUrl),
    ICEBERG_WAREHOUSE: `s3://${env.S3_BUCKET_WAREHOUSE || "payments-warehouse"}/`,
    ICEBERG_NAMESPACE: env.ICEBERG_NAMESPACE || "payments",
    S3_BUCKET_FINANCE: env.S3_BUCKET_FINANCE || "payments-finance",
    S3_FORCE_PATH_STYLE: String(s3.forcePathStyle),
    AWS_REGION: s3.region,
    PYSPARK_PYTHON: install.python,
    PYSPARK_DRIVER_PYTHON: install.python,
    SPARK_LOCAL_IP: env.SPARK_LOCAL_IP || "127.0.0.1",
  };
  if (s3.endpoint) job.S3_ENDPOINT = s3.endpoint;
  if (s3.accessKeyId) job.AWS_ACCESS_KEY_ID = s3.accessKeyId;
  if (s3.secretAccessKey) job.AWS_SECRET_ACCESS_KEY = s3.secretAccessKey;
  return job;
}

/**
 * spark-submit in local mode with a small heap (FINANCE_SPARK_MASTER, default local[2];
 * FINANCE_SPARK_DRIVER_MEMORY, default 512m): it fits beside the stack on two cores. The jars are
 * local files: nothing is downloaded when a job runs.
 */
export function sparkSubmitArgs(
  install: SparkInstall,
  script: SparkScript,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  return [
    "--master",
    env.FINANCE_SPARK_MASTER || "local[2]",
    "--driver-memory",
    env.FINANCE_SPARK_DRIVER_MEMORY || "512m",
    "--jars",
    install.jars.join(","),
    "--py-files",
    ["finance_session.py", "contract_tables.py"].map((f) => path.join(SPARK_DIR, f)).join(","),
    "--conf",
    "spark.sql.shuffle.partitions=4",
    "--conf",
    "spark.ui.enabled=false",
    "--conf",
    `spark.driver.extraJavaOptions=-Dlog4j2.configurationFile=file:${path.join(SPARK_DIR, "log4j2.properties")}`,
    path.join(SPARK_DIR, script),
    ...args,
  ];
}

export interface SparkRun {
  /** Every line the script printed (Python's stderr included: PythonRunner merges it into stdout). */
  lines: string[];
  wallMs: number;
}

/**
 * Runs a finance/spark script with spark-submit. Its stdout lines are collected (and echoed when
 * `echo`), stderr passes through (or is kept for the error when quiet). A non-zero exit throws.
 */
export async function runSparkScript(
  script: SparkScript,
  args: readonly string[],
  o: {
    databaseUrl: string;
    env?: NodeJS.ProcessEnv;
    echo?: boolean;
    quiet?: boolean;
    /** Called with the pid of spark-submit (the driver's JVM, which spark-class execs). */
    onSpawn?: (pid: number) => void;
  },
): Promise<SparkRun> {
  const env = o.env ?? process.env;
  const install = await locateSparkInstall(env);
  const started = Date.now();
  const child = spawn(install.sparkSubmit, sparkSubmitArgs(install, script, args, env), {
    cwd: REPO_ROOT,
    env: sparkJobEnv(o.databaseUrl, install, env),
    stdio: ["ignore", "pipe", o.quiet ? "pipe" : "inherit"],
  });
  if (child.pid !== undefined) o.onSpawn?.(child.pid);
  const lines: string[] = [];
  const stderrTail: string[] = [];
  let partial = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      if (o.echo) process.stdout.write(`${line}\n`);
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderrTail.push(...chunk.split("\n"));
    stderrTail.splice(0, Math.max(0, stderrTail.length - 40));
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (partial) {
    lines.push(partial);
    if (o.echo) process.stdout.write(`${partial}\n`);
  }
  if (code !== 0) {
    // spark-submit's PythonRunner merges the Python process's stderr into stdout: its messages and
    // tracebacks are the last stdout lines.
    const tail = [...stderrTail, ...lines.slice(-20)].filter((l) => l.trim() !== "");
    throw new Error(
      `spark-submit ${script} exited with ${code}${tail.length ? `:\n${tail.join("\n")}` : ""}`,
    );
  }
  return { lines, wallMs: Date.now() - started };
}

export interface FinanceExportResult {
  /** s3://bucket/finance/date=YYYY-MM-DD/report-<run>.csv */
  csvUri: string;
  summary: { date: string; run_id: string; rows: number; payments: number; parquet: string; seconds: number };
  wallMs: number;
}

/** The daily finance report of `date` (finance/spark/finance_export.py). */
export async function runFinanceExport(
  date: string,
  o: Parameters<typeof runSparkScript>[2] & { extraArgs?: string[] },
): Promise<FinanceExportResult> {
  const run = await runSparkScript("finance_export.py", [`--date=${date}`, ...(o.extraArgs ?? [])], o);
  const printed = run.lines.filter((l) => l.trim() !== "");
  const csvUri = printed.at(-1) ?? "";
  if (!csvUri.startsWith("s3://")) throw new Error(`the finance export printed no s3:// key last: ${csvUri}`);
  return { csvUri, summary: JSON.parse(printed.at(-2) ?? "{}"), wallMs: run.wallMs };
}
