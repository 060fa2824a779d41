import type { AuthorizeRequest, CaptureRequest, RefundRequest } from "../../../ports/payment-connector.ts";
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

export function authorizeParams(req: AuthorizeRequest): Record<string, FormParam> {
  return {
    amount: req.amount.minor,
    currency: req.amount.currency.toLowerCase(),
    payment_method: req.paymentMethodToken,
    payment_method_types: ["card"],
    confirm: true,
    capture_method: req.captureMethod,
    description: req.description,
    metadata: {
      payment_id: req.paymentId,
      order_id: req.orderId,
      attempt_id: req.attemptId,
      customer_id: req.customerId,
    },
  };
}

export function captureParams(req: CaptureRequest): Record<string, FormParam> {
  return { amount_to_capture: req.amount.minor, metadata: { capture_attempt_id: req.attemptId } };
}

export function refundParams(req: RefundRequest): Record<string, FormParam> {
  const reason = req.reason !== undefined && STRIPE_REFUND_REASONS.has(req.reason) ? req.reason : undefined;
  return {
    payment_intent: req.pspReference,
    amount: req.amount.minor,
    reason,
    metadata: { refund_id: req.refundId, payment_id: req.paymentId, reason: req.reason },
  };
}

/** Stripe search query for the intent created by one attempt. */
export function attemptSearchQuery(attemptId: string): string {
  return `metadata['attempt_id']:'${attemptId.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}
