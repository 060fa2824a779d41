import type pg from "pg";
import type { FinanceExportResult } from "../core/finance/spark-job.ts";
import type { Logger } from "../core/infra/logger.ts";
import type { ObjectStore } from "../core/infra/object-store.ts";
import { runPeriodically } from "./periodic.ts";
import { isDue, yesterdayUtc } from "./recon-scheduler.ts";

/** Session advisory lock key: one export at a time across every processor on the database. */
const LOCK_KEY = "finance-export:scheduler";

/** Whether a report of `date` is already in the finance bucket (finance/date=YYYY-MM-DD/report-….csv). */
export async function hasReport(store: ObjectStore, date: string): Promise<boolean> {
  const objects = await store.list(`finance/date=${date}/report-`);
  return objects.some((o) => o.key.endsWith(".csv"));
}

/**
 * Beside the reconciliation schedule (processors/recon-scheduler.ts), the same way: once
 * FINANCE_EXPORT_SCHEDULE_UTC has passed, exports yesterday (UTC) unless its report is already in the
 * bucket. The advisory lock lets one processor run the Spark job; the bucket tells the others (and the
 * next ticks) that the day is done. Returns the date exported, or null.
 */
export async function exportYesterdayIfDue(
  pool: pg.Pool,
  store: ObjectStore,
  runExport: (date: string) => Promise<FinanceExportResult>,
  o: { scheduleUtc: string; logger: Logger; now?: Date },
): Promise<string | null> {
  const now = o.now ?? new Date();
  if (!isDue(now, o.scheduleUtc)) return null;
  const date = yesterdayUtc(now);
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock(hashtext($1)) AS locked",
      [LOCK_KEY],
    );
    if (!rows[0]?.locked) return null;
    try {
      if (await hasReport(store, date)) return null;
      const result = await runExport(date);
      o.logger.info(
        { date, output: result.csvUri, rows: result.summary.rows, wallMs: result.wallMs },
        "finance export done",
      );
      return date;
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

export function startFinanceExportScheduler(
  pool: pg.Pool,
  store: ObjectStore,
  runExport: (date: string) => Promise<FinanceExportResult>,
  o: { scheduleUtc: string; logger: Logger; intervalMs?: number },
): { stop(): Promise<void> } {
  return runPeriodically(
    o.intervalMs ?? 60_000,
    () => exportYesterdayIfDue(pool, store, runExport, o),
    (err) => o.logger.error({ err }, "scheduled finance export failed"),
  );
}
