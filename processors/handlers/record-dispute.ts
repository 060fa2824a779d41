import type { PspFact } from "../../core/domain/psp-facts.ts";
import { upsertDispute } from "../../db/repositories/disputes-repo.ts";
import { updatePayment } from "../../db/repositories/payments-repo.ts";
import type { PspEventOutcome } from "../../db/repositories/psp-events-repo.ts";
import type { FactInput } from "./webhook-fact-input.ts";

/**
 * A dispute or chargeback is recorded against the payment and flags it for review. The payment's
 * status does not change: the money moves only when the dispute is decided, through the PSP's reports.
 */
export async function recordDispute(
  input: FactInput,
  fact: Extract<PspFact, { kind: "dispute" }>,
): Promise<PspEventOutcome> {
  const { client, payment, event } = input;
  if (fact.currency !== payment.currency) {
    input.ctx.logger.warn(
      { payment_id: payment.paymentId, dispute_currency: fact.currency },
      "dispute in another currency than the payment; amount recorded in the payment's",
    );
  }
  await upsertDispute(client, {
    paymentId: payment.paymentId,
    psp: payment.psp,
    pspDisputeReference: fact.disputeReference,
    stage: fact.stage,
    reason: fact.reason,
    amountMinor: fact.amountMinor,
    currency: payment.currency,
    eventId: event.eventId,
    eventAt: event.occurredAt,
  });
  if (!payment.needsReview) await updatePayment(client, { ...payment, needsReview: true });
  return "applied";
}
