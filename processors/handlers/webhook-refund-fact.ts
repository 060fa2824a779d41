import { commandResult } from "../../core/domain/command-result.ts";
import type { Refund } from "../../core/domain/payment.ts";
import type { PspFact } from "../../core/domain/psp-facts.ts";
import {
  findOpenAttempts,
  findRefundIdByPspReference,
  finishAttempt,
} from "../../db/repositories/attempts-repo.ts";
import { replacePendingResult } from "../../db/repositories/commands-repo.ts";
import { insertOutboxEvents } from "../../db/repositories/outbox-repo.ts";
import { updatePayment } from "../../db/repositories/payments-repo.ts";
import type { PspEventOutcome } from "../../db/repositories/psp-events-repo.ts";
import { findRefund } from "../../db/repositories/refunds-repo.ts";
import { releaseRefund, settleRefundSucceeded } from "./refund-payment.ts";
import { type FactInput, webhookSettled } from "./webhook-fact-input.ts";

type RefundFact = Extract<PspFact, { kind: "refund_succeeded" | "refund_failed" }>;

/**
 * Asynchronous refund completion: a pending refund (Adyen always, Stripe sometimes) succeeds, and the
 * payment becomes partially_refunded / refunded with payment.refunded.v1 through the outbox, or fails
 * and gives its reservation back. A refund already settled is left alone.
 */
export async function applyRefundFact(input: FactInput, fact: RefundFact): Promise<PspEventOutcome> {
  const { ctx, client, payment, refs } = input;
  const refundId =
    refs.refundId ?? (await findRefundIdByPspReference(client, payment.paymentId, fact.pspRefundReference));
  const refund = refundId ? await findRefund(client, refundId, payment.currency) : null;
  // A refund we did not make (in the PSP's dashboard, say) is not ours to book.
  if (!refund || refund.paymentId !== payment.paymentId) return "ignored";
  if (refund.status !== "pending") return refundAlreadySettled(input, fact, refund);

  let settled: Refund;
  if (fact.kind === "refund_succeeded") {
    const result = await settleRefundSucceeded(client, payment, refund);
    if (!result) return "stale";
    await insertOutboxEvents(client, [ctx.events.refunded(result.payment, result.refund, input.traceparent)]);
    settled = result.refund;
  } else settled = await releaseRefund(client, payment, refund);

  // A refund call whose answer never came (unknown) is answered by the notification.
  const status = fact.kind === "refund_succeeded" ? "succeeded" : "failed";
  for (const attempt of await findOpenAttempts(client, payment.paymentId)) {
    if (attempt.operation !== "refund" || attempt.refundId !== refund.refundId) continue;
    await finishAttempt(client, attempt.attemptId, {
      ...webhookSettled(input.event, status),
      pspReference: fact.pspRefundReference,
    });
    await replacePendingResult(client, attempt.commandId, commandResult.refund("settled", settled));
  }
  return "applied";
}

/**
 * A duplicate or late notification changes nothing, except a refund that failed after it had
 * succeeded (Adyen REFUND_FAILED, a Stripe refund turning failed): the money did not go back, so a
 * person has to look at the payment.
 */
async function refundAlreadySettled(
  input: FactInput,
  fact: RefundFact,
  refund: Refund,
): Promise<PspEventOutcome> {
  if (fact.kind !== "refund_failed" || refund.status !== "succeeded") return "stale";
  input.ctx.logger.warn(
    { payment_id: input.payment.paymentId, refund_id: refund.refundId, psp_code: fact.pspCode },
    "refund failed at the PSP after it had succeeded; flagged for review",
  );
  if (!input.payment.needsReview) await updatePayment(input.client, { ...input.payment, needsReview: true });
  return "applied";
}
