import type { Config } from "../core/infra/config.ts";
import type { Logger } from "../core/infra/logger.ts";
import type { Pool } from "../db/pool.ts";
import { deleteLapsedClaims } from "../db/repositories/claims-repo.ts";
import { deleteProcessedPspEvents } from "../db/repositories/psp-events-repo.ts";
import { runPeriodically } from "./periodic.ts";

/** What upkeep keeps (docs/configuration.md, "Housekeeping"). */
export interface HousekeepingSettings {
  intervalMs: number;
  /** Monthly `payments` partitions created ahead of time. */
  partitionsAheadMonths: number;
  /**
   * How long a processed webhook event's dedupe row is kept: Adyen retries an unacknowledged
   * notification for up to 30 days (Stripe for 3), and a late redelivery must still be seen as a duplicate.
   */
  webhookInboxRetentionMs: number;
  claimRetentionMs: number;
}

export function housekeepingSettingsFrom(config: Config): HousekeepingSettings {
  return {
    intervalMs: config.HOUSEKEEPING_INTERVAL_MS,
    partitionsAheadMonths: config.PAYMENT_PARTITIONS_AHEAD_MONTHS,
    webhookInboxRetentionMs: config.WEBHOOK_INBOX_RETENTION_MS,
    claimRetentionMs: config.COMMAND_CLAIM_RETENTION_MS,
  };
}

/** One round of upkeep: monthly `payments` partitions ahead, the inbox and lapsed claims trimmed. */
export async function runHousekeeping(pool: Pool, logger: Logger, s: HousekeepingSettings): Promise<void> {
  const { rows } = await pool.query("SELECT ensure_payment_partitions($1) AS created", [
    s.partitionsAheadMonths,
  ]);
  const trimmed = await deleteProcessedPspEvents(pool, s.webhookInboxRetentionMs);
  const claims = await deleteLapsedClaims(pool, s.claimRetentionMs);
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
export function startHousekeeping(
  pool: Pool,
  logger: Logger,
  s: HousekeepingSettings,
): { stop(): Promise<void> } {
  return runPeriodically(
    s.intervalMs,
    () => runHousekeeping(pool, logger, s),
    (err) => logger.error({ err: (err as Error).message }, "housekeeping failed"),
  );
}
