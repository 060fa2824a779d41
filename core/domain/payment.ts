import type { Currency } from "./currency.ts";
import type { CaptureMethod, PaymentStatus, PspName } from "./payment-status.ts";

/** What the shopper must do next (3-D Secure): enough for a client to finish the step with the PSP. */
export interface NextAction {
  type: string;
  /** Stripe: handed to stripe.js (handleNextAction) when type is use_stripe_sdk. */
  clientSecret?: string;
  /** Where to send the shopper (Stripe redirect_to_url, Adyen action.url). */
  redirectUrl?: string;
}

export interface Payment {
  paymentId: string;
  /** The merchant the payment belongs to; the public API never shows it to another merchant. */
  merchantId: string;
  partitionKey: string;
  orderId: string;
  amount: bigint;
  currency: Currency;
  status: PaymentStatus;
  captureMethod: CaptureMethod;
  psp: PspName;
  paymentMethodType: string | null;
  paymentMethodToken: string | null;
  cardBrand: string | null;
  cardLast4: string | null;
  amountCapturable: bigint;
  amountCaptured: bigint;
  amountRefunded: bigint;
  amountRefundPending: bigint;
  riskScore: number | null;
  riskDecision: string | null;
  needsReview: boolean;
  failureReason: string | null;
  pspCode: string | null;
  pspReference: string | null;
  customerId: string | null;
  description: string | null;
  metadata: Record<string, string>;
  /** While requires_action: how the shopper finishes authentication (from the PSP's answer). */
  nextAction: NextAction | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface Refund {
  refundId: string;
  paymentId: string;
  amount: bigint;
  currency: Currency;
  reason: string | null;
  status: "pending" | "succeeded" | "failed";
  createdAt: Date;
  processedAt: Date | null;
}
