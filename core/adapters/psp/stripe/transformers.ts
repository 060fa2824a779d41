import type { NextAction, PspFailure } from "../../../ports/payment-connector.ts";
import { type AuthorizeResult, indeterminate, type Mapped, type RefundResult } from "../outcomes.ts";
import type { HttpReply } from "../resilient-http.ts";
import { parseJson } from "../wire-json.ts";
import { stripeMinorUnits } from "./currency-units.ts";
import {
  errorEnvelope,
  paymentIntent,
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

/** An intent's amount in our minor units (Stripe keeps ISK and UGX in hundredths). */
export function intentAmount(pi: StripePaymentIntent, amount: bigint): bigint | undefined {
  return stripeMinorUnits.fromPsp(amount, pi.currency);
}

/** What the shopper must do, from the intent: stripe.js needs the client secret, a redirect the URL. */
export function nextActionOf(pi: StripePaymentIntent): NextAction | undefined {
  if (!pi.next_action) return undefined;
  const action: NextAction = { type: pi.next_action.type };
  if (pi.client_secret) action.clientSecret = pi.client_secret;
  const url = pi.next_action.redirect_to_url?.url;
  if (url) action.redirectUrl = url;
  return action;
}

/** PaymentIntent status → authorization outcome. An unknown status is never success. */
export function intentOutcome(pi: StripePaymentIntent): Mapped<AuthorizeResult> {
  const rawStatus = pi.status;
  const ref = pi.id;
  const received = intentAmount(pi, pi.amount_received);
  const capturable = intentAmount(pi, pi.amount_capturable);
  if (received === undefined || capturable === undefined)
    return { rawStatus, outcome: indeterminate(`amount not in ${pi.currency} units we can hold`, ref) };
  switch (pi.status) {
    case "succeeded":
      return {
        rawStatus,
        outcome: {
          kind: "authorized",
          pspReference: ref,
          captured: true,
          amountCapturable: 0n,
          amountCaptured: received,
        },
      };
    case "requires_capture":
      return {
        rawStatus,
        outcome: {
          kind: "authorized",
          pspReference: ref,
          captured: false,
          amountCapturable: capturable,
          amountCaptured: 0n,
        },
      };
    case "requires_action": {
      const nextAction = nextActionOf(pi);
      const outcome = { kind: "requires_action" as const, pspReference: ref };
      return { rawStatus, outcome: nextAction ? { ...outcome, nextAction } : outcome };
    }
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

/**
 * The whole PaymentIntent Stripe embeds in a `payment_intent_unexpected_state` error: the intent
 * has moved on (an earlier request, whose answer we lost, already captured or canceled it).
 */
export function unexpectedStateIntent(reply: HttpReply): StripePaymentIntent | undefined {
  const parsed = errorEnvelope.safeParse(parseJson(reply.text));
  if (!parsed.success || parsed.data.error.code !== "payment_intent_unexpected_state") return undefined;
  const pi = paymentIntent.safeParse(parsed.data.error.payment_intent);
  return pi.success ? pi.data : undefined;
}

/**
 * A non-2xx answer that was not retried:
 * - 401/403: our key is wrong, rotated or lacks a permission (configuration, never a decline);
 * - 429: throttled before Stripe acted;
 * - idempotency_error: the key was reused with other parameters. The first request under it may
 *   have charged, so nothing is known: indeterminate (and alerted, see alerts.ts);
 * - card errors decline, other 4xx reject, the rest is unknown.
 */
export function errorOutcome(reply: HttpReply): Mapped<PspFailure> {
  const parsed = errorEnvelope.safeParse(parseJson(reply.text));
  const error = parsed.success ? parsed.data.error : undefined;
  const pspCode = error?.code ?? error?.type ?? `http_${reply.status}`;
  const message = error?.message ?? `Stripe HTTP ${reply.status}`;
  const rawStatus = error?.payment_intent?.status ?? error?.type;
  if (reply.status === 401 || reply.status === 403)
    return { rawStatus, outcome: { kind: "configuration_error", pspCode, message } };
  if (reply.status === 429)
    return { rawStatus, outcome: { kind: "unavailable", reason: `throttled: ${message}` } };
  if (error?.type === "idempotency_error")
    return { rawStatus: "idempotency_error", outcome: indeterminate(`Stripe idempotency_error: ${message}`) };
  if (error && (reply.status === 402 || error.type === "card_error"))
    return { rawStatus, outcome: declined(error, error.payment_intent?.id) };
  if (reply.status >= 400 && reply.status < 500) {
    const readable = error ? message : "Unreadable Stripe error";
    return { rawStatus, outcome: { kind: "rejected", pspCode, message: readable } };
  }
  return { rawStatus, outcome: indeterminate(`Stripe HTTP ${reply.status}: ${message}`) };
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
