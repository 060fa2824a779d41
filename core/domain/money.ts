import { type Currency, currencyExponent } from "./currency.ts";

/** Money is always an integer count of the currency's minor units. */
export interface Money {
  readonly minor: bigint;
  readonly currency: Currency;
}

/** NUMERIC(12,2): the largest amount the ledger can hold, in hundredths. */
const LEDGER_MAX_HUNDREDTHS = 999_999_999_999n;

export type AmountParseError =
  | "amount_invalid"
  | "amount_too_precise"
  | "amount_not_positive"
  | "amount_too_large";

const DECIMAL = /^(0|[1-9]\d*)(?:\.(\d+))?$/;

export function parseAmount(
  input: string,
  currency: Currency,
): { ok: true; money: Money } | { ok: false; code: AmountParseError } {
  const match = DECIMAL.exec(input);
  if (!match) return { ok: false, code: "amount_invalid" };
  const whole = match[1] ?? "0";
  const fraction = match[2] ?? "";
  const exponent = currencyExponent(currency);
  if (fraction.length > exponent) return { ok: false, code: "amount_too_precise" };
  const minor = BigInt(whole + fraction.padEnd(exponent, "0"));
  if (minor <= 0n) return { ok: false, code: "amount_not_positive" };
  if (toHundredths(minor, exponent) > LEDGER_MAX_HUNDREDTHS) return { ok: false, code: "amount_too_large" };
  return { ok: true, money: { minor, currency } };
}

/** Renders minor units with exactly the currency's number of decimals: "10.00" USD, "5000" JPY. */
export function formatAmount(minor: bigint, currency: Currency): string {
  const exponent = currencyExponent(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent > 0 ? `.${digits.slice(-exponent)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** Reads a PostgreSQL NUMERIC (as text, e.g. "5000.00") into minor units; rejects lost precision. */
export function minorFromNumeric(numeric: string, currency: Currency): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(numeric);
  if (!match) throw new Error(`not a numeric: ${numeric}`);
  const exponent = currencyExponent(currency);
  const fraction = (match[3] ?? "").replace(/0+$/, "");
  if (fraction.length > exponent) throw new Error(`numeric ${numeric} has more precision than ${currency}`);
  const minor = BigInt((match[2] ?? "0") + fraction.padEnd(exponent, "0"));
  return match[1] === "-" ? -minor : minor;
}

/** Writes minor units as a NUMERIC literal for PostgreSQL. */
export function numericFromMinor(minor: bigint, currency: Currency): string {
  return formatAmount(minor, currency);
}

function toHundredths(minor: bigint, exponent: 0 | 2): bigint {
  return exponent === 0 ? minor * 100n : minor;
}
