import type pg from "pg";
import { PSP_NAMES } from "../core/domain/payment-status.ts";
import type { Logger } from "../core/infra/logger.ts";
import type { ReconOutput } from "../core/recon/output.ts";
import { runRecon } from "../core/recon/run-recon.ts";
import { runPeriodically } from "./periodic.ts";

/** Session advisory lock key: one scheduler at a time across every processor on the database. */
const LOCK_KEY = "recon:scheduler";

export function yesterdayUtc(now: Date): string {
  return new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
}

/** True once today's HH:MM (UTC) has passed. */
export function isDue(now: Date, scheduleUtc: string): boolean {
  const [h, m] = scheduleUtc.split(":").map(Number);
  return now.getUTCHours() * 60 + now.getUTCMinutes() >= (h ?? 0) * 60 + (m ?? 0);
}

/**
 * Once the schedule time has passed, reconciles yesterday for every PSP that has no successful run of
 * that date yet. Several processors may run this: the advisory lock lets one work, and the run table
 * tells the others (and the next ticks) that the day is done. Returns the PSPs it reconciled.
 */
export async function reconcileYesterdayIfDue(
  pool: pg.Pool,
  output: ReconOutput,
  o: { scheduleUtc: string; logger: Logger; now?: Date },
): Promise<string[]> {
  const now = o.now ?? new Date();
  if (!isDue(now, o.scheduleUtc)) return [];
  const date = yesterdayUtc(now);
  const client = await pool.connect();
  const done: string[] = [];
  try {
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock(hashtext($1)) AS locked",
      [LOCK_KEY],
    );
    if (!rows[0]?.locked) return [];
    try {
      for (const psp of PSP_NAMES) {
        const { rowCount } = await client.query(
          "SELECT 1 FROM recon_runs WHERE run_date = $1 AND psp = $2 AND status = 'succeeded'",
          [date, psp],
        );
        if (rowCount) continue;
        const result = await runRecon(pool, output, { date, psp });
        o.logger.info(
          { date, psp, exceptions: result.exceptions, output: result.outputUri },
          "reconciliation done",
        );
        done.push(psp);
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [LOCK_KEY]);
    }
  } finally {
    client.release();
  }
  return done;
}

export function startReconScheduler(
  pool: pg.Pool,
  output: ReconOutput,
  o: { scheduleUtc: string; logger: Logger; intervalMs?: number },
): { stop(): Promise<void> } {
  return runPeriodically(
    o.intervalMs ?? 60_000,
    () => reconcileYesterdayIfDue(pool, output, o),
    (err) => o.logger.error({ err }, "scheduled reconciliation failed"),
  );
}
