import type { Intent, Refund } from "./ledger.ts";

/** Stripe's PaymentIntent object, as the API returns it. */
export function renderIntent(intent: Intent) {
  return {
    id: intent.id,
    object: "payment_intent",
    amount: intent.amount,
    amount_capturable: intent.amountCapturable,
    amount_received: intent.amountReceived,
    canceled_at: intent.canceledAt,
    cancellation_reason: intent.cancellationReason,
    capture_method: intent.captureMethod,
    client_secret: `${intent.id}_secret_sim`,
    confirmation_method: "automatic",
    created: intent.created,
    currency: intent.currency,
    description: intent.description,
    last_payment_error: intent.lastPaymentError,
    latest_charge: intent.latestCharge,
    livemode: false,
    metadata: intent.metadata,
    next_action: intent.nextAction,
    payment_method: intent.paymentMethod ?? null,
    payment_method_types: ["card"],
    status: intent.status,
  };
}

export function renderCharge(intent: Intent) {
  return {
    id: intent.latestCharge,
    object: "charge",
    amount: intent.amount,
    amount_captured: intent.amountReceived,
    amount_refunded: intent.amountRefunded,
    captured: intent.amountReceived > 0n,
    currency: intent.currency,
    metadata: intent.metadata,
    paid: intent.authorized,
    payment_intent: intent.id,
    refunded: intent.amountReceived > 0n && intent.amountRefunded === intent.amountReceived,
    status: intent.authorized ? "succeeded" : "failed",
  };
}

export function renderRefund(refund: Refund) {
  return {
    id: refund.id,
    object: "refund",
    amount: refund.amount,
    charge: refund.charge,
    created: refund.created,
    currency: refund.currency,
    failure_reason: refund.failureReason,
    metadata: refund.metadata,
    payment_intent: refund.paymentIntent,
    reason: refund.reason,
    status: refund.status,
  };
}
