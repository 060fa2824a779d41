import type { InterpretedWebhook, PspEventRefs, PspFact } from "../../../domain/psp-facts.ts";
import type { VerifiedWebhookEvent } from "../../../ports/payment-connector.ts";
import { ourId } from "../wire-json.ts";
import { stripeMinorUnits } from "./currency-units.ts";
import { intentOutcome } from "./transformers.ts";
import { dispute, paymentIntent, refund, type StripePaymentIntent, type StripeRefund } from "./wire.ts";

const informational = (note: string): PspFact => ({ kind: "informational", note });

/** A PaymentIntent's status, in the ledger's terms (the same mapping as a synchronous answer or a sync). */
function intentFact(pi: StripePaymentIntent): PspFact {
  const outcome = intentOutcome(pi).outcome;
  switch (outcome.kind) {
    case "authorized":
      return {
        kind: "authorized",
        captured: outcome.captured,
        amountMinor: outcome.captured ? outcome.amountCaptured : outcome.amountCapturable,
      };
    case "requires_action":
      return { kind: "requires_action" };
    case "declined":
      return {
        kind: "authorization_failed",
        // Failed 3-D Secure reads the same as Adyen's refusal "3D Not Authenticated".
        declineCode:
          outcome.declineCode === "payment_intent_authentication_failure"
            ? "authentication_failed"
            : outcome.declineCode,
        pspCode: outcome.pspCode,
        message: outcome.message,
      };
    case "rejected":
      return { kind: "canceled" };
    default:
      return informational(`PaymentIntent status ${pi.status}`);
  }
}

function refundFact(r: StripeRefund): PspFact {
  if (r.status === "succeeded") return { kind: "refund_succeeded", pspRefundReference: r.id };
  if (r.status === "failed" || r.status === "canceled") {
    const pspCode = r.failure_reason ?? r.status;
    return {
      kind: "refund_failed",
      pspRefundReference: r.id,
      pspCode,
      message: `Refund ${r.status}: ${pspCode}`,
    };
  }
  return informational(`refund status ${r.status ?? "null"}`);
}

/**
 * Stripe Event → fact. payment_intent.* carry the intent (and our metadata), refund.* the Refund with
 * our refund_id, charge.dispute.* the Dispute. charge.refunded says only how much of the charge is
 * refunded, not which of our refunds settled: refund.* events carry that, so it is informational.
 */
export function interpretStripeEvent(event: VerifiedWebhookEvent): InterpretedWebhook {
  const object = event.data;
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const refs: PspEventRefs = { pspReference: event.pspReference };
  const paymentId = ourId(metadata.payment_id);
  if (paymentId) refs.paymentId = paymentId;

  if (event.type.startsWith("payment_intent.")) {
    const pi = paymentIntent.safeParse(object);
    const attemptId = ourId(metadata.attempt_id);
    if (attemptId) refs.attemptId = attemptId;
    return { refs, fact: pi.success ? intentFact(pi.data) : informational("unreadable PaymentIntent") };
  }
  if (event.type.startsWith("refund.") || event.type === "charge.refund.updated") {
    const r = refund.safeParse(object);
    const refundId = ourId(metadata.refund_id);
    if (refundId) refs.refundId = refundId;
    return { refs, fact: r.success ? refundFact(r.data) : informational("unreadable Refund") };
  }
  if (event.type.startsWith("charge.dispute.")) {
    const d = dispute.safeParse(object);
    if (!d.success) return { refs, fact: informational("unreadable Dispute") };
    const amountMinor = stripeMinorUnits.fromPsp(d.data.amount, d.data.currency);
    if (amountMinor === undefined)
      return { refs, fact: informational("Dispute amount not in units we hold") };
    const fact: PspFact = {
      kind: "dispute",
      disputeReference: d.data.id,
      stage: d.data.status,
      reason: d.data.reason ?? null,
      amountMinor,
      currency: d.data.currency.toUpperCase(),
    };
    return { refs, fact };
  }
  return { refs, fact: informational(`${event.type} is not applied`) };
}
