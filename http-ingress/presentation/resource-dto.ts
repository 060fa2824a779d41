import { formatAmount } from "../../core/domain/money.ts";
import type { NextAction, Payment, Refund } from "../../core/domain/payment.ts";
import type { PaymentResponse, RefundResponse } from "./resource-schema.ts";

export type { PaymentResponse, RefundResponse };

/** The public API's payment and refund objects (resource-schema.ts), built from the domain's records. */
export function toPaymentResponse(p: Payment): PaymentResponse {
  const money = (minor: bigint) => formatAmount(minor, p.currency);
  const response: PaymentResponse = {
    payment_id: p.paymentId,
    order_id: Number(p.orderId),
    amount: money(p.amount),
    currency: p.currency,
    status: p.status,
    capture_method: p.captureMethod,
    psp: p.psp,
    payment_method: p.paymentMethodType ? paymentMethodSummary(p) : null,
    amount_capturable: money(p.amountCapturable),
    amount_captured: money(p.amountCaptured),
    amount_refunded: money(p.amountRefunded),
    metadata: p.metadata,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
  if (p.riskScore !== null) response.risk_score = p.riskScore;
  if (p.failureReason) response.failure_reason = p.failureReason;
  if (p.pspCode) response.psp_code = p.pspCode;
  if (p.pspReference) response.psp_reference = p.pspReference;
  if (p.customerId) response.customer_id = p.customerId;
  if (p.description) response.description = p.description;
  if (p.status === "requires_action" && p.nextAction) response.next_action = nextActionView(p.nextAction);
  return response;
}

function nextActionView(a: NextAction): NonNullable<PaymentResponse["next_action"]> {
  const view: NonNullable<PaymentResponse["next_action"]> = { type: a.type };
  if (a.clientSecret) view.client_secret = a.clientSecret;
  if (a.redirectUrl) view.redirect_url = a.redirectUrl;
  return view;
}

function paymentMethodSummary(p: Payment): { type: string; token_last4?: string; brand?: string } {
  const summary: { type: string; token_last4?: string; brand?: string } = {
    type: p.paymentMethodType ?? "card",
  };
  if (p.cardLast4) summary.token_last4 = p.cardLast4;
  if (p.cardBrand) summary.brand = p.cardBrand;
  return summary;
}

export function toRefundResponse(r: Refund): RefundResponse {
  return {
    refund_id: r.refundId,
    payment_id: r.paymentId,
    amount: formatAmount(r.amount, r.currency),
    currency: r.currency,
    status: r.status,
    reason: r.reason,
    created_at: r.createdAt.toISOString(),
    processed_at: r.processedAt ? r.processedAt.toISOString() : null,
  };
}
