import { randomUUID } from "node:crypto";
import type { PaymentCommand } from "../../core/domain/commands.ts";
import type { Currency } from "../../core/domain/currency.ts";
import type { Payment } from "../../core/domain/payment.ts";
import { TEST_MERCHANT_ID } from "./test-key.ts";

let orderSeq = Math.floor(Date.now() / 1000) * 1000 + Math.floor(Math.random() * 1000);

export function nextOrderId(): number {
  orderSeq += 1;
  return orderSeq;
}

export interface PaymentBodyOverrides {
  /** The card token; `null` leaves payment_method out (unless given explicitly). */
  token?: string | null;
  psp?: "stripe" | "adyen" | null;
  capture_method?: "automatic" | "manual" | null;
  [field: string]: unknown;
}

/** A valid POST /payments body; `token: null` leaves the payment method out. */
export function newPaymentBody(overrides: PaymentBodyOverrides = {}): Record<string, unknown> {
  const { token = "pm_card_visa", ...rest } = overrides;
  const body: Record<string, unknown> = {
    order_id: nextOrderId(),
    amount: "10.00",
    currency: "USD",
    psp: "stripe",
    capture_method: "automatic",
    ...rest,
  };
  if (token !== null) body.payment_method = { type: "card", token };
  return body;
}

/** A ledger Payment (domain object), USD 10.00 manual capture awaiting confirmation, unless overridden. */
export function newDomainPayment(overrides: Partial<Payment> = {}): Payment {
  const now = new Date();
  return {
    paymentId: randomUUID(),
    merchantId: TEST_MERCHANT_ID,
    partitionKey: now.toISOString().slice(0, 10),
    orderId: String(nextOrderId()),
    amount: 1000n,
    currency: "USD" as Currency,
    status: "requires_confirmation",
    captureMethod: "manual",
    psp: "stripe",
    paymentMethodType: "card",
    paymentMethodToken: "pm_card_visa",
    cardBrand: "visa",
    cardLast4: "4242",
    amountCapturable: 0n,
    amountCaptured: 0n,
    amountRefunded: 0n,
    amountRefundPending: 0n,
    riskScore: null,
    riskDecision: null,
    needsReview: false,
    failureReason: null,
    pspCode: null,
    pspReference: null,
    customerId: null,
    description: null,
    metadata: {},
    nextAction: null,
    version: 0,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** A create command as it travels on the command topic: USD 3.50, automatic capture, Stripe. */
export function newCreateCommand(token: string): PaymentCommand {
  return {
    commandId: randomUUID(),
    paymentId: randomUUID(),
    issuedAt: new Date(),
    idempotencyKey: null,
    merchantId: TEST_MERCHANT_ID,
    type: "create",
    body: {
      order_id: nextOrderId(),
      amount: "3.50",
      amount_minor: 350,
      currency: "USD",
      psp: "stripe",
      capture_method: "automatic",
      payment_method: { type: "card", token },
      customer_id: null,
      description: null,
      metadata: {},
    },
  };
}
