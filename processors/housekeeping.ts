import type { Logger } from "../core/infra/logger.ts";
import type { Pool } from "../db/pool.ts";
import { deleteLapsedClaims } from "../db/repositories/claims-repo.ts";
import { deleteProcessedPspEvents } from "../db/repositories/psp-events-repo.ts";
import { runPeriodically } from "./periodic.ts";

const EVERY_MS = 6 * 3_600_000;
const MONTHS_AHEAD = 3;
/**
 * The webhook inbox keeps a processed event's dedupe row for 35 days: Adyen retries an unacknowledged
 * notification for up to 30 days (Stripe for 3), and a late redelivery must still be seen as a duplicate.
 */
export const WEBHOOK_INBOX_RETENTION_MS = 35 * 24 * 3_600_000;

/** One round of upkeep: monthly `payments` partitions three months ahead, the inbox and lapsed claims trimmed. */
export async function runHousekeeping(pool: Pool, logger: Logger): Promise<void> {
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
}

/** Periodic upkeep for a process that runs for months. */
export function startHousekeeping(pool: Pool, logger: Logger): { stop(): Promise<void> } {
  return runPeriodically(
    EVERY_MS,
    () => runHousekeeping(pool, logger),
    (err) => logger.error({ err: (err as Error).message }, "housekeeping failed"),
  );
}
