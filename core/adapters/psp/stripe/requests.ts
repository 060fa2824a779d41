import type { AuthorizeRequest, CaptureRequest, RefundRequest } from "../../../ports/payment-connector.ts";
import { UnrepresentableAmount } from "../outcomes.ts";
import { stripeMinorUnits } from "./currency-units.ts";
import type { FormParam } from "./form-encoding.ts";

/** PSP idempotency keys derived from our ids: a retry reuses the key, so it can never act twice. */
export const stripeIdempotencyKeys = {
  authorize: (attemptId: string) => `authz_${attemptId}`,
  capture: (attemptId: string) => `capture_${attemptId}`,
  cancel: (attemptId: string) => `cancel_${attemptId}`,
  // Per refund, not per payment attempt: several partial refunds of one payment must not collide.
  refund: (refundId: string) => `refund_${refundId}`,
};

const STRIPE_REFUND_REASONS = new Set(["duplicate", "fraudulent", "requested_by_customer"]);

export type StripePaymentFields = Pick<
  AuthorizeRequest,
  "paymentId" | "attemptId" | "amount" | "paymentMethodToken" | "captureMethod"
>;

function stripeAmount(money: AuthorizeRequest["amount"]): bigint {
  const amount = stripeMinorUnits.toPsp(money);
  if (amount === undefined) throw new UnrepresentableAmount(`${money.minor} ${money.currency} minor units`);
  return amount;
}

/**
 * The create-and-confirm body. Sync replays this very request under the same Idempotency-Key, and
 * Stripe refuses a key reused with other parameters (idempotency_error), so it is built only from
 * fields SyncRequest carries, plus connector configuration (order id, customer and description
 * stay out).
 */
export function authorizeParams(fields: StripePaymentFields, returnUrl?: string): Record<string, FormParam> {
  return {
    amount: stripeAmount(fields.amount),
    currency: fields.amount.currency.toLowerCase(),
    payment_method: fields.paymentMethodToken,
    payment_method_types: ["card"],
    confirm: true,
    capture_method: fields.captureMethod,
    return_url: returnUrl,
    metadata: { payment_id: fields.paymentId, attempt_id: fields.attemptId },
  };
}

export function captureParams(req: CaptureRequest): Record<string, FormParam> {
  return { amount_to_capture: stripeAmount(req.amount), metadata: { capture_attempt_id: req.attemptId } };
}

export function refundParams(req: RefundRequest): Record<string, FormParam> {
  const reason = req.reason !== undefined && STRIPE_REFUND_REASONS.has(req.reason) ? req.reason : undefined;
  return {
    payment_intent: req.pspReference,
    amount: stripeAmount(req.amount),
    reason,
    metadata: { refund_id: req.refundId, payment_id: req.paymentId, reason: req.reason },
  };
}
