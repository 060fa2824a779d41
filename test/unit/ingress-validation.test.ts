import { describe, expect, it } from "vitest";
import type { Currency } from "../../core/domain/currency.ts";
import { PaymentError } from "../../core/domain/errors.ts";
import { containsCardNumber, findCardData, passesLuhn } from "../../core/domain/pan-guard.ts";
import { canonicalJson, requestHash } from "../../http-ingress/middleware/idempotency.ts";
import {
  cancelPaymentSchema,
  capturePaymentSchema,
  confirmPaymentSchema,
  createPaymentSchema,
} from "../../http-ingress/payments/schema.ts";
import { refundIdFor } from "../../http-ingress/refunds/routes.ts";
import { refundPaymentSchema } from "../../http-ingress/refunds/schema.ts";
import { parseBody } from "../../http-ingress/validation.ts";
import { newPaymentBody } from "../helpers/factories.ts";

const USD = "USD" as Currency;
const JPY = "JPY" as Currency;

/** The rejection (422 at the edge) a body earns, as {code, field}; null when it is valid. */
function rejection(schema: Parameters<typeof parseBody>[0], body: unknown) {
  try {
    parseBody(schema, body);
    return null;
  } catch (err) {
    if (!(err instanceof PaymentError)) throw err;
    expect(err.kind).toBe("invalid");
    return { code: err.code, field: err.field };
  }
}

const create = (overrides: Record<string, unknown>) =>
  rejection(createPaymentSchema, newPaymentBody(overrides));

describe("POST /payments amounts", () => {
  it.each([
    ["49.99", "USD"],
    ["0.01", "USD"],
    ["10", "USD"],
    ["10.5", "USD"],
    ["5000", "JPY"],
    ["9999999999.99", "USD"],
  ])("accepts %s %s", (amount, currency) => {
    expect(create({ amount, currency })).toBeNull();
  });

  it.each([
    ["49.999", "USD", "amount_too_precise"],
    ["50.5", "JPY", "amount_too_precise"],
    ["5000.00", "JPY", "amount_too_precise"],
    ["0", "USD", "amount_not_positive"],
    ["0.00", "USD", "amount_not_positive"],
    ["-1", "USD", "amount_not_positive"],
    ["-0.50", "USD", "amount_not_positive"],
    ["1e3", "USD", "amount_invalid"],
    ["", "USD", "amount_invalid"],
    [" 10", "USD", "amount_invalid"],
    ["010", "USD", "amount_invalid"],
    ["10.", "USD", "amount_invalid"],
    [".5", "USD", "amount_invalid"],
    ["1,000.00", "USD", "amount_invalid"],
    ["NaN", "USD", "amount_invalid"],
    ["10000000000.00", "USD", "amount_too_large"],
    ["10000000000", "JPY", "amount_too_large"],
  ])("rejects %s %s with %s", (amount, currency, code) => {
    expect(create({ amount, currency })).toEqual({ code, field: "amount" });
  });

  it.each([[49.99], [5000], [null], [true], [{ value: "1.00" }]])(
    "rejects the non-string amount %j",
    (amount) => {
      expect(create({ amount })).toEqual({ code: "amount_invalid", field: "amount" });
    },
  );

  it("names a missing amount", () => {
    const { amount: _, ...body } = newPaymentBody();
    expect(rejection(createPaymentSchema, body)).toEqual({ code: "parameter_missing", field: "amount" });
  });

  it("normalises the currency's case and refuses unsupported ones", () => {
    expect(parseBody(createPaymentSchema, newPaymentBody({ currency: "usd" })).currency).toBe("USD");
    expect(create({ currency: "XXX" })).toEqual({ code: "currency_unsupported", field: "currency" });
    expect(create({ currency: "KWD", amount: "1.000" })).toEqual({
      code: "currency_unsupported",
      field: "currency",
    });
    expect(create({ currency: 840 })).toEqual({ code: "parameter_invalid", field: "currency" });
  });
});

describe("POST /payments fields", () => {
  it("accepts the minimal and the full body", () => {
    expect(rejection(createPaymentSchema, { order_id: 1, amount: "1.00", currency: "EUR" })).toBeNull();
    const full = newPaymentBody({
      psp: "adyen",
      capture_method: "manual",
      customer_id: "cus_1",
      description: "x".repeat(1000),
      metadata: Object.fromEntries(
        Array.from({ length: 50 }, (_, i) => [`k${i}`.padEnd(40, "k"), "v".repeat(500)]),
      ),
    });
    expect(rejection(createPaymentSchema, full)).toBeNull();
  });

  it.each([
    [{ order_id: "1001" }, "parameter_invalid", "order_id"],
    [{ order_id: 0 }, "parameter_invalid", "order_id"],
    [{ order_id: -5 }, "parameter_invalid", "order_id"],
    [{ order_id: 1.5 }, "parameter_invalid", "order_id"],
    [{ order_id: 2 ** 53 }, "parameter_invalid", "order_id"],
    [{ psp: "paypal" }, "parameter_invalid", "psp"],
    [{ capture_method: "later" }, "parameter_invalid", "capture_method"],
    [{ customer_id: "c".repeat(256) }, "parameter_invalid", "customer_id"],
    [{ customer_id: "" }, "parameter_invalid", "customer_id"],
    [{ description: "d".repeat(1001) }, "parameter_invalid", "description"],
    [{ metadata: "note" }, "parameter_invalid", "metadata"],
    [{ metadata: { n: 1 } }, "parameter_invalid", "metadata.n"],
    [{ metadata: { note: "v".repeat(501) } }, "parameter_invalid", "metadata.note"],
    [{ metadata: { ["k".repeat(41)]: "v" } }, "custom", `metadata.${"k".repeat(41)}`],
    [
      { metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])) },
      "custom",
      "metadata",
    ],
    [{ unexpected: true }, "parameter_unknown", "unexpected"],
    [{ token: "4242" }, "parameter_invalid", "payment_method.token"],
    [{ token: "card_visa" }, "parameter_invalid", "payment_method.token"],
    [{ token: `pm_${"a".repeat(201)}` }, "parameter_invalid", "payment_method.token"],
    [{ token: "pm_card visa" }, "parameter_invalid", "payment_method.token"],
  ])("rejects %j naming the field", (overrides, code, field) => {
    const result = create(overrides);
    expect(result?.field).toBe(field);
    if (code !== "custom") expect(result?.code).toBe(code);
  });

  it("refuses unknown fields inside payment_method and a wrong type", () => {
    const body = newPaymentBody({
      token: null,
      payment_method: { type: "card", token: "pm_card_visa", exp: "12/30" },
    });
    expect(rejection(createPaymentSchema, body)).toEqual({
      code: "parameter_unknown",
      field: "payment_method.exp",
    });
    const sepa = newPaymentBody({ token: null, payment_method: { type: "sepa", token: "pm_card_visa" } });
    expect(rejection(createPaymentSchema, sepa)).toEqual({
      code: "parameter_invalid",
      field: "payment_method.type",
    });
  });

  it("prefers naming a misspelt field over the missing one", () => {
    expect(rejection(createPaymentSchema, { order_idd: 1, amount: "1.00", currency: "USD" })).toEqual({
      code: "parameter_unknown",
      field: "order_idd",
    });
  });

  it("treats null optional fields as absent", () => {
    const body = newPaymentBody({
      psp: null,
      capture_method: null,
      metadata: null,
      token: null,
      payment_method: null,
    });
    expect(rejection(createPaymentSchema, body)).toBeNull();
  });

  it("refuses a body that is not an object", () => {
    expect(rejection(createPaymentSchema, [1, 2])?.code).toBe("parameter_invalid");
  });
});

describe("payment actions", () => {
  it("confirm takes an optional payment_method only", () => {
    expect(rejection(confirmPaymentSchema, {})).toBeNull();
    expect(
      rejection(confirmPaymentSchema, { payment_method: { type: "card", token: "pm_card_visa" } }),
    ).toBeNull();
    expect(rejection(confirmPaymentSchema, { amount: "1.00" })).toEqual({
      code: "parameter_unknown",
      field: "amount",
    });
  });

  it("capture and refund check amounts against the payment's currency", () => {
    expect(rejection(capturePaymentSchema(USD), { amount: "4.00" })).toBeNull();
    expect(rejection(capturePaymentSchema(USD), { amount: "4.001" })).toEqual({
      code: "amount_too_precise",
      field: "amount",
    });
    expect(rejection(capturePaymentSchema(JPY), { amount: "400.5" })).toEqual({
      code: "amount_too_precise",
      field: "amount",
    });
    expect(rejection(refundPaymentSchema(JPY), { amount: "500" })).toBeNull();
    expect(rejection(refundPaymentSchema(USD), { amount: 5 })).toEqual({
      code: "amount_invalid",
      field: "amount",
    });
    expect(rejection(refundPaymentSchema(USD), { amount: "0" })).toEqual({
      code: "amount_not_positive",
      field: "amount",
    });
    expect(rejection(refundPaymentSchema(USD), { reason: "r".repeat(65) })?.field).toBe("reason");
    expect(rejection(cancelPaymentSchema, { reason: "requested_by_customer" })).toBeNull();
    expect(rejection(cancelPaymentSchema, { amount: "1.00" })?.code).toBe("parameter_unknown");
  });
});

describe("card data guard", () => {
  it("implements Luhn", () => {
    expect(passesLuhn("4242424242424242")).toBe(true);
    expect(passesLuhn("4242424242424241")).toBe(false);
    expect(passesLuhn("79927398713")).toBe(true);
  });

  it.each([
    "4242424242424242",
    "4242 4242 4242 4242",
    "4242-4242-4242-4242",
    "card 5555555555554444 exp 12/30",
    "378282246310005",
    "6011111111111117",
    "4000056655665556",
    "4242424242424242428",
    "ref 12 4242 4242 4242 4242",
  ])("finds the card number in %j", (text) => {
    expect(containsCardNumber(text)).toBe(true);
  });

  it.each([
    "4242424242424241",
    "1234567812345678",
    "424242424242",
    "42424242424242424242424",
    "order 1001 for 49.99",
    "+1 555 123 4567",
    "2025-01-01T12:00:00.000Z",
    "pm_card_visa",
  ])("does not mistake %j for a card number", (text) => {
    expect(containsCardNumber(text)).toBe(false);
  });

  it("searches every string and key at any depth, and numbers under card-number keys", () => {
    expect(findCardData(newPaymentBody({ metadata: { note: "4242424242424242" } }))).toEqual({
      field: "metadata.note",
      reason: "card_number",
    });
    expect(findCardData({ card: { number: "4242 4242 4242 4242" } })).toEqual({
      field: "card.number",
      reason: "card_number",
    });
    expect(findCardData({ items: [{ sku: "a" }, { sku: "5555555555554444" }] })).toEqual({
      field: "items.1.sku",
      reason: "card_number",
    });
    expect(findCardData({ card: { number: 4242424242424242 } })).toEqual({
      field: "card.number",
      reason: "card_number",
    });
    expect(findCardData({ order_id: 4242424242424242 })).toBeNull();
    expect(findCardData({ description: "card 4242424242424241" })).toBeNull();
    expect(findCardData(newPaymentBody({ metadata: { order_ref: "1234567812345678" } }))).toBeNull();
  });

  it("never echoes a card number used as a key", () => {
    expect(findCardData({ metadata: { "4242424242424242": "x" } })).toEqual({
      field: "metadata",
      reason: "card_number",
    });
    expect(findCardData({ "4242424242424242": "x" })).toEqual({ field: undefined, reason: "card_number" });
  });

  it.each(["cvv", "CVC", "cvv2", "security_code", "csc"])("refuses a %s key anywhere", (key) => {
    expect(findCardData({ payment_method: { type: "card", [key]: "123" } })).toEqual({
      field: `payment_method.${key}`,
      reason: "security_code",
    });
    expect(findCardData({ metadata: { [key]: "" } })?.reason).toBe("security_code");
  });
});

describe("idempotency fingerprint", () => {
  it("ignores key order and formatting but not values, paths or methods", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
    );
    const a = requestHash("POST", "/payments", { amount: "1.00", currency: "USD" });
    expect(requestHash("POST", "/payments", { currency: "USD", amount: "1.00" })).toBe(a);
    expect(requestHash("POST", "/payments", { currency: "USD", amount: "1.01" })).not.toBe(a);
    expect(requestHash("POST", "/payments/x/confirm", { currency: "USD", amount: "1.00" })).not.toBe(a);
  });

  it("derives a stable, well-formed refund id from the command id", () => {
    const id = refundIdFor("3b241101-e2bb-4255-8caf-4136c566a962");
    expect(id).toBe(refundIdFor("3b241101-e2bb-4255-8caf-4136c566a962"));
    expect(id).not.toBe(refundIdFor("3b241101-e2bb-4255-8caf-4136c566a963"));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
