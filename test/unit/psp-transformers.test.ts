import { errors as undiciErrors } from "undici";
import { describe, expect, it } from "vitest";
import {
  authorizeReply as adyenAuthorizeReply,
  cancelReply,
  captureReply,
  refundReply,
} from "../../core/adapters/psp/adyen/replies.ts";
import { paymentBody } from "../../core/adapters/psp/adyen/requests.ts";
import {
  errorOutcome as adyenError,
  adyenRetryVerdict,
  paymentOutcome,
} from "../../core/adapters/psp/adyen/transformers.ts";
import { diagnose } from "../../core/adapters/psp/outcomes.ts";
import type { HttpReply } from "../../core/adapters/psp/resilient-http.ts";
import { encodeForm } from "../../core/adapters/psp/stripe/form-encoding.ts";
import {
  authorizeReply,
  captureReply as stripeCaptureReply,
} from "../../core/adapters/psp/stripe/replies.ts";
import { authorizeParams, stripeIdempotencyKeys } from "../../core/adapters/psp/stripe/requests.ts";
import { errorOutcome, intentOutcome, refundOutcome } from "../../core/adapters/psp/stripe/transformers.ts";
import { paymentIntent } from "../../core/adapters/psp/stripe/wire.ts";
import {
  AttemptTimeout,
  classifyTransportError,
  NetworkFailure,
} from "../../core/adapters/psp/transport-errors.ts";
import { stringifyWithBigInt } from "../../core/adapters/psp/wire-json.ts";
import { authorizeRequest, money } from "../helpers/psp-requests.ts";

function reply(status: number, body: unknown, headers: Record<string, string> = {}): HttpReply {
  return {
    status,
    headers: new Headers(headers),
    text: typeof body === "string" ? body : JSON.stringify(body),
  };
}

function intent(status: string, extra: Record<string, unknown> = {}) {
  return {
    id: "pi_1",
    object: "payment_intent",
    amount: 1000,
    amount_capturable: status === "requires_capture" ? 1000 : 0,
    amount_received: status === "succeeded" ? 1000 : 0,
    currency: "usd",
    status,
    capture_method: "automatic",
    ...extra,
  };
}

const cardError = (decline_code: string) => ({
  type: "card_error",
  code: "card_declined",
  decline_code,
  message: "no",
});

describe("Stripe PaymentIntent status mapping", () => {
  it.each([
    ["succeeded", { kind: "authorized", captured: true, amountCaptured: 1000n, amountCapturable: 0n }],
    [
      "requires_capture",
      { kind: "authorized", captured: false, amountCaptured: 0n, amountCapturable: 1000n },
    ],
    ["requires_action", { kind: "requires_action", pspReference: "pi_1" }],
    ["processing", { kind: "indeterminate" }],
    ["requires_confirmation", { kind: "indeterminate" }],
    ["a_status_stripe_adds_next_year", { kind: "indeterminate" }],
    ["canceled", { kind: "rejected", pspCode: "payment_intent_canceled" }],
  ])("maps %s", (status, expected) => {
    expect(authorizeReply(reply(200, intent(status))).outcome).toMatchObject(expected);
  });

  it.each([
    ["generic_decline", "card_declined"],
    ["insufficient_funds", "insufficient_funds"],
    ["fraudulent", "fraudulent"],
  ])("maps a failed intent with decline_code %s to declined %s", (declineCode, expected) => {
    const pi = intentOutcome(
      paymentIntent.parse(intent("requires_payment_method", { last_payment_error: cardError(declineCode) })),
    );
    expect(pi.outcome).toMatchObject({ kind: "declined", declineCode: expected, pspCode: declineCode });
  });

  it("never reads a fractional amount as money", () => {
    expect(authorizeReply(reply(200, intent("succeeded", { amount_received: 10.5 }))).outcome.kind).toBe(
      "indeterminate",
    );
  });

  it("treats an unreadable 2xx body as indeterminate", () => {
    expect(authorizeReply(reply(200, "<html>")).outcome.kind).toBe("indeterminate");
  });
});

describe("Stripe error classification", () => {
  it("a 402 card error is a decline carrying the intent id", () => {
    const body = {
      error: {
        ...cardError("insufficient_funds"),
        payment_intent: { id: "pi_9", status: "requires_payment_method" },
      },
    };
    expect(errorOutcome(reply(402, body))).toEqual({
      rawStatus: "requires_payment_method",
      outcome: {
        kind: "declined",
        declineCode: "insufficient_funds",
        pspCode: "insufficient_funds",
        message: "no",
        pspReference: "pi_9",
      },
    });
  });

  it.each([
    [
      400,
      { type: "invalid_request_error", code: "amount_too_large", message: "too much" },
      "amount_too_large",
    ],
    [
      400,
      { type: "invalid_request_error", code: "charge_already_refunded", message: "done" },
      "charge_already_refunded",
    ],
    [
      404,
      { type: "invalid_request_error", code: "resource_missing", message: "No such" },
      "resource_missing",
    ],
  ])("HTTP %i is a terminal rejection", (status, error, pspCode) => {
    expect(errorOutcome(reply(status, { error })).outcome).toMatchObject({ kind: "rejected", pspCode });
  });

  it("an unreadable 4xx is still a rejection, an unexpected 3xx is indeterminate", () => {
    expect(errorOutcome(reply(400, "bad request")).outcome).toMatchObject({
      kind: "rejected",
      pspCode: "http_400",
    });
    expect(errorOutcome(reply(302, "")).outcome.kind).toBe("indeterminate");
  });

  it("a capture that leaves the intent uncaptured is not reported as captured", () => {
    expect(stripeCaptureReply(reply(200, intent("requires_capture"))).outcome.kind).toBe("indeterminate");
    expect(stripeCaptureReply(reply(200, intent("succeeded"))).outcome).toMatchObject({
      kind: "captured",
      amountCaptured: 1000n,
    });
  });

  it.each([
    ["succeeded", "refund_succeeded"],
    ["pending", "refund_pending"],
    ["failed", "refund_failed"],
    ["canceled", "refund_failed"],
    ["mystery", "indeterminate"],
  ])("maps refund status %s to %s", (status, kind) => {
    expect(
      refundOutcome({ id: "re_1", object: "refund", amount: 5n, status, failure_reason: null }).outcome.kind,
    ).toBe(kind);
  });
});

describe("Stripe requests", () => {
  it("derives idempotency keys from our ids", () => {
    expect(stripeIdempotencyKeys.authorize("a1")).toBe("authz_a1");
    expect(stripeIdempotencyKeys.capture("a1")).toBe("capture_a1");
    expect(stripeIdempotencyKeys.refund("r1")).toBe("refund_r1");
  });

  it("form-encodes integer minor units, lower-case currency and nested metadata", () => {
    const req = authorizeRequest({
      amount: money(5000n, "JPY"),
      paymentId: "p1",
      attemptId: "a1",
      orderId: "7",
    });
    const form = new URLSearchParams(encodeForm(authorizeParams(req)));
    expect(form.get("amount")).toBe("5000");
    expect(form.get("currency")).toBe("jpy");
    expect(form.get("metadata[payment_id]")).toBe("p1");
    expect(form.get("metadata[attempt_id]")).toBe("a1");
    expect(form.get("payment_method_types[0]")).toBe("card");
    expect(form.has("metadata[customer_id]")).toBe(false);
  });
});

describe("Adyen resultCode mapping", () => {
  const manual = { minor: 1000n, captureMethod: "manual" as const };
  const automatic = { minor: 1000n, captureMethod: "automatic" as const };
  const base = { pspReference: "PSP1", amount: { value: 1000n, currency: "EUR" } };

  it("Authorised with manual capture holds the amount; automatic captures it", () => {
    expect(paymentOutcome({ ...base, resultCode: "Authorised" }, manual).outcome).toMatchObject({
      kind: "authorized",
      captured: false,
      amountCapturable: 1000n,
    });
    expect(paymentOutcome({ ...base, resultCode: "Authorised" }, automatic).outcome).toMatchObject({
      kind: "authorized",
      captured: true,
      amountCaptured: 1000n,
    });
  });

  it.each([
    ["2", "Refused", "card_declined"],
    ["12", "Not enough balance", "insufficient_funds"],
    ["20", "FRAUD", "fraudulent"],
    ["31", "Issuer Suspected Fraud", "fraudulent"],
    ["99", "Something new", "card_declined"],
  ])("Refused with refusalReasonCode %s is declined as %s", (code, reason, declineCode) => {
    const res = { ...base, resultCode: "Refused", refusalReasonCode: code, refusalReason: reason };
    expect(paymentOutcome(res, automatic).outcome).toMatchObject({
      kind: "declined",
      declineCode,
      pspCode: code,
      message: reason,
    });
  });

  it.each([
    ["RedirectShopper", "requires_action"],
    ["IdentifyShopper", "requires_action"],
    ["Error", "rejected"],
    ["Received", "indeterminate"],
    ["Pending", "indeterminate"],
    ["SomethingAdyenAddsLater", "indeterminate"],
  ])("maps %s to %s", (resultCode, kind) => {
    expect(paymentOutcome({ ...base, resultCode }, automatic).outcome.kind).toBe(kind);
  });

  it("an Authorised answer without a pspReference cannot be trusted as success", () => {
    expect(paymentOutcome({ resultCode: "Authorised" }, automatic).outcome.kind).toBe("indeterminate");
  });

  it("reads the /payments body through the HTTP reply", () => {
    const mapped = adyenAuthorizeReply(automatic)(
      reply(200, { ...base, amount: { value: 1000, currency: "EUR" }, resultCode: "Authorised" }),
    );
    expect(mapped).toMatchObject({
      rawStatus: "Authorised",
      outcome: { kind: "authorized", pspReference: "PSP1" },
    });
  });
});

describe("Adyen error classification and modifications", () => {
  it("a 422 validation error is a rejection with Adyen's errorCode; 5xx is indeterminate", () => {
    const body = {
      status: 422,
      errorCode: "137",
      message: "Invalid amount specified",
      errorType: "validation",
    };
    expect(adyenError(reply(422, body)).outcome).toMatchObject({ kind: "rejected", pspCode: "137" });
    expect(
      adyenError(reply(401, { status: 401, errorCode: "000", message: "Unauthorized" })).outcome.kind,
    ).toBe("configuration_error");
    expect(adyenError(reply(502, "bad gateway")).outcome.kind).toBe("indeterminate");
  });

  it("retries only answers Adyen marks transient", () => {
    expect(adyenRetryVerdict(reply(422, {}, { "transient-error": "true" }))).toBe(true);
    expect(adyenRetryVerdict(reply(422, {}))).toBeUndefined();
  });

  it("a received capture, cancel or refund is pending: the notification decides", () => {
    const received = {
      pspReference: "MOD1",
      paymentPspReference: "PSP1",
      status: "received",
      amount: { value: 600, currency: "EUR" },
    };
    expect(captureReply(reply(201, received)).outcome).toEqual({
      kind: "capture_pending",
      pspReference: "MOD1",
    });
    expect(cancelReply(reply(201, { ...received, amount: undefined })).outcome).toEqual({
      kind: "cancel_pending",
      pspReference: "MOD1",
    });
    expect(refundReply(reply(201, received)).outcome).toEqual({
      kind: "refund_pending",
      pspRefundReference: "MOD1",
    });
    expect(refundReply(reply(201, { ...received, status: "weird" })).outcome.kind).toBe("indeterminate");
  });

  it("writes amounts as JSON integers, zero-decimal currencies included", () => {
    const body = paymentBody(
      authorizeRequest({ amount: money(5000n, "JPY"), captureMethod: "manual" }),
      "Merchant",
    );
    expect(stringifyWithBigInt(body)).toContain('"amount":{"value":5000,"currency":"JPY"}');
    expect(body.additionalData).toEqual({ manualCapture: "true" });
  });
});

describe("transport classification", () => {
  it("a timeout after sending may have been processed; a refused connection was not", () => {
    expect(classifyTransportError(new DOMException("t", "TimeoutError"), 500)).toBeInstanceOf(AttemptTimeout);
    const refused = classifyTransportError(
      new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } }),
      500,
    );
    expect(refused).toMatchObject({ beforeSend: true });
    const reset = classifyTransportError(
      new TypeError("fetch failed", { cause: { code: "ECONNRESET" } }),
      500,
    );
    expect(reset).toBeInstanceOf(NetworkFailure);
    expect(reset).toMatchObject({ beforeSend: false });
  });

  it("reads undici request()'s own error codes: refused before send, a closed socket after", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    expect(classifyTransportError(refused, 500)).toMatchObject({ code: "ECONNREFUSED", beforeSend: true });
    const closed = new undiciErrors.SocketError("other side closed");
    expect(classifyTransportError(closed, 500)).toMatchObject({ code: "UND_ERR_SOCKET", beforeSend: false });
    const connectTimeout = new undiciErrors.ConnectTimeoutError();
    expect(classifyTransportError(connectTimeout, 500)).toMatchObject({ beforeSend: true });
  });

  it("transport failures map without a PSP mapper, keeping the request count", () => {
    const never = () => {
      throw new Error("mapper must not run");
    };
    expect(
      diagnose({ kind: "indeterminate", reason: "HTTP 500", requests: 4, lastStatus: 500 }, never),
    ).toEqual({
      kind: "indeterminate",
      reason: "HTTP 500",
      diagnostics: { requests: 4, httpStatus: 500 },
    });
    expect(diagnose({ kind: "unavailable", reason: "circuit breaker open", requests: 0 }, never)).toEqual({
      kind: "unavailable",
      reason: "circuit breaker open",
      diagnostics: { requests: 0 },
    });
  });
});
