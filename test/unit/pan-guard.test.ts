import { describe, expect, it } from "vitest";
import {
  containsCardNumber,
  findCardData,
  findCardDataInHeaders,
  isSecurityCodeKey,
} from "../../core/domain/pan-guard.ts";

const PAN = "4242424242424242";
/** Writes PAN's digits in another Unicode digit set, given the code point of its zero. */
const inDigits = (zero: number, digits = PAN) =>
  [...digits].map((d) => String.fromCodePoint(zero + Number(d))).join("");
const grouped = (separator: string) => PAN.match(/\d{4}/g)?.join(separator) ?? "";

describe("PAN guard: separators and Unicode digits", () => {
  it.each([
    ["dots", grouped(".")],
    ["slashes", grouped("/")],
    ["underscores", grouped("_")],
    ["no-break spaces", grouped("\u00a0")],
    ["thin spaces", grouped("\u2009")],
    ["ideographic spaces", grouped("\u3000")],
    ["en dashes", grouped("\u2013")],
    ["zero-width spaces", [...PAN].join("\u200b")],
    ["a spaced dash", grouped(" - ")],
    ["tabs and newlines", grouped("\t\n")],
    ["fullwidth digits", inDigits(0xff10)],
    ["Arabic-Indic digits", inDigits(0x660)],
    ["Devanagari digits", inDigits(0x966)],
    ["mathematical monospace digits", inDigits(0x1d7f6)],
    ["mixed digit sets and separators", `${inDigits(0xff10, "4242")}.${inDigits(0x660, "4242")} 4242_4242`],
  ])("finds a card number written with %s", (_name, text) => {
    expect(containsCardNumber(`note: ${text} thanks`)).toBe(true);
  });

  it.each([
    ["a Luhn-invalid number in fullwidth digits", inDigits(0xff10, "4242424242424241")],
    ["groups more than three separators apart", "4242 4242    4242 4242"],
    ["a date and time", "2025/01/15 10.30.45"],
    ["a version string", "Chrome/120.0.6099.109 Safari/537.36"],
    ["a token", "pm_card_visa"],
  ])("does not mistake %s for a card number", (_name, text) => {
    expect(containsCardNumber(text)).toBe(false);
  });
});

describe("PAN guard: security code keys", () => {
  it.each([
    "cvv",
    "CVC",
    "cvv2",
    "CVC2",
    "cid",
    "csc",
    "cvn",
    "security_code",
    "Security-Code",
    "securityCode",
    "card_security_code",
    "card_verification",
    "card-verification-value",
    "CardVerificationCode",
    "card_cvc",
    "cvv_number",
    "\uff23\uff36\uff36",
  ])("treats %j as a security code key", (key) => {
    expect(isSecurityCodeKey(key)).toBe(true);
    expect(findCardData({ payment_method: { [key]: "123" } })).toEqual({
      field: `payment_method.${key}`,
      reason: "security_code",
    });
  });

  it.each(["cvc_check", "cvcResult", "cid_ref", "verification", "description"])(
    "leaves %j alone (PSPs report check results under such keys)",
    (key) => {
      expect(isSecurityCodeKey(key)).toBe(false);
    },
  );
});

describe("PAN guard: opaque ids", () => {
  it("never refuses a UUID or a long hex id, alone or in text, whatever digits it happens to hold", () => {
    const uuidWithPan = "42424242-4242-4242-abcd-ef0123456789";
    expect(containsCardNumber(uuidWithPan)).toBe(true);
    expect(findCardData({ event_id: uuidWithPan, key: `abcdef${"0".repeat(10)}${PAN}` })).toBeNull();
    expect(findCardDataInHeaders({ "idempotency-key": uuidWithPan.toUpperCase() }, new Set())).toBeNull();
    expect(findCardData({ id: `evt_${uuidWithPan}`, note: `ref ${uuidWithPan} done` })).toBeNull();
    expect(findCardData({ note: `${uuidWithPan} card ${PAN}` })?.reason).toBe("card_number");
  });
});

describe("PAN guard: walking values", () => {
  it("walks any depth without recursion", () => {
    let deep: unknown = { note: PAN };
    for (let i = 0; i < 200_000; i++) deep = { a: [deep] };
    const finding = findCardData(deep);
    expect(finding?.reason).toBe("card_number");
    expect(finding?.field?.endsWith(".note")).toBe(true);
  });

  it("names the first finding in document order", () => {
    expect(findCardData({ a: { b: "x", c: [`x ${PAN}`] }, d: PAN })).toEqual({
      field: "a.c.0",
      reason: "card_number",
    });
  });

  it("skips only the values of the reference keys it is given", () => {
    const event = { pspReference: PAN, additionalData: { cardNumber: PAN } };
    const referenceKeys = new Set(["pspreference"]);
    expect(findCardData({ pspReference: PAN }, { referenceKeys })).toBeNull();
    expect(findCardData(event, { referenceKeys })).toEqual({
      field: "additionalData.cardNumber",
      reason: "card_number",
    });
    expect(findCardData({ pspReference: PAN })?.field).toBe("pspReference");
  });
});

describe("PAN guard: headers", () => {
  const skip = new Set(["traceparent"]);

  it("finds card data in header values and names, never echoing the number", () => {
    expect(findCardDataInHeaders({ "idempotency-key": `order-${PAN}` }, skip)).toEqual({
      field: "idempotency-key",
      reason: "card_number",
    });
    expect(findCardDataInHeaders({ "x-note": ["a", grouped(".")] }, skip)?.field).toBe("x-note");
    expect(findCardDataInHeaders({ "x-cvv": "123" }, skip)).toEqual({
      field: "x-cvv",
      reason: "security_code",
    });
    expect(findCardDataInHeaders({ [`x-${PAN}`]: "1" }, skip)).toEqual({
      field: undefined,
      reason: "card_number",
    });
  });

  it("leaves ordinary and skipped headers alone", () => {
    const headers = {
      "content-type": "application/json",
      "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.6099.109",
      "idempotency-key": "0b7c1c9e-5f7e-4f5e-9d2a-3c1e2b4a5d6f",
      traceparent: `00-0000000000000000${PAN}-00f067aa0ba902b7-01`,
    };
    expect(findCardDataInHeaders(headers, skip)).toBeNull();
  });
});
