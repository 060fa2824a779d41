import { type ChargeSummary, summarize } from "../shared/charge-summary.ts";
import type { CardProfile } from "../shared/test-tokens.ts";
import { renderPayment } from "./render.ts";

export type AdyenResultCode = "Authorised" | "Refused" | "RedirectShopper" | "Cancelled";

export interface Modification {
  pspReference: string;
  kind: "capture" | "cancel" | "refund";
  reference: string | undefined;
  amount: bigint | undefined;
  success: boolean;
  /** When it was requested, in ms (the settlement report's Creation Date). */
  createdMs: number;
}

export interface AdyenPayment {
  pspReference: string;
  merchantReference: string;
  merchantAccount: string;
  createdMs: number;
  amount: bigint;
  currency: string;
  manualCapture: boolean;
  resultCode: AdyenResultCode;
  refusal: { reason: string; code: string } | undefined;
  token: string;
  profile: CardProfile;
  metadata: Record<string, string>;
  /** Money was reserved or charged (what /_sim/charges counts). */
  authorized: boolean;
  cancelled: boolean;
  captures: number;
  capturedAmount: bigint;
  refundsSucceeded: number;
  refundedAmount: bigint;
  modifications: Modification[];
}

export class AdyenLedger {
  readonly payments = new Map<string, AdyenPayment>();

  add(payment: AdyenPayment): AdyenPayment {
    this.payments.set(payment.pspReference, payment);
    return payment;
  }

  summary(paymentId: string): ChargeSummary {
    const payments = [...this.payments.values()].filter((p) => p.metadata.payment_id === paymentId);
    return summarize(paymentId, payments, payments.map(renderPayment));
  }

  reset(): void {
    this.payments.clear();
  }
}
