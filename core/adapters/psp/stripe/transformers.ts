import type { PspFailure } from "../../../ports/payment-connector.ts";
import { type AuthorizeResult, indeterminate, type Mapped, type RefundResult } from "../outcomes.ts";
import type { HttpReply } from "../resilient-http.ts";
import { parseJson } from "../wire-json.ts";
import {
  errorEnvelope,
  type StripeErrorObject,
  type StripePaymentIntent,
  type StripeRefund,
} from "./wire.ts";

/** Stripe's card errors, in our decline vocabulary: generic declines are plain `card_declined`. */
export function declined(error: StripeErrorObject, pspReference?: string): PspFailure {
  const code = error.code ?? "card_declined";
  const reason = error.decline_code;
  const declineCode =
    code === "card_declined" && reason !== undefined && reason !== "generic_decline" ? reason : code;
  const failure: PspFailure = {
    kind: "declined",
    declineCode,
    pspCode: error.decline_code ?? code,
    message: error.message ?? "The card was declined",
  };
  return pspReference === undefined ? failure : { ...failure, pspReference };
}

/** PaymentIntent status → authorization outcome. An unknown status is never success. */
export function intentOutcome(pi: StripePaymentIntent): Mapped<AuthorizeResult> {
  const rawStatus = pi.status;
  const ref = pi.id;
  switch (pi.status) {
    case "succeeded":
      return {
        rawStatus,
        outcome: {
          kind: "authorized",
          pspReference: ref,
          captured: true,
          amountCapturable: 0n,
          amountCaptured: pi.amount_received,
        },
      };
    case "requires_capture":
      return {
        rawStatus,
        outcome: {
          kind: "authorized",
          pspReference: ref,
          captured: false,
          amountCapturable: pi.amount_capturable,
          amountCaptured: 0n,
        },
      };
    case "requires_action":
      return { rawStatus, outcome: { kind: "requires_action", pspReference: ref } };
    case "requires_payment_method":
      return pi.last_payment_error
        ? { rawStatus, outcome: declined(pi.last_payment_error, ref) }
        : { rawStatus, outcome: indeterminate("intent awaits a payment method", ref) };
    case "canceled":
      return {
        rawStatus,
        outcome: {
          kind: "rejected",
          pspCode: "payment_intent_canceled",
          message: "PaymentIntent was canceled",
          pspReference: ref,
        },
      };
    default:
      // processing, requires_confirmation and anything Stripe adds later: settle by sync or webhook.
      return { rawStatus, outcome: indeterminate(`Stripe status ${pi.status}`, ref) };
  }
}

/** A non-2xx answer that was not retried: card errors decline, other 4xx reject, the rest is unknown. */
export function errorOutcome(reply: HttpReply): Mapped<PspFailure> {
  const parsed = errorEnvelope.safeParse(parseJson(reply.text));
  if (!parsed.success) {
    const failure: PspFailure =
      reply.status >= 400 && reply.status < 500
        ? { kind: "rejected", pspCode: `http_${reply.status}`, message: "Unreadable Stripe error" }
        : indeterminate(`unexpected Stripe HTTP ${reply.status}`);
    return { outcome: failure };
  }
  const { error } = parsed.data;
  const rawStatus = error.payment_intent?.status ?? error.type;
  if (reply.status === 402 || error.type === "card_error") {
    return { rawStatus, outcome: declined(error, error.payment_intent?.id) };
  }
  if (reply.status >= 400 && reply.status < 500) {
    const pspCode = error.code ?? error.type;
    return { rawStatus, outcome: { kind: "rejected", pspCode, message: error.message ?? pspCode } };
  }
  return { rawStatus, outcome: indeterminate(`Stripe HTTP ${reply.status}: ${error.message ?? error.type}`) };
}

export function refundOutcome(r: StripeRefund): Mapped<RefundResult> {
  const rawStatus = r.status ?? "null";
  if (r.status === "succeeded")
    return { rawStatus, outcome: { kind: "refund_succeeded", pspRefundReference: r.id } };
  if (r.status === "pending" || r.status === "requires_action") {
    return { rawStatus, outcome: { kind: "refund_pending", pspRefundReference: r.id } };
  }
  if (r.status === "failed" || r.status === "canceled") {
    const pspCode = r.failure_reason ?? r.status;
    return {
      rawStatus,
      outcome: {
        kind: "refund_failed",
        pspRefundReference: r.id,
        pspCode,
        message: `Refund ${r.status}: ${pspCode}`,
      },
    };
  }
  return { rawStatus, outcome: indeterminate(`Stripe refund status ${rawStatus}`) };
}
