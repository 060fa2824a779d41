import type { Logger } from "../core/infra/logger.ts";
import { transaction } from "../db/pool.ts";
import { findStaleOpenAttempts, postponeSync } from "../db/repositories/attempts-repo.ts";
import { replaceProvisionalReply } from "../db/repositories/commands-repo.ts";
import { findPayment, flagForReview } from "../db/repositories/payments-repo.ts";
import type { ProcessorContext } from "./context.ts";
import { applyAuthorizeOutcome } from "./handlers/apply-authorize-outcome.ts";
import { runPeriodically } from "./periodic.ts";

const MAX_BACKOFF_MS = 15 * 60_000;
// After this many inconclusive syncs (about an hour with the backoff) a person looks at it.
const REVIEW_AFTER_SYNCS = 8;

export interface JanitorOptions {
  ctx: ProcessorContext;
  logger: Logger;
  intervalMs: number;
  minAgeMs: number;
}

/**
 * Kill Bill's Janitor: authorizations whose outcome is unknown (timeout, 5xx after retries, a crash
 * mid-call) are re-read from the PSP and settled. Applying is idempotent, so racing a live handler or
 * another janitor is harmless: the attempt row lock lets only the first one write.
 */
export function startJanitor(o: JanitorOptions): { stop(): Promise<void>; runOnce(): Promise<number> } {
  const runOnce = async () => {
    const attempts = (await findStaleOpenAttempts(o.ctx.pool, o.minAgeMs, 50)).filter(
      (a) => a.operation === "authorize",
    );
    let settled = 0;
    for (const attempt of attempts) {
      const payment = await findPayment(o.ctx.pool, attempt.paymentId);
      if (!payment) continue;
      const outcome = await o.ctx.connectors[payment.psp].sync({
        paymentId: payment.paymentId,
        attemptId: attempt.attemptId,
        amount: { minor: payment.amount, currency: payment.currency },
        ...(attempt.pspReference ? { pspReference: attempt.pspReference } : {}),
        ...(payment.paymentMethodToken ? { paymentMethodToken: payment.paymentMethodToken } : {}),
        captureMethod: payment.captureMethod,
      });
      if (outcome.kind === "indeterminate" || outcome.kind === "unavailable") {
        const syncs = await postponeSync(o.ctx.pool, attempt.attemptId, o.intervalMs, MAX_BACKOFF_MS);
        if (syncs === REVIEW_AFTER_SYNCS) await flagForReview(o.ctx.pool, payment.paymentId);
        continue;
      }
      await transaction(o.ctx.pool, async (client) => {
        const reply = await applyAuthorizeOutcome(o.ctx, client, {
          paymentId: payment.paymentId,
          attemptId: attempt.attemptId,
          outcome,
          traceparent: null,
        });
        await replaceProvisionalReply(client, attempt.commandId, reply);
      });
      settled += 1;
      o.logger.info(
        { payment_id: payment.paymentId, psp: payment.psp, outcome: outcome.kind },
        "janitor settled attempt",
      );
    }
    return settled;
  };
  const periodic = runPeriodically(o.intervalMs, runOnce, (err) =>
    o.logger.error({ err }, "janitor run failed"),
  );
  return { stop: () => periodic.stop(), runOnce };
}
