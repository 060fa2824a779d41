import type { Currency } from "./currency.ts";
import { formatAmount } from "./money.ts";
import type { CaptureMethod, PaymentStatus, PspName } from "./payment-status.ts";

/** What the shopper must do next (3-D Secure): enough for a client to finish the step with the PSP. */
export interface NextAction {
  type: string;
  /** Stripe: handed to stripe.js (handleNextAction) when type is use_stripe_sdk. */
  clientSecret?: string;
  /** Where to send the shopper (Stripe redirect_to_url, Adyen action.url). */
  redirectUrl?: string;
}

export interface Payment {
  paymentId: string;
  /** The merchant the payment belongs to; the public API never shows it to another merchant. */
  merchantId: string;
  partitionKey: string;
  orderId: string;
  amount: bigint;
  currency: Currency;
  status: PaymentStatus;
  captureMethod: CaptureMethod;
  psp: PspName;
  paymentMethodType: string | null;
  paymentMethodToken: string | null;
  cardBrand: string | null;
  cardLast4: string | null;
  amountCapturable: bigint;
  amountCaptured: bigint;
  amountRefunded: bigint;
  amountRefundPending: bigint;
  riskScore: number | null;
  riskDecision: string | null;
  needsReview: boolean;
  failureReason: string | null;
  pspCode: string | null;
  pspReference: string | null;
  customerId: string | null;
  description: string | null;
  metadata: Record<string, string>;
  /** While requires_action: how the shopper finishes authentication (from the PSP's answer). */
  nextAction: NextAction | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface PaymentResponse {
  payment_id: string;
  order_id: number;
  amount: string;
  currency: string;
  status: PaymentStatus;
  capture_method: CaptureMethod;
  psp: PspName;
  payment_method: { type: string; token_last4?: string; brand?: string } | null;
  amount_capturable: string;
  amount_captured: string;
  amount_refunded: string;
  risk_score?: number;
  failure_reason?: string;
  psp_code?: string;
  psp_reference?: string;
  customer_id?: string;
  description?: string;
  metadata: Record<string, string>;
  next_action?: { type: string; client_secret?: string; redirect_url?: string };
  created_at: string;
  updated_at: string;
}

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

export interface Refund {
  refundId: string;
  paymentId: string;
  amount: bigint;
  currency: Currency;
  reason: string | null;
  status: "pending" | "succeeded" | "failed";
  createdAt: Date;
  processedAt: Date | null;
}

export interface RefundResponse {
  refund_id: string;
  payment_id: string;
  amount: string;
  currency: string;
  status: Refund["status"];
  reason: string | null;
  created_at: string;
  processed_at: string | null;
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
