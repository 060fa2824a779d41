import { describe, expect, it } from "vitest";
import { authorizeReply as adyenAuthorizeReply } from "../../core/adapters/psp/adyen/replies.ts";
import { errorOutcome as adyenErrorOutcome } from "../../core/adapters/psp/adyen/transformers.ts";
import { pspIntegrationErrors, reportIntegrationError } from "../../core/adapters/psp/alerts.ts";
import type { HttpReply } from "../../core/adapters/psp/resilient-http.ts";
import { stripeRetryVerdict } from "../../core/adapters/psp/stripe/client.ts";
import { authorizeReply, cancelReply, captureReply } from "../../core/adapters/psp/stripe/replies.ts";
import { errorOutcome } from "../../core/adapters/psp/stripe/transformers.ts";

function reply(status: number, body: unknown, headers: Record<string, string> = {}): HttpReply {
  return { status, headers: new Headers(headers), text: JSON.stringify(body) };
}

function intent(status: string, extra: Record<string, unknown> = {}) {
  return {
    id: "pi_1",
    object: "payment_intent",
    amount: 1000,
    amount_capturable: 0,
    amount_received: status === "succeeded" ? 1000 : 0,
    currency: "usd",
    status,
    capture_method: "manual",
    client_secret: "pi_1_secret_abc",
    ...extra,
  };
}

// Stripe's documented error envelope: {error: {type, code?, message, payment_intent?, ...}}; the
// unexpected-state error embeds the whole PaymentIntent as the API renders it.
const unexpectedState = (action: string, status: string) => ({
  error: {
    code: "payment_intent_unexpected_state",
    doc_url: "https://stripe.com/docs/error-codes/payment-intent-unexpected-state",
    message: `This PaymentIntent could not be ${action} because it has a status of ${status}.`,
    payment_intent: intent(status),
    type: "invalid_request_error",
  },
});

describe("Stripe: credentials, idempotency misuse and throttling are not refusals", () => {
  it.each([
    [401, { type: "invalid_request_error", message: "Invalid API Key provided: sk_test_****abcd" }],
    [
      403,
      { type: "invalid_request_error", message: "The provided key does not have the required permissions" },
    ],
    [401, "<html>unauthorized</html>"],
  ])("HTTP %i is a configuration error", (status, error) => {
    const body = typeof error === "string" ? error : { error };
    expect(errorOutcome(reply(status, body)).outcome.kind).toBe("configuration_error");
    expect(authorizeReply(reply(status, body)).outcome.kind).toBe("configuration_error");
  });

  it("idempotency_error (HTTP 400) is indeterminate: the first request under the key may have charged", () => {
    const body = {
      error: {
        type: "idempotency_error",
        message:
          "Keys for idempotent requests can only be used with the same parameters they were first used with.",
      },
    };
    expect(errorOutcome(reply(400, body))).toMatchObject({
      rawStatus: "idempotency_error",
      outcome: { kind: "indeterminate" },
    });
  });

  it("a 429 that was not retried is unavailable, not a rejection", () => {
    const body = {
      error: { type: "invalid_request_error", code: "rate_limit", message: "Too many requests" },
    };
    expect(errorOutcome(reply(429, body)).outcome.kind).toBe("unavailable");
  });

  it("raises an error log and a metric for a configuration error and an idempotency conflict", async () => {
    const count = async (kind: string) =>
      (await pspIntegrationErrors.get()).values.find(
        (v) => v.labels.kind === kind && v.labels.operation === "unit_test",
      )?.value ?? 0;
    const before = { config: await count("configuration_error"), idem: await count("idempotency_error") };
    reportIntegrationError("stripe", "unit_test", { kind: "configuration_error", pspCode: "x" });
    reportIntegrationError("stripe", "unit_test", {
      kind: "indeterminate",
      diagnostics: { requests: 1, rawStatus: "idempotency_error" },
    });
    reportIntegrationError("stripe", "unit_test", { kind: "indeterminate", diagnostics: { requests: 1 } });
    expect(await count("configuration_error")).toBe(before.config + 1);
    expect(await count("idempotency_error")).toBe(before.idem + 1);
  });
});

describe("Stripe: payment_intent_unexpected_state reads the embedded intent", () => {
  it("a capture of an already captured intent is captured, with Stripe's amount", () => {
    expect(captureReply(reply(400, unexpectedState("captured", "succeeded"))).outcome).toEqual({
      kind: "captured",
      amountCaptured: 1000n,
      pspReference: "pi_1",
    });
  });

  it("a cancel of an already canceled intent is canceled", () => {
    expect(cancelReply(reply(400, unexpectedState("canceled", "canceled"))).outcome).toEqual({
      kind: "canceled",
      pspReference: "pi_1",
    });
  });

  it("an authorize whose intent already succeeded is authorized", () => {
    expect(authorizeReply(reply(400, unexpectedState("confirmed", "succeeded"))).outcome).toMatchObject({
      kind: "authorized",
      captured: true,
      amountCaptured: 1000n,
    });
  });

  it("a state that contradicts the operation stays a rejection", () => {
    expect(captureReply(reply(400, unexpectedState("captured", "canceled"))).outcome).toMatchObject({
      kind: "rejected",
      pspCode: "payment_intent_unexpected_state",
    });
    expect(cancelReply(reply(400, unexpectedState("canceled", "succeeded"))).outcome.kind).toBe("rejected");
  });
});

describe("Stripe: next action and retry verdict", () => {
  it("use_stripe_sdk carries the client secret for stripe.js", () => {
    const pi = intent("requires_action", { next_action: { type: "use_stripe_sdk", use_stripe_sdk: {} } });
    expect(authorizeReply(reply(200, pi)).outcome).toEqual({
      kind: "requires_action",
      pspReference: "pi_1",
      nextAction: { type: "use_stripe_sdk", clientSecret: "pi_1_secret_abc" },
    });
  });

  it("redirect_to_url carries the URL to send the shopper to", () => {
    const next = {
      type: "redirect_to_url",
      redirect_to_url: { url: "https://hooks.stripe.com/3ds", return_url: "x" },
    };
    expect(
      authorizeReply(reply(200, intent("requires_action", { next_action: next }))).outcome,
    ).toMatchObject({
      nextAction: {
        type: "redirect_to_url",
        clientSecret: "pi_1_secret_abc",
        redirectUrl: "https://hooks.stripe.com/3ds",
      },
    });
  });

  it("Stripe-Should-Retry overrides the status; 409 (key in use) is retried without it", () => {
    const headers = (v: string) => new Headers({ "stripe-should-retry": v });
    expect(stripeRetryVerdict({ status: 500, headers: headers("false") })).toBe(false);
    expect(stripeRetryVerdict({ status: 400, headers: headers("true") })).toBe(true);
    expect(stripeRetryVerdict({ status: 409, headers: new Headers() })).toBe(true);
    expect(stripeRetryVerdict({ status: 500, headers: new Headers() })).toBeUndefined();
  });
});

describe("Adyen: credentials, throttling and the shopper's action", () => {
  it.each([401, 403])("HTTP %i is a configuration error", (status) => {
    const body = {
      status,
      errorCode: "000",
      message: "HTTP Status Response - Unauthorized",
      errorType: "security",
    };
    expect(adyenErrorOutcome(reply(status, body)).outcome).toMatchObject({
      kind: "configuration_error",
      pspCode: "000",
    });
  });

  it("a 429 is unavailable", () => {
    expect(
      adyenErrorOutcome(reply(429, { status: 429, errorCode: "000", message: "Too Many Requests" })).outcome
        .kind,
    ).toBe("unavailable");
  });

  it("RedirectShopper carries Adyen's action type and URL", () => {
    const body = {
      pspReference: "PSP1",
      resultCode: "RedirectShopper",
      action: {
        paymentMethodType: "scheme",
        type: "redirect",
        method: "GET",
        url: "https://test.adyen.com/3ds",
      },
    };
    expect(adyenAuthorizeReply({ minor: 1000n, captureMethod: "manual" })(reply(200, body)).outcome).toEqual({
      kind: "requires_action",
      pspReference: "PSP1",
      nextAction: { type: "redirect", redirectUrl: "https://test.adyen.com/3ds" },
    });
  });
});
