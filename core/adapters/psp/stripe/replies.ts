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
import { errorOutcome, intentOutcome, refundOutcome } from "./transformers.ts";
import { paymentIntent, refund } from "./wire.ts";

// Stripe HTTP answers → outcomes: 2xx bodies through the status mappings, the rest through errorOutcome.
const unreadable = (what: string) => ({ outcome: indeterminate(`unreadable Stripe ${what}`) });

export function authorizeReply(reply: HttpReply): Mapped<AuthorizeResult> {
  if (reply.status >= 300) return errorOutcome(reply);
  const pi = successBody(reply, paymentIntent);
  return pi ? intentOutcome(pi) : unreadable("PaymentIntent");
}

export function captureReply(reply: HttpReply): Mapped<CaptureResult> {
  if (reply.status >= 300) return errorOutcome(reply);
  const pi = successBody(reply, paymentIntent);
  if (!pi) return unreadable("PaymentIntent");
  if (pi.status !== "succeeded")
    return { rawStatus: pi.status, outcome: indeterminate(`capture left status ${pi.status}`, pi.id) };
  return {
    rawStatus: pi.status,
    outcome: { kind: "captured", amountCaptured: pi.amount_received, pspReference: pi.id },
  };
}

export function cancelReply(reply: HttpReply): Mapped<CancelResult> {
  if (reply.status >= 300) return errorOutcome(reply);
  const pi = successBody(reply, paymentIntent);
  if (!pi) return unreadable("PaymentIntent");
  if (pi.status !== "canceled")
    return { rawStatus: pi.status, outcome: indeterminate(`cancel left status ${pi.status}`, pi.id) };
  return { rawStatus: pi.status, outcome: { kind: "canceled", pspReference: pi.id } };
}

export function refundReply(reply: HttpReply): Mapped<RefundResult> {
  if (reply.status >= 300) return errorOutcome(reply);
  const r = successBody(reply, refund);
  return r ? refundOutcome(r) : unreadable("Refund");
}
