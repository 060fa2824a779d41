import { describe, expect, it } from "vitest";
import { type Currency, isSupportedCurrency } from "../../core/domain/currency.ts";
import { formatAmount, minorFromNumeric, parseAmount } from "../../core/domain/money.ts";

const USD = "USD" as Currency;
const JPY = "JPY" as Currency;

describe("parseAmount", () => {
  it.each([
    ["49.99", USD, 4999n],
    ["10", USD, 1000n],
    ["10.5", USD, 1050n],
    ["0.01", USD, 1n],
    ["5000", JPY, 5000n],
    ["9999999999.99", USD, 999999999999n],
    ["9999999999", JPY, 9999999999n],
  ])("%s %s -> %s minor", (input, currency, minor) => {
    expect(parseAmount(input, currency)).toEqual({ ok: true, money: { minor, currency } });
  });

  it.each([
    ["49.999", USD, "amount_too_precise"],
    ["50.5", JPY, "amount_too_precise"],
    ["0", USD, "amount_not_positive"],
    ["0.00", USD, "amount_not_positive"],
    ["-1", USD, "amount_invalid"],
    ["1e3", USD, "amount_invalid"],
    ["", USD, "amount_invalid"],
    ["01.00", USD, "amount_invalid"],
    [" 1.00", USD, "amount_invalid"],
    ["1.", USD, "amount_invalid"],
    ["NaN", USD, "amount_invalid"],
    ["10000000000.00", USD, "amount_too_large"],
  ])("%s %s is refused with %s", (input, currency, code) => {
    expect(parseAmount(input, currency)).toEqual({ ok: false, code });
  });

  it("keeps precision far beyond float range", () => {
    const parsed = parseAmount("9007199254.74", USD);
    expect(parsed.ok && parsed.money.minor).toBe(900719925474n);
  });
});

describe("formatAmount", () => {
  it("writes exactly the currency's decimals", () => {
    expect(formatAmount(1000n, USD)).toBe("10.00");
    expect(formatAmount(5n, USD)).toBe("0.05");
    expect(formatAmount(5000n, JPY)).toBe("5000");
    expect(formatAmount(-250n, USD)).toBe("-2.50");
  });

  it("round-trips every amount it parses", () => {
    for (const s of ["0.01", "0.10", "1.00", "123456.78", "9999999999.99"]) {
      const parsed = parseAmount(s, USD);
      expect(parsed.ok && formatAmount(parsed.money.minor, USD)).toBe(s);
    }
  });
});

describe("minorFromNumeric", () => {
  it("reads PostgreSQL NUMERIC text without floats", () => {
    expect(minorFromNumeric("5000.00", JPY)).toBe(5000n);
    expect(minorFromNumeric("49.99", USD)).toBe(4999n);
    expect(minorFromNumeric("0.1", USD)).toBe(10n);
  });

  it("refuses to silently drop minor units a currency cannot hold", () => {
    expect(() => minorFromNumeric("5000.50", JPY)).toThrow(/precision/);
  });
});

describe("currencies", () => {
  it("supports zero-decimal and two-decimal ISO codes, not three-decimal ones", () => {
    expect(isSupportedCurrency("JPY")).toBe(true);
    expect(isSupportedCurrency("EUR")).toBe(true);
    expect(isSupportedCurrency("KWD")).toBe(false);
    expect(isSupportedCurrency("usd")).toBe(false);
  });
});
