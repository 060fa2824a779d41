import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { currencyExponent, SUPPORTED_CURRENCIES } from "../../core/domain/currency.ts";
import {
  catalogFromDatabaseUrl,
  type SparkInstall,
  sparkInstallDir,
  sparkJobEnv,
  sparkSubmitArgs,
} from "../../core/finance/spark-job.ts";

const run = promisify(execFile);

describe("the finance export's Spark job settings (core/finance/spark-job.ts)", () => {
  it("derives the JDBC catalog from DATABASE_URL: schema iceberg_catalog, TLS settings kept", () => {
    expect(
      catalogFromDatabaseUrl(
        "postgres://fin%40ops:p%40ss%2Fw0rd@db.internal:6432/pay?sslmode=verify-full&application_name=x",
      ),
    ).toEqual({
      ICEBERG_JDBC_URI:
        "jdbc:postgresql://db.internal:6432/pay?currentSchema=iceberg_catalog&sslmode=verify-full",
      ICEBERG_JDBC_USER: "fin@ops",
      ICEBERG_JDBC_PASSWORD: "p@ss/w0rd",
    });
    expect(catalogFromDatabaseUrl("postgresql://u:p@localhost/payments").ICEBERG_JDBC_URI).toBe(
      "jdbc:postgresql://localhost:5432/payments?currentSchema=iceberg_catalog",
    );
    expect(() => catalogFromDatabaseUrl("mysql://u:p@h/db")).toThrow(/postgres/);
  });

  it("puts no secret on spark-submit's command line, only in the job's environment", () => {
    const install: SparkInstall = {
      home: "/cache/finance-spark",
      sparkSubmit: "/cache/finance-spark/venv/bin/spark-submit",
      python: "/cache/finance-spark/venv/bin/python",
      jars: ["/cache/finance-spark/jars/a.jar", "/cache/finance-spark/jars/b.jar"],
    };
    const env = {
      AWS_ACCESS_KEY_ID: "AKIA_TEST",
      AWS_SECRET_ACCESS_KEY: "secret-key-value",
      S3_ENDPOINT: "http://127.0.0.1:9000",
      PATH: "/usr/bin",
    };
    const url = "postgres://payments:db-password-value@127.0.0.1:55432/payments";
    const args = sparkSubmitArgs(install, "finance_export.py", ["--date=2026-12-01"], env);
    expect(args.join(" ")).not.toMatch(/db-password-value|secret-key-value/);
    expect(args).toEqual(expect.arrayContaining(["--master", "local[2]", "--driver-memory", "512m"]));
    expect(args[args.indexOf("--jars") + 1]).toBe(install.jars.join(","));
    expect(args.some((a) => a.includes("spark.jars.packages"))).toBe(false);
    expect(args.slice(-2)).toEqual([
      expect.stringMatching(/finance\/spark\/finance_export\.py$/),
      "--date=2026-12-01",
    ]);

    const jobEnv = sparkJobEnv(url, install, { ...env, DATABASE_URL: url });
    expect(jobEnv).toMatchObject({
      ICEBERG_JDBC_PASSWORD: "db-password-value",
      ICEBERG_WAREHOUSE: "s3://payments-warehouse/",
      ICEBERG_NAMESPACE: "payments",
      AWS_SECRET_ACCESS_KEY: "secret-key-value",
      PYSPARK_PYTHON: install.python,
    });
    expect(jobEnv.DATABASE_URL).toBeUndefined();
  });

  it("finds the cache directory exactly where scripts/install-deps.sh installs it", async () => {
    const env = { ...process.env, PAYMENT_STACK_CACHE: "/tmp/finance-cache-test" };
    const { stdout } = await run(
      "bash",
      ["-c", 'source scripts/install-deps.sh && echo "$(finance_spark_home) $(finance_spark_stamp)"'],
      { env },
    );
    const { home, stamp } = await sparkInstallDir(env);
    expect(stdout.trim()).toBe(`${home} ${stamp}`);
    expect(home).toMatch(/^\/tmp\/finance-cache-test\/finance-spark-3\.5\.\d+-iceberg-[\d.]+$/);
  });

  it("formats the same currencies without decimals as core/domain/currency.ts", async () => {
    const job = await readFile("finance/spark/finance_export.py", "utf8");
    const tuple = /ZERO_DECIMAL_CURRENCIES = \(([^)]*)\)/.exec(job)?.[1] ?? "";
    const inJob = [...tuple.matchAll(/"([A-Z]{3})"/g)].map((m) => m[1]).sort();
    const inLedger = SUPPORTED_CURRENCIES.filter((c) => currencyExponent(c) === 0).sort();
    expect(inJob).toEqual(inLedger);
  });
});
