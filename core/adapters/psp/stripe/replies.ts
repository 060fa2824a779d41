import {
  type AuthorizeResult,
  type CancelResult,
  type CaptureResult,
  indeterminate,
  type Mapped,
  type RefundResult,
} from "../outcomes.ts";
import type { HttpReply } from "../resilient-http.ts";
import { successBody } from "../wire-json.ts";
import {
  errorOutcome,
  intentAmount,
  intentOutcome,
  refundOutcome,
  unexpectedStateIntent,
} from "./transformers.ts";
import { paymentIntent, refund, type StripePaymentIntent } from "./wire.ts";

// Stripe HTTP answers → outcomes: 2xx bodies through the status mappings, the rest through errorOutcome.
// A `payment_intent_unexpected_state` error embeds the intent: its status is the truth, so an intent
// an earlier (lost) request already captured reads as captured, not as a refusal.
const unreadable = (what: string) => ({ outcome: indeterminate(`unreadable Stripe ${what}`) });

/** The intent in a 2xx answer, or the one embedded in an unexpected-state error. */
function answeredIntent(reply: HttpReply): StripePaymentIntent | undefined {
  return reply.status < 300 ? successBody(reply, paymentIntent) : unexpectedStateIntent(reply);
}

export function authorizeReply(reply: HttpReply): Mapped<AuthorizeResult> {
  const pi = answeredIntent(reply);
  if (pi) return intentOutcome(pi);
  return reply.status >= 300 ? errorOutcome(reply) : unreadable("PaymentIntent");
}

/** A retrieve by id: 404 means Stripe has no such intent. */
export function syncReply(reply: HttpReply): Mapped<AuthorizeResult | { kind: "not_found" }> {
  if (reply.status === 404) return { rawStatus: "not_found", outcome: { kind: "not_found" } };
  return authorizeReply(reply);
}

export function captureReply(reply: HttpReply): Mapped<CaptureResult> {
  const pi = answeredIntent(reply);
  if (!pi) return reply.status >= 300 ? errorOutcome(reply) : unreadable("PaymentIntent");
  const amountCaptured = intentAmount(pi, pi.amount_received);
  if (pi.status !== "succeeded" || amountCaptured === undefined) {
    if (reply.status >= 300) return errorOutcome(reply);
    return { rawStatus: pi.status, outcome: indeterminate(`capture left status ${pi.status}`, pi.id) };
  }
  return { rawStatus: pi.status, outcome: { kind: "captured", amountCaptured, pspReference: pi.id } };
}

export function cancelReply(reply: HttpReply): Mapped<CancelResult> {
  const pi = answeredIntent(reply);
  if (!pi) return reply.status >= 300 ? errorOutcome(reply) : unreadable("PaymentIntent");
  if (pi.status !== "canceled") {
    if (reply.status >= 300) return errorOutcome(reply);
    return { rawStatus: pi.status, outcome: indeterminate(`cancel left status ${pi.status}`, pi.id) };
  }
  return { rawStatus: pi.status, outcome: { kind: "canceled", pspReference: pi.id } };
}

export function refundReply(reply: HttpReply): Mapped<RefundResult> {
  if (reply.status >= 300) return errorOutcome(reply);
  const r = successBody(reply, refund);
  return r ? refundOutcome(r) : unreadable("Refund");
}
