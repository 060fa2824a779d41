import { PspMinorUnits } from "../minor-units.ts";

/**
 * Stripe's exponents where they differ from ISO 4217 (docs.stripe.com/currencies, "Special cases"):
 * ISK and UGX are zero-decimal in ISO, but Stripe keeps them two-decimal for backwards
 * compatibility, with the decimal part always 00 (ISK 5000 is amount=500000). Stripe's
 * zero-decimal list (BIF, CLP, DJF, GNF, JPY, KMF, KRW, MGA, PYG, RWF, VND, VUV, XAF, XOF, XPF)
 * matches ISO for every currency we accept. HUF and TWD are two-decimal for charges, as in ISO
 * (their whole-unit rule applies to payouts only).
 */
export const stripeMinorUnits = new PspMinorUnits({ ISK: 2, UGX: 2 });
