import { dbBatchSize } from "../core/infra/metrics.ts";
import { BatchedLookup, type BatchLimits } from "../db/natural-batches.ts";
import type { Pool } from "../db/pool.ts";
import { findPaymentIdsOfAttempts } from "../db/repositories/attempts-repo.ts";

/**
 * The payment behind an attempt id, the reference most webhooks carry: webhooks resolved at the same
 * time share one statement.
 */
export class AttemptOwners {
  private readonly lookups: BatchedLookup<string, string | null>;

  constructor(pool: Pool, limits: BatchLimits) {
    this.lookups = new BatchedLookup(
      limits,
      (attemptIds) => findPaymentIdsOfAttempts(pool, attemptIds),
      (size) => dbBatchSize.observe({ kind: "webhook_target" }, size),
    );
  }

  paymentOf(attemptId: string): Promise<string | null> {
    return this.lookups.load(attemptId);
  }
}
