import type { CaptureMethod } from "../../../domain/payment-status.ts";
import type { NextAction, PspFailure } from "../../../ports/payment-connector.ts";
import { type AuthorizeResult, indeterminate, type Mapped } from "../outcomes.ts";
import type { HttpReply } from "../resilient-http.ts";
import { parseJson } from "../wire-json.ts";
import { adyenMinorUnits } from "./currency-units.ts";
import { type AdyenPaymentResponse, errorResponse } from "./wire.ts";

// Adyen refusalReasonCode → our decline vocabulary; anything unlisted is a plain card_declined.
const DECLINE_CODES: Readonly<Record<string, string>> = {
  "6": "expired_card",
  "11": "authentication_failed",
  "12": "insufficient_funds",
  "14": "fraudulent",
  "20": "fraudulent",
  "22": "fraudulent",
  "24": "incorrect_cvc",
  "31": "fraudulent",
  "38": "authentication_required",
};

const SHOPPER_ACTIONS = new Set([
  "RedirectShopper",
  "IdentifyShopper",
  "ChallengeShopper",
  "PresentToShopper",
]);

export function declineCode(refusalReasonCode: string | undefined): string {
  return (refusalReasonCode && DECLINE_CODES[refusalReasonCode]) || "card_declined";
}

/** /payments resultCode → authorization outcome. Unknown result codes are never success. */
export function paymentOutcome(
  res: AdyenPaymentResponse,
  requested: { minor: bigint; captureMethod: CaptureMethod },
): Mapped<AuthorizeResult> {
  const rawStatus = res.resultCode;
  const ref = res.pspReference;
  const pspCode = res.refusalReasonCode ?? res.resultCode;
  const message = res.refusalReason ?? res.resultCode;
  if (res.resultCode === "Authorised" && ref) {
    const amount = res.amount
      ? adyenMinorUnits.fromPsp(res.amount.value, res.amount.currency)
      : requested.minor;
    if (amount === undefined)
      return {
        rawStatus,
        outcome: indeterminate(`amount not in ${res.amount?.currency} units we can hold`, ref),
      };
    const manual = requested.captureMethod === "manual";
    return {
      rawStatus,
      outcome: {
        kind: "authorized",
        pspReference: ref,
        captured: !manual,
        amountCapturable: manual ? amount : 0n,
        amountCaptured: manual ? 0n : amount,
      },
    };
  }
  if (res.resultCode === "Refused" || res.resultCode === "Cancelled") {
    const failure: PspFailure = {
      kind: "declined",
      declineCode: declineCode(res.refusalReasonCode),
      pspCode,
      message,
    };
    return { rawStatus, outcome: ref ? { ...failure, pspReference: ref } : failure };
  }
  if (res.resultCode === "Error") {
    const failure: PspFailure = { kind: "rejected", pspCode, message };
    return { rawStatus, outcome: ref ? { ...failure, pspReference: ref } : failure };
  }
  if (SHOPPER_ACTIONS.has(res.resultCode) && ref) {
    const nextAction = nextActionOf(res);
    const outcome = { kind: "requires_action" as const, pspReference: ref };
    return { rawStatus, outcome: nextAction ? { ...outcome, nextAction } : outcome };
  }
  // Received, Pending, or anything Adyen adds later: the outcome arrives by notification.
  return { rawStatus, outcome: indeterminate(`Adyen resultCode ${res.resultCode}`, ref) };
}

/** The shopper's step (3-D Secure redirect, challenge): Adyen's action type and, for redirects, its URL. */
function nextActionOf(res: AdyenPaymentResponse): NextAction | undefined {
  if (!res.action) return undefined;
  return res.action.url ? { type: res.action.type, redirectUrl: res.action.url } : { type: res.action.type };
}

/**
 * A non-2xx answer that was not retried: 401/403 is our API key or its roles (configuration, never a
 * decline), 429 throttled before Adyen acted, other 4xx a terminal rejection, the rest unknown.
 */
export function errorOutcome(reply: HttpReply): Mapped<PspFailure> {
  const parsed = errorResponse.safeParse(parseJson(reply.text));
  const pspCode = parsed.success ? parsed.data.errorCode : `http_${reply.status}`;
  const message = parsed.success ? parsed.data.message : `Adyen HTTP ${reply.status}`;
  const rawStatus = `${reply.status}/${pspCode}`;
  if (reply.status === 401 || reply.status === 403)
    return { rawStatus, outcome: { kind: "configuration_error", pspCode, message } };
  if (reply.status === 429)
    return { rawStatus, outcome: { kind: "unavailable", reason: `throttled: ${message}` } };
  if (reply.status >= 400 && reply.status < 500) {
    return { rawStatus, outcome: { kind: "rejected", pspCode, message } };
  }
  return {
    rawStatus: String(reply.status),
    outcome: indeterminate(`Adyen HTTP ${reply.status}: ${message}`),
  };
}

/** Adyen flags an idempotent request still in progress as transient: worth asking again. */
export function adyenRetryVerdict(reply: HttpReply): boolean | undefined {
  return reply.headers.get("transient-error") === "true" ? true : undefined;
}
