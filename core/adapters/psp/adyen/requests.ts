import type {
  AuthorizeRequest,
  CaptureRequest,
  RefundRequest,
  SyncRequest,
} from "../../../ports/payment-connector.ts";
import { UnrepresentableAmount } from "../outcomes.ts";
import { adyenMinorUnits } from "./currency-units.ts";

/** PSP idempotency keys derived from our ids: a retry reuses the key, so it can never act twice. */
export const adyenIdempotencyKeys = {
  authorize: (attemptId: string) => `authz_${attemptId}`,
  capture: (attemptId: string) => `capture_${attemptId}`,
  cancel: (attemptId: string) => `cancel_${attemptId}`,
  // Per refund, not per payment attempt: several partial refunds of one payment must not collide.
  refund: (refundId: string) => `refund_${refundId}`,
};

/** Adyen Amount: value in Adyen's minor units (CLP, ISK in hundredths; IDR whole rupiah). */
function adyenAmount(money: AuthorizeRequest["amount"]) {
  const value = adyenMinorUnits.toPsp(money);
  if (value === undefined) throw new UnrepresentableAmount(`${money.minor} ${money.currency} minor units`);
  return { value, currency: money.currency };
}

export type PaymentFields = Pick<
  AuthorizeRequest,
  "paymentId" | "attemptId" | "amount" | "paymentMethodToken" | "captureMethod"
>;

/**
 * The /payments body. Adyen has no status API, so sync re-sends this very request under the same
 * Idempotency-Key to get the stored answer back; it is therefore built only from fields SyncRequest
 * carries (order id, customer and description stay out).
 */
export function paymentBody(fields: PaymentFields, merchantAccount: string) {
  return {
    amount: adyenAmount(fields.amount),
    reference: fields.attemptId,
    merchantAccount,
    paymentMethod: { type: "scheme", storedPaymentMethodId: fields.paymentMethodToken },
    shopperInteraction: "ContAuth",
    recurringProcessingModel: "CardOnFile",
    ...(fields.captureMethod === "manual" ? { additionalData: { manualCapture: "true" } } : {}),
    metadata: { payment_id: fields.paymentId, attempt_id: fields.attemptId },
  };
}

export function syncFields(req: SyncRequest): PaymentFields | undefined {
  if (req.paymentMethodToken === undefined || req.captureMethod === undefined) return undefined;
  return { ...req, paymentMethodToken: req.paymentMethodToken, captureMethod: req.captureMethod };
}

export function captureBody(req: CaptureRequest, merchantAccount: string) {
  return {
    merchantAccount,
    amount: adyenAmount(req.amount),
    reference: req.attemptId,
  };
}

export function refundBody(req: RefundRequest, merchantAccount: string) {
  return {
    merchantAccount,
    amount: adyenAmount(req.amount),
    reference: req.refundId,
  };
}
