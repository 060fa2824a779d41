// ISO 4217 codes we accept, with their minor-unit exponent. Three-decimal currencies (BHD, KWD, …)
// are deliberately absent: the ledger stores NUMERIC(12,2), as the refunds DDL prescribes.
const EXPONENTS: Readonly<Record<string, 0 | 2>> = {
  AED: 2,
  AUD: 2,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CNY: 2,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  IDR: 2,
  ILS: 2,
  INR: 2,
  MXN: 2,
  MYR: 2,
  NOK: 2,
  NZD: 2,
  PHP: 2,
  PLN: 2,
  RON: 2,
  SEK: 2,
  SGD: 2,
  THB: 2,
  TRY: 2,
  TWD: 2,
  USD: 2,
  ZAR: 2,
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
};

export type Currency = string & { readonly __brand: "Currency" };

export function isSupportedCurrency(code: string): code is Currency {
  return Object.hasOwn(EXPONENTS, code);
}

export function currencyExponent(currency: Currency): 0 | 2 {
  const exponent = EXPONENTS[currency];
  if (exponent === undefined) throw new Error(`unsupported currency ${currency}`);
  return exponent;
}

export const SUPPORTED_CURRENCIES = Object.keys(EXPONENTS) as Currency[];
