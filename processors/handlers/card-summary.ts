import type { PaymentMethodInput } from "../../core/domain/commands.ts";

const BRANDS: Array<[RegExp, string]> = [
  [/visa/i, "visa"],
  [/mastercard/i, "mastercard"],
  [/amex/i, "amex"],
];

/** What we keep of a payment method: the PSP token, its last four characters, and a brand when known. */
export function cardSummary(method: PaymentMethodInput | null) {
  if (!method) {
    return { paymentMethodType: null, paymentMethodToken: null, cardBrand: null, cardLast4: null };
  }
  const brand = BRANDS.find(([pattern]) => pattern.test(method.token))?.[1] ?? null;
  return {
    paymentMethodType: method.type,
    paymentMethodToken: method.token,
    cardBrand: brand,
    cardLast4: method.token.slice(-4),
  };
}
