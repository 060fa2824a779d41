import { randomUUID } from "node:crypto";
import type { Currency } from "../../core/domain/currency.ts";
import type { Money } from "../../core/domain/money.ts";
import type { AuthorizeRequest } from "../../core/ports/payment-connector.ts";

export function money(minor: bigint, currency = "USD"): Money {
  return { minor, currency: currency as Currency };
}

/** A fresh payment and attempt each call, so tests never share PSP state. */
export function authorizeRequest(overrides: Partial<AuthorizeRequest> = {}): AuthorizeRequest {
  return {
    paymentId: randomUUID(),
    orderId: "4242",
    attemptId: randomUUID(),
    amount: money(1_000n),
    paymentMethodToken: "pm_card_visa",
    captureMethod: "automatic",
    ...overrides,
  };
}
