import type { PspName } from "../../core/domain/payment-status.ts";
import { reviewsOpened } from "../../core/infra/metrics.ts";
import type { CancelOutcome, RefundOutcome } from "../../core/ports/payment-connector.ts";
import { transaction } from "../../db/pool.ts";
import {
  type Compensation,
  lockCompensation,
  postponeCompensation,
  settleCompensation,
} from "../../db/repositories/compensations-repo.ts";
import { insertOutboxEvents } from "../../db/repositories/outbox-repo.ts";
import { lockPayment } from "../../db/repositories/payments-repo.ts";
import { openReview } from "../../db/repositories/reviews-repo.ts";
import type { ProcessorContext } from "../context.ts";
import { callPsp } from "../handlers/psp-call.ts";
import { nextCheckMs } from "./lifecycle.ts";

const DONE = new Set(["canceled", "cancel_pending", "refund_succeeded", "refund_pending"]);
const REFUSED = new Set(["declined", "rejected", "refund_failed"]);

/**
 * Carries out one compensation under its own idempotency key (derived from the compensation id), so a
 * retry never voids or refunds twice. Done: recorded with payment.compensated.v1. Refused by the PSP,
 * or still unanswered after the review threshold: a person is asked.
 */
export async function compensate(ctx: ProcessorContext, c: Compensation): Promise<boolean> {
  const connector = ctx.connectors[c.psp as PspName];
  const base = { paymentId: c.paymentId, attemptId: c.compensationId, pspReference: c.pspReference };
  const outcome = await callPsp<CancelOutcome | RefundOutcome>(
    c.psp as PspName,
    c.action === "void" ? "cancel" : "refund",
    () =>
      c.action === "void"
        ? connector.cancel(base)
        : connector.refund({
            ...base,
            refundId: c.compensationId,
            amount: { minor: c.amountMinor, currency: c.currency },
            reason: "compensation",
          }),
  );
  const answer = `${outcome.kind}${"message" in outcome ? `: ${outcome.message}` : ""}`;
  return transaction(ctx.pool, async (client) => {
    const payment = await lockPayment(client, c.paymentId);
    const current = await lockCompensation(client, c.compensationId);
    if (current?.status !== "pending" || !payment) return false;
    if (DONE.has(outcome.kind)) {
      await settleCompensation(client, c.compensationId, "succeeded", answer);
      await insertOutboxEvents(client, [ctx.events.compensated(payment, c, null)]);
      return true;
    }
    const refused = REFUSED.has(outcome.kind);
    if (refused) await settleCompensation(client, c.compensationId, "failed", answer);
    const checks = refused
      ? c.checks + 1
      : await postponeCompensation(
          client,
          c.compensationId,
          nextCheckMs(ctx.lifecycle, ctx.lifecycle.unknownCheckMs, c.checks),
          answer,
        );
    if (refused || checks === ctx.lifecycle.reviewAfterChecks) {
      const reason = refused ? "compensation_refused" : "compensation_unresolved";
      await openReview(client, { paymentId: c.paymentId, attemptId: null, reason, detail: answer });
      reviewsOpened.inc({ reason });
    }
    return refused;
  });
}
