import type { CaptureMethod } from "../../../domain/payment-status.ts";
import type { PspFailure } from "../../../ports/payment-connector.ts";
import { type AuthorizeResult, indeterminate, type Mapped } from "../outcomes.ts";
import type { HttpReply } from "../resilient-http.ts";
import { parseJson } from "../wire-json.ts";
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
    const amount = res.amount?.value ?? requested.minor;
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
    return { rawStatus, outcome: { kind: "requires_action", pspReference: ref } };
  }
  // Received, Pending, or anything Adyen adds later: the outcome arrives by notification.
  return { rawStatus, outcome: indeterminate(`Adyen resultCode ${res.resultCode}`, ref) };
}

/** A non-2xx answer that was not retried: 4xx is a terminal rejection, the rest is unknown. */
export function errorOutcome(reply: HttpReply): Mapped<PspFailure> {
  const parsed = errorResponse.safeParse(parseJson(reply.text));
  const pspCode = parsed.success ? parsed.data.errorCode : `http_${reply.status}`;
  const message = parsed.success ? parsed.data.message : `Adyen HTTP ${reply.status}`;
  if (reply.status >= 400 && reply.status < 500) {
    return { rawStatus: `${reply.status}/${pspCode}`, outcome: { kind: "rejected", pspCode, message } };
  }
  return {
    rawStatus: String(reply.status),
    outcome: indeterminate(`Adyen HTTP ${reply.status}: ${message}`),
  };
}

/** Adyen flags an idempotent request still in progress as transient: worth asking again. */
export function adyenRetryable(reply: HttpReply): boolean {
  return reply.headers.get("transient-error") === "true";
}
