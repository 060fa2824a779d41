import type { Logger } from "../core/infra/logger.ts";
import type { Pool } from "../db/pool.ts";
import { deleteLapsedClaims } from "../db/repositories/claims-repo.ts";
import { deleteProcessedPspEvents } from "../db/repositories/psp-events-repo.ts";
import { runPeriodically } from "./periodic.ts";

const EVERY_MS = 6 * 3_600_000;
const MONTHS_AHEAD = 3;
const WEBHOOK_INBOX_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * Periodic upkeep for a process that runs for months: monthly `payments` partitions three months ahead
 * of today, and the webhook inbox trimmed to a week (longer than any PSP redelivers).
 */
export function startHousekeeping(pool: Pool, logger: Logger): { stop(): Promise<void> } {
  const run = async () => {
    const { rows } = await pool.query("SELECT ensure_payment_partitions($1) AS created", [MONTHS_AHEAD]);
    const trimmed = await deleteProcessedPspEvents(pool, WEBHOOK_INBOX_RETENTION_MS);
    const claims = await deleteLapsedClaims(pool, 3_600_000);
    logger.info(
      {
        partitions_created: rows[0]?.created,
        webhook_events_trimmed: trimmed,
        lapsed_claims_deleted: claims,
      },
      "housekeeping done",
    );
  };
  return runPeriodically(EVERY_MS, run, (err) =>
    logger.error({ err: (err as Error).message }, "housekeeping failed"),
  );
}
