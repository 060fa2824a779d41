import { type Currency, currencyExponent, isSupportedCurrency } from "../../domain/currency.ts";
import type { Money } from "../../domain/money.ts";

/**
 * Converts between our ISO 4217 minor units and a PSP's own minor units. PSPs keep their own
 * exponent for a few currencies (Stripe charges ISK in hundredths, Adyen CLP in hundredths and IDR
 * in whole rupiah), so an amount is always converted on the way out and on the way back.
 */
export class PspMinorUnits {
  /** `deviations`: the PSP's documented exponent where it differs from ISO 4217; ISO elsewhere. */
  constructor(private readonly deviations: Readonly<Record<string, number>>) {}

  exponent(currency: Currency): number {
    return this.deviations[currency] ?? currencyExponent(currency);
  }

  /** Our amount in the PSP's minor units; undefined when the PSP cannot express it exactly. */
  toPsp(money: Money): bigint | undefined {
    const shift = this.exponent(money.currency) - currencyExponent(money.currency);
    return rescale(money.minor, shift);
  }

  /** A PSP amount in our minor units; undefined for an unknown currency or a fraction we cannot hold. */
  fromPsp(amount: bigint, currency: string): bigint | undefined {
    const code = currency.toUpperCase();
    if (!isSupportedCurrency(code)) return undefined;
    return rescale(amount, currencyExponent(code) - this.exponent(code));
  }
}

function rescale(amount: bigint, shift: number): bigint | undefined {
  if (shift >= 0) return amount * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  return amount % divisor === 0n ? amount / divisor : undefined;
}
