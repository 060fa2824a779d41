import { describe, expect, it } from "vitest";
import { AdyenConnector } from "../../core/adapters/psp/adyen/connector.ts";
import { adyenMinorUnits } from "../../core/adapters/psp/adyen/currency-units.ts";
import { captureBody, paymentBody, refundBody } from "../../core/adapters/psp/adyen/requests.ts";
import { paymentOutcome } from "../../core/adapters/psp/adyen/transformers.ts";
import { interpretAdyenEvent } from "../../core/adapters/psp/adyen/webhook-events.ts";
import { stripeMinorUnits } from "../../core/adapters/psp/stripe/currency-units.ts";
import { encodeForm } from "../../core/adapters/psp/stripe/form-encoding.ts";
import { authorizeParams, captureParams, refundParams } from "../../core/adapters/psp/stripe/requests.ts";
import { intentOutcome } from "../../core/adapters/psp/stripe/transformers.ts";
import { interpretStripeEvent } from "../../core/adapters/psp/stripe/webhook-events.ts";
import { paymentIntent } from "../../core/adapters/psp/stripe/wire.ts";
import type { VerifiedWebhookEvent } from "../../core/ports/payment-connector.ts";
import { authorizeRequest, money } from "../helpers/psp-requests.ts";

// Values from the PSPs' own pages: docs.stripe.com/currencies ("Special cases": ISK and UGX are sent
// two-decimal with 00 decimals) and docs.adyen.com/development-resources/currency-codes (CLP and ISK
// two-decimal, IDR zero-decimal, "differs from standard").

describe("Stripe minor units", () => {
  it.each([
    ["ISK", 5_000n, 500_000n],
    ["UGX", 5_000n, 500_000n],
    ["JPY", 5_000n, 5_000n],
    ["CLP", 5_000n, 5_000n],
    ["USD", 4_999n, 4_999n],
    ["IDR", 1_000_000n, 1_000_000n],
  ])("%s %i in our minor units is %i at Stripe, and back", (currency, ours, atStripe) => {
    expect(stripeMinorUnits.toPsp(money(ours, currency))).toBe(atStripe);
    expect(stripeMinorUnits.fromPsp(atStripe, currency.toLowerCase())).toBe(ours);
  });

  it("refuses a Stripe ISK amount with a fraction of a krona, and a currency we do not hold", () => {
    expect(stripeMinorUnits.fromPsp(500_050n, "isk")).toBeUndefined();
    expect(stripeMinorUnits.fromPsp(100n, "xyz")).toBeUndefined();
  });

  it("writes ISK 5000 as amount=500000 in create, capture and refund requests", () => {
    const req = authorizeRequest({ amount: money(5_000n, "ISK") });
    const create = new URLSearchParams(encodeForm(authorizeParams(req)));
    expect(create.get("amount")).toBe("500000");
    expect(create.get("currency")).toBe("isk");
    const on = { paymentId: req.paymentId, attemptId: req.attemptId, pspReference: "pi_1" };
    expect(captureParams({ ...on, amount: money(2_000n, "ISK") }).amount_to_capture).toBe(200_000n);
    expect(refundParams({ ...on, refundId: "r1", amount: money(1n, "ISK") }).amount).toBe(100n);
  });

  it("reads an ISK intent and an ISK dispute back in whole krónur", () => {
    const pi = paymentIntent.parse({
      id: "pi_1",
      object: "payment_intent",
      amount: 500_000,
      amount_capturable: 500_000,
      amount_received: 0,
      currency: "isk",
      status: "requires_capture",
      capture_method: "manual",
    });
    expect(intentOutcome(pi).outcome).toMatchObject({ kind: "authorized", amountCapturable: 5_000n });
    const dispute = {
      id: "dp_1",
      object: "dispute",
      amount: 500_000,
      currency: "isk",
      status: "needs_response",
      payment_intent: "pi_1",
    };
    const event: VerifiedWebhookEvent = {
      psp: "stripe",
      eventId: "evt_1",
      type: "charge.dispute.created",
      pspReference: "pi_1",
      occurredAt: new Date(),
      data: dispute,
    };
    expect(interpretStripeEvent(event).fact).toMatchObject({ kind: "dispute", amountMinor: 5_000n });
  });

  it("never reads an ISK amount that is not whole krónur as money", () => {
    const pi = paymentIntent.parse({
      id: "pi_1",
      object: "payment_intent",
      amount: 500_050,
      amount_capturable: 0,
      amount_received: 500_050,
      currency: "isk",
      status: "succeeded",
      capture_method: "automatic",
    });
    expect(intentOutcome(pi).outcome.kind).toBe("indeterminate");
  });
});

describe("Adyen minor units", () => {
  it.each([
    ["CLP", 5_000n, 500_000n],
    ["ISK", 5_000n, 500_000n],
    ["IDR", 1_000_000n, 10_000n],
    ["JPY", 5_000n, 5_000n],
    ["EUR", 1_050n, 1_050n],
  ])("%s %i in our minor units is %i at Adyen, and back", (currency, ours, atAdyen) => {
    expect(adyenMinorUnits.toPsp(money(ours, currency))).toBe(atAdyen);
    expect(adyenMinorUnits.fromPsp(atAdyen, currency)).toBe(ours);
  });

  it("cannot send IDR with sen (Adyen counts whole rupiah)", () => {
    expect(adyenMinorUnits.toPsp(money(1_000_050n, "IDR"))).toBeUndefined();
  });

  it("writes CLP 5000 as value 500000 in /payments, /captures and /refunds", () => {
    const req = authorizeRequest({ amount: money(5_000n, "CLP") });
    expect(paymentBody(req, "M").amount).toEqual({ value: 500_000n, currency: "CLP" });
    const on = { paymentId: req.paymentId, attemptId: req.attemptId, pspReference: "PSP1" };
    expect(captureBody({ ...on, amount: money(5_000n, "CLP") }, "M").amount.value).toBe(500_000n);
    expect(refundBody({ ...on, refundId: "r1", amount: money(1n, "CLP") }, "M").amount.value).toBe(100n);
  });

  it("reads /payments amounts and notification amounts back in our units", () => {
    const res = {
      pspReference: "PSP1",
      resultCode: "Authorised",
      amount: { value: 500_000n, currency: "CLP" },
    };
    expect(paymentOutcome(res, { minor: 5_000n, captureMethod: "manual" }).outcome).toMatchObject({
      amountCapturable: 5_000n,
    });
    const notification = (eventCode: string) =>
      interpretAdyenEvent({
        psp: "adyen",
        eventId: `MOD1:${eventCode}:true`,
        type: eventCode,
        pspReference: "PSP1",
        occurredAt: new Date(),
        data: {
          pspReference: "MOD1",
          originalReference: "PSP1",
          merchantAccountCode: "M",
          merchantReference: "ref",
          amount: { value: 500_000, currency: "ISK" },
          eventCode,
          success: "true",
        },
      }).fact;
    expect(notification("AUTHORISATION")).toMatchObject({ kind: "authorized", amountMinor: 5_000n });
    expect(notification("CAPTURE")).toEqual({ kind: "captured", amountMinor: 5_000n });
  });

  it("refuses locally, without a request, an amount Adyen cannot express", async () => {
    const connector = new AdyenConnector({
      baseUrl: "http://127.0.0.1:9",
      apiKey: "k",
      merchantAccount: "M",
      hmacKeyHex: "00",
      timeoutMs: 100,
    });
    const outcome = await connector.authorize(authorizeRequest({ amount: money(1_000_050n, "IDR") }));
    expect(outcome).toMatchObject({
      kind: "rejected",
      pspCode: "amount_not_representable",
      diagnostics: { requests: 0 },
    });
  });
});
