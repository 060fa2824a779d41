import type { Logger } from "../core/infra/logger.ts";
import type { Pool } from "../db/pool.ts";

const EVERY_MS = 6 * 3_600_000;
const MONTHS_AHEAD = 3;

/** Keeps monthly `payments` partitions three months ahead of today for a process that runs for months. */
export function startPartitionMaintenance(pool: Pool, logger: Logger): { stop(): void } {
  const timer = setInterval(() => {
    pool
      .query("SELECT ensure_payment_partitions($1) AS created", [MONTHS_AHEAD])
      .then(({ rows }) => {
        if (rows[0]?.created > 0) logger.info({ created: rows[0].created }, "payments partitions created");
      })
      .catch((err: Error) => logger.error({ err: err.message }, "partition maintenance failed"));
  }, EVERY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
