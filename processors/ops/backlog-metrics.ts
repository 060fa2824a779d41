import { Gauge, register } from "prom-client";
import { EXCEPTION_CLASSES } from "../../core/recon/model.ts";
import type { Pool } from "../../db/pool.ts";
import { oldestUnpublishedAgeSeconds } from "../../db/repositories/outbox-repo.ts";
import { latestRunExceptions } from "../../db/repositories/recon-repo.ts";
import { sharedRead } from "./shared-read.ts";

/**
 * Backlogs read from PostgreSQL at scrape time, so every process that exports them (each processor, a
 * standalone relay) reports the same truth, whoever holds the relay lease. NaN when the read failed:
 * unknown, never a reassuring 0.
 */
export function registerOutboxMetrics(pool: Pool): void {
  if (register.getSingleMetric("outbox_oldest_unpublished_seconds")) return;
  const age = sharedRead(() => oldestUnpublishedAgeSeconds(pool));
  new Gauge({
    name: "outbox_oldest_unpublished_seconds",
    help: "Age of the oldest outbox row the relay has not published yet (0 when none), read from PostgreSQL",
    async collect() {
      this.set(await age().catch(() => Number.NaN));
    },
  });
}

/** Exceptions of each PSP's latest successful reconciliation run, by class (ADR 0011). */
export function registerReconMetrics(pool: Pool): void {
  if (register.getSingleMetric("reconciliation_latest_run_exceptions")) return;
  const latest = sharedRead(() => latestRunExceptions(pool));
  new Gauge({
    name: "reconciliation_latest_run_exceptions",
    help: "Exceptions found by the latest successful reconciliation run of each PSP, by class",
    labelNames: ["psp", "class"] as const,
    async collect() {
      const runs = await latest().catch(() => null);
      if (runs === null) return;
      this.reset();
      for (const run of runs)
        for (const cls of EXCEPTION_CLASSES) this.set({ psp: run.psp, class: cls }, run.counts[cls] ?? 0);
    },
  });
}
