import type { AdyenPayment, Modification } from "./ledger.ts";

function amountOf(payment: AdyenPayment, value: bigint = payment.amount) {
  return { value, currency: payment.currency };
}

/** The /payments response for a payment's current result. */
export function paymentResponse(payment: AdyenPayment) {
  const base = {
    pspReference: payment.pspReference,
    resultCode: payment.resultCode,
    amount: amountOf(payment),
    merchantReference: payment.merchantReference,
  };
  if (payment.resultCode === "Refused" || payment.resultCode === "Cancelled") {
    return { ...base, refusalReason: payment.refusal?.reason, refusalReasonCode: payment.refusal?.code };
  }
  if (payment.resultCode === "RedirectShopper") {
    const url = `/_sim/payments/${payment.pspReference}/authenticate`;
    return { ...base, action: { paymentMethodType: "scheme", type: "redirect", method: "GET", url } };
  }
  const { brand, last4 } = payment.profile;
  return {
    ...base,
    additionalData: { authCode: "054321", cardSummary: last4, paymentMethod: brand },
    paymentMethod: { brand, type: "scheme" },
  };
}

/** The 201 answer to /captures, /cancels and /refunds: accepted for asynchronous processing. */
export function modificationResponse(payment: AdyenPayment, modification: Modification) {
  return {
    merchantAccount: payment.merchantAccount,
    paymentPspReference: payment.pspReference,
    pspReference: modification.pspReference,
    reference: modification.reference,
    status: "received",
    ...(modification.amount === undefined ? {} : { amount: amountOf(payment, modification.amount) }),
  };
}

/** The ledger view for /_sim/charges. */
export function renderPayment(payment: AdyenPayment) {
  return {
    ...paymentResponse(payment),
    manualCapture: payment.manualCapture,
    metadata: payment.metadata,
    cancelled: payment.cancelled,
    capturedAmount: payment.capturedAmount,
    refundedAmount: payment.refundedAmount,
    modifications: payment.modifications,
  };
}
