import { describe, expect, it } from "vitest";
import { fallbackPsps, parseRouting } from "../../core/domain/psp-routing.ts";

describe("PSP_ROUTING", () => {
  const routing = parseRouting("USD=stripe,adyen; EUR=adyen,stripe; *=stripe");

  it("falls back to the next PSP of the payment's currency, never to one already tried", () => {
    expect(fallbackPsps(routing, "USD", "stripe", [])).toEqual(["adyen"]);
    expect(fallbackPsps(routing, "EUR", "adyen", [])).toEqual(["stripe"]);
    expect(fallbackPsps(routing, "USD", "stripe", ["adyen"])).toEqual([]);
  });

  it("uses the wildcard for other currencies, and routes nothing a currency's list does not name", () => {
    expect(fallbackPsps(routing, "JPY", "stripe", [])).toEqual([]);
    expect(fallbackPsps(parseRouting("*=adyen,stripe"), "JPY", "adyen", [])).toEqual(["stripe"]);
    expect(fallbackPsps(parseRouting("USD=adyen"), "USD", "stripe", [])).toEqual([]);
  });

  it("is off when empty, and refuses malformed values at boot", () => {
    expect(fallbackPsps(parseRouting(""), "USD", "stripe", [])).toEqual([]);
    expect(() => parseRouting("USD=stripe,worldpay")).toThrow(/unknown PSP/);
    expect(() => parseRouting("usd=stripe")).toThrow(/not CUR=psp/);
    expect(() => parseRouting("USD")).toThrow(/not CUR=psp/);
  });
});
