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
