import { deliveryFor } from "../shared/delivery.ts";
import { simConfig } from "../shared/dev-secrets.ts";
import { adyenPspReference } from "../shared/ids.ts";
import type { SimResponse } from "../shared/sim-response.ts";
import type { CardProfile, DeclineReason } from "../shared/test-tokens.ts";
import type { AdyenPayment } from "./ledger.ts";
import type { AdyenNotifications } from "./notifications.ts";
import type { PaymentParams } from "./params.ts";
import { paymentResponse } from "./render.ts";

// Adyen's documented refusalReasonCode / refusalReason pairs.
const REFUSALS: Record<DeclineReason, { code: string; reason: string }> = {
  generic_decline: { code: "2", reason: "Refused" },
  insufficient_funds: { code: "12", reason: "Not enough balance" },
  fraudulent: { code: "20", reason: "FRAUD" },
};

export function newPayment(params: PaymentParams, profile: CardProfile): AdyenPayment {
  return {
    pspReference: adyenPspReference(),
    merchantReference: params.reference,
    merchantAccount: params.merchantAccount,
    createdMs: Date.now(),
    amount: params.amount.value,
    currency: params.amount.currency,
    manualCapture: params.manualCapture,
    resultCode: "Refused",
    refusal: undefined,
    token: params.token,
    profile,
    metadata: params.metadata,
    authorized: false,
    cancelled: false,
    captures: 0,
    capturedAmount: 0n,
    refundsSucceeded: 0,
    refundedAmount: 0n,
    modifications: [],
  };
}

/** Decides a new payment by its card profile and answers as /payments would. */
export function authorisePayment(payment: AdyenPayment, notifications: AdyenNotifications): SimResponse {
  const { profile } = payment;
  if (profile.result === "decline") {
    payment.refusal = REFUSALS[profile.decline ?? "generic_decline"];
    payment.resultCode = "Refused";
    notifyAuthorisation(payment, notifications, false);
  } else if (profile.result === "requires_action") {
    payment.resultCode = "RedirectShopper";
  } else {
    approve(payment, notifications);
  }
  const delayMs = profile.fault === "timeout" ? simConfig.hangMs : 0;
  return { status: 200, body: paymentResponse(payment), delayMs };
}

/** Authorises, and with automatic capture also captures the full amount. */
export function approve(payment: AdyenPayment, notifications: AdyenNotifications): void {
  payment.resultCode = "Authorised";
  payment.refusal = undefined;
  payment.authorized = true;
  if (!payment.manualCapture) {
    payment.captures = 1;
    payment.capturedAmount = payment.amount;
  }
  notifyAuthorisation(payment, notifications, true);
}

export function notifyAuthorisation(
  payment: AdyenPayment,
  notifications: AdyenNotifications,
  success: boolean,
) {
  notifications.emit(
    {
      eventCode: "AUTHORISATION",
      pspReference: payment.pspReference,
      merchantAccountCode: payment.merchantAccount,
      merchantReference: payment.merchantReference,
      amount: { value: payment.amount, currency: payment.currency },
      success,
      reason: payment.refusal?.reason ?? "",
      paymentMethod: payment.profile.brand,
      additionalData: Object.fromEntries(
        Object.entries(payment.metadata).map(([key, value]) => [`metadata.${key}`, value]),
      ),
    },
    deliveryFor(payment.profile, "authorization"),
  );
}
