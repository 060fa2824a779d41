import { Gauge, register } from "prom-client";
import type { Pool } from "../../db/pool.ts";
import { openAttemptStats } from "../../db/repositories/attempts-repo.ts";
import { sharedRead } from "../ops/shared-read.ts";

const OPERATIONS = ["authorize", "capture", "cancel", "refund"] as const;

/**
 * Unresolved attempts by operation, and the age of the oldest, read from PostgreSQL at scrape time (so
 * every processor reports the same truth, whichever one holds the attempts).
 */
export function registerAttemptMetrics(pool: Pool): void {
  if (register.getSingleMetric("payment_attempts_unresolved")) return;
  const stats = sharedRead(() => openAttemptStats(pool));
  new Gauge({
    name: "payment_attempts_unresolved",
    help: "PSP attempts not yet answered (pending, unknown, parked, accepted), by operation",
    labelNames: ["operation"] as const,
    async collect() {
      const rows = await stats().catch(() => []);
      for (const op of OPERATIONS)
        this.set({ operation: op }, rows.find((r) => r.operation === op)?.count ?? 0);
    },
  });
  new Gauge({
    name: "payment_attempt_oldest_unresolved_seconds",
    help: "Age of the oldest unanswered PSP attempt, by operation (0 when none)",
    labelNames: ["operation"] as const,
    async collect() {
      const rows = await stats().catch(() => []);
      for (const op of OPERATIONS)
        this.set({ operation: op }, rows.find((r) => r.operation === op)?.oldestSeconds ?? 0);
    },
  });
}
