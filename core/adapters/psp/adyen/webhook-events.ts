import type { InterpretedWebhook, PspEventRefs, PspFact } from "../../../domain/psp-facts.ts";
import type { VerifiedWebhookEvent } from "../../../ports/payment-connector.ts";
import { ourId } from "../wire-json.ts";
import { adyenMinorUnits } from "./currency-units.ts";
import { type AdyenNotificationItem, notificationItem } from "./wire.ts";

// Notifications carry the refusal reason as text; these are Adyen's documented refusalReason values.
const DECLINES_BY_REASON: Readonly<Record<string, string>> = {
  "Not enough balance": "insufficient_funds",
  FRAUD: "fraudulent",
  "FRAUD-CANCELLED": "fraudulent",
  "3D Not Authenticated": "authentication_failed",
  "Expired Card": "expired_card",
  "CVC Declined": "incorrect_cvc",
};

// Notifications whose merchantReference is the attempt that asked for them.
const ATTEMPT_REFERENCED = new Set(["AUTHORISATION", "CAPTURE", "CANCELLATION"]);

// Adyen's dispute notifications, from the first notice to the end of the dispute.
const DISPUTE_CODES = new Set([
  "REQUEST_FOR_INFORMATION",
  "NOTIFICATION_OF_CHARGEBACK",
  "CHARGEBACK",
  "SECOND_CHARGEBACK",
  "PREARBITRATION_WON",
  "PREARBITRATION_LOST",
  "CHARGEBACK_REVERSED",
]);

function fact(item: AdyenNotificationItem, refs: PspEventRefs): PspFact {
  const success = item.success === "true";
  const amountMinor = adyenMinorUnits.fromPsp(BigInt(item.amount.value), item.amount.currency);
  if (amountMinor === undefined) return informational(`${item.eventCode} amount not in units we hold`);
  const reason = item.reason || undefined;
  switch (item.eventCode) {
    case "AUTHORISATION":
      if (success) return { kind: "authorized", captured: null, amountMinor };
      return {
        kind: "authorization_failed",
        declineCode: DECLINES_BY_REASON[reason ?? ""] ?? "card_declined",
        pspCode: reason ?? "Refused",
        message: reason ?? "Refused",
      };
    case "CAPTURE":
      if (success) return { kind: "captured", amountMinor };
      return { kind: "capture_failed", pspCode: "capture_refused", message: reason ?? "Capture failed" };
    case "CANCELLATION":
      if (success) return { kind: "canceled" };
      return { kind: "cancel_failed", pspCode: "cancel_refused", message: reason ?? "Cancellation failed" };
    case "REFUND":
    case "REFUND_FAILED":
      if (success && item.eventCode === "REFUND")
        return { kind: "refund_succeeded", pspRefundReference: item.pspReference };
      return {
        kind: "refund_failed",
        pspRefundReference: item.pspReference,
        pspCode: item.eventCode === "REFUND" ? "refund_refused" : "refund_failed",
        message: reason ?? "Refund failed",
      };
    default:
      if (!DISPUTE_CODES.has(item.eventCode)) return informational(`${item.eventCode} is not applied`);
      return {
        kind: "dispute",
        // One dispute per payment at Adyen; its notifications name the disputed payment.
        disputeReference: refs.pspReference,
        stage: item.eventCode.toLowerCase(),
        reason: reason ?? stringOf(item.additionalData?.chargebackReasonCode) ?? null,
        amountMinor,
        currency: item.amount.currency.toUpperCase(),
      };
  }
}

function informational(what: string, reason?: string): PspFact {
  return { kind: "informational", note: reason ? `${what}: ${reason}` : what };
}

const stringOf = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * NotificationRequestItem → fact. merchantReference is what we sent as `reference`: the authorize
 * attempt id on /payments, the refund id on /refunds, the attempt id on /captures and /cancels. The event
 * is routed by HMAC-signed fields only (merchantReference, pspReference/originalReference): additionalData
 * (where Adyen echoes our metadata) is not signed, and a replayed notification could carry any value there.
 * `reason` and the chargeback reason code are unsigned too; they only describe, never route or decide.
 */
export function interpretAdyenEvent(event: VerifiedWebhookEvent): InterpretedWebhook {
  const parsed = notificationItem.loose().safeParse(event.data);
  const refs: PspEventRefs = { pspReference: event.pspReference };
  if (!parsed.success) return { refs, fact: informational("unreadable NotificationRequestItem") };
  const item = parsed.data;
  const reference = ourId(item.merchantReference);
  if (reference && (item.eventCode === "REFUND" || item.eventCode === "REFUND_FAILED"))
    refs.refundId = reference;
  else if (reference && ATTEMPT_REFERENCED.has(item.eventCode)) refs.attemptId = reference;
  return { refs, fact: fact(item, refs) };
}
