import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { interpretAdyenEvent } from "../../core/adapters/psp/adyen/webhook-events.ts";
import { interpretStripeEvent } from "../../core/adapters/psp/stripe/webhook-events.ts";
import { PAYMENT_STATUSES, type PaymentStatus } from "../../core/domain/payment-status.ts";
import { type PaymentFact, paymentEventsFor, statusAfter } from "../../core/domain/psp-facts.ts";
import type { VerifiedWebhookEvent } from "../../core/ports/payment-connector.ts";

const paymentId = randomUUID();
const attemptId = randomUUID();
const refundId = randomUUID();

function stripeEvent(type: string, object: Record<string, unknown>): VerifiedWebhookEvent {
  const pspReference = String(object.object === "payment_intent" ? object.id : (object.payment_intent ?? ""));
  return { psp: "stripe", eventId: "evt_1", type, pspReference, occurredAt: new Date(), data: object };
}

const intent = (status: string, extra: Record<string, unknown> = {}) => ({
  id: "pi_1",
  object: "payment_intent",
  amount: 1000,
  amount_capturable: status === "requires_capture" ? 1000 : 0,
  amount_received: status === "succeeded" ? 1000 : 0,
  currency: "usd",
  status,
  capture_method: "automatic",
  metadata: { payment_id: paymentId, attempt_id: attemptId, order_id: "42" },
  ...extra,
});

function adyenEvent(item: Record<string, unknown>): VerifiedWebhookEvent {
  const full: Record<string, unknown> = {
    pspReference: "PSPREF0000000001",
    merchantAccountCode: "PaymentServiceECOM",
    merchantReference: attemptId,
    amount: { value: 5000, currency: "JPY" },
    success: "true",
    eventDate: "2026-01-15T12:00:00.000Z",
    ...item,
  };
  const pspReference = String(full.originalReference ?? full.pspReference);
  return {
    psp: "adyen",
    eventId: `${full.pspReference}:${full.eventCode}:${full.success}`,
    type: String(full.eventCode),
    pspReference,
    occurredAt: new Date(String(full.eventDate)),
    data: full,
  };
}

describe("Stripe events → facts", () => {
  it("reads an automatic capture from payment_intent.succeeded, with our ids from metadata", () => {
    expect(interpretStripeEvent(stripeEvent("payment_intent.succeeded", intent("succeeded")))).toEqual({
      refs: { pspReference: "pi_1", paymentId, attemptId },
      fact: { kind: "authorized", captured: true, amountMinor: 1000n },
    });
  });

  it("reads an authorization without capture from amount_capturable_updated", () => {
    const { fact } = interpretStripeEvent(
      stripeEvent("payment_intent.amount_capturable_updated", intent("requires_capture")),
    );
    expect(fact).toEqual({ kind: "authorized", captured: false, amountMinor: 1000n });
  });

  it("reads requires_action, cancellation and failures, failed 3-D Secure as authentication_failed", () => {
    const of = (type: string, object: Record<string, unknown>) =>
      interpretStripeEvent(stripeEvent(type, object)).fact;
    expect(of("payment_intent.requires_action", intent("requires_action"))).toEqual({
      kind: "requires_action",
    });
    expect(of("payment_intent.canceled", intent("canceled"))).toEqual({ kind: "canceled" });
    const authFailure = intent("requires_payment_method", {
      last_payment_error: { type: "invalid_request_error", code: "payment_intent_authentication_failure" },
    });
    expect(of("payment_intent.payment_failed", authFailure)).toMatchObject({
      kind: "authorization_failed",
      declineCode: "authentication_failed",
    });
    const declined = intent("requires_payment_method", {
      last_payment_error: { type: "card_error", code: "card_declined", decline_code: "insufficient_funds" },
    });
    expect(of("payment_intent.payment_failed", declined)).toMatchObject({
      kind: "authorization_failed",
      declineCode: "insufficient_funds",
      pspCode: "insufficient_funds",
    });
    expect(of("payment_intent.processing", intent("processing"))).toMatchObject({ kind: "informational" });
  });

  it("reads refund status changes with our refund id; charge.refunded names no refund", () => {
    const refund = (status: string, failure_reason?: string) => ({
      id: "re_1",
      object: "refund",
      amount: 400,
      status,
      payment_intent: "pi_1",
      failure_reason,
      metadata: { refund_id: refundId, payment_id: paymentId },
    });
    expect(interpretStripeEvent(stripeEvent("refund.updated", refund("succeeded")))).toEqual({
      refs: { pspReference: "pi_1", paymentId, refundId },
      fact: { kind: "refund_succeeded", pspRefundReference: "re_1" },
    });
    expect(
      interpretStripeEvent(stripeEvent("refund.updated", refund("failed", "expired_or_canceled_card"))).fact,
    ).toMatchObject({ kind: "refund_failed", pspCode: "expired_or_canceled_card" });
    expect(interpretStripeEvent(stripeEvent("refund.created", refund("pending"))).fact.kind).toBe(
      "informational",
    );
    const charge = { id: "ch_1", object: "charge", payment_intent: "pi_1", amount_refunded: 400 };
    expect(interpretStripeEvent(stripeEvent("charge.refunded", charge)).fact.kind).toBe("informational");
  });

  it("reads a dispute against the payment intent", () => {
    const dispute = {
      id: "dp_1",
      object: "dispute",
      amount: 1000,
      currency: "usd",
      reason: "fraudulent",
      status: "needs_response",
      payment_intent: "pi_1",
      charge: "ch_1",
    };
    expect(interpretStripeEvent(stripeEvent("charge.dispute.created", dispute))).toEqual({
      refs: { pspReference: "pi_1" },
      fact: {
        kind: "dispute",
        disputeReference: "dp_1",
        stage: "needs_response",
        reason: "fraudulent",
        amountMinor: 1000n,
        currency: "USD",
      },
    });
  });

  it("takes only UUIDs from metadata as our ids", () => {
    const foreign = intent("succeeded", { metadata: { payment_id: "order-42", attempt_id: "x'; DROP" } });
    expect(interpretStripeEvent(stripeEvent("payment_intent.succeeded", foreign)).refs).toEqual({
      pspReference: "pi_1",
    });
  });
});

describe("Adyen notification items → facts", () => {
  it("reads AUTHORISATION: capture as the payment's capture method says, ids from the signed reference only", () => {
    // additionalData is not covered by the HMAC: a replayed notification could name any payment there.
    const event = adyenEvent({
      eventCode: "AUTHORISATION",
      additionalData: { "metadata.payment_id": paymentId },
    });
    expect(interpretAdyenEvent(event)).toEqual({
      refs: { pspReference: "PSPREF0000000001", attemptId },
      fact: { kind: "authorized", captured: null, amountMinor: 5000n },
    });
  });

  it.each([
    ["Not enough balance", "insufficient_funds"],
    ["FRAUD", "fraudulent"],
    ["3D Not Authenticated", "authentication_failed"],
    ["Refused", "card_declined"],
  ])("reads a refused AUTHORISATION (%s) as %s", (reason, declineCode) => {
    const { fact } = interpretAdyenEvent(
      adyenEvent({ eventCode: "AUTHORISATION", success: "false", reason }),
    );
    expect(fact).toEqual({ kind: "authorization_failed", declineCode, pspCode: reason, message: reason });
  });

  it("reads modifications against the payment in originalReference", () => {
    const modification = (eventCode: string, success = "true", reference = attemptId) =>
      interpretAdyenEvent(
        adyenEvent({
          eventCode,
          success,
          pspReference: "MODREF0000000001",
          originalReference: "PSPREF0000000001",
          merchantReference: reference,
        }),
      );
    expect(modification("CAPTURE").fact).toEqual({ kind: "captured", amountMinor: 5000n });
    expect(modification("CANCELLATION").fact).toEqual({ kind: "canceled" });
    expect(modification("REFUND", "true", refundId)).toEqual({
      refs: { pspReference: "PSPREF0000000001", refundId },
      fact: { kind: "refund_succeeded", pspRefundReference: "MODREF0000000001" },
    });
    expect(modification("REFUND", "false", refundId).fact).toMatchObject({
      kind: "refund_failed",
      pspRefundReference: "MODREF0000000001",
    });
    expect(modification("REFUND_FAILED", "true", refundId).fact.kind).toBe("refund_failed");
    // A refused capture or cancel is a fact of its own: it must never leave the payment as captured.
    expect(modification("CAPTURE", "false").fact).toMatchObject({
      kind: "capture_failed",
      pspCode: "capture_refused",
    });
    expect(modification("CANCELLATION", "false").fact).toMatchObject({
      kind: "cancel_failed",
      pspCode: "cancel_refused",
    });
  });

  it.each(["NOTIFICATION_OF_CHARGEBACK", "CHARGEBACK", "SECOND_CHARGEBACK"])(
    "reads %s as a dispute",
    (code) => {
      const { fact } = interpretAdyenEvent(
        adyenEvent({ eventCode: code, reason: "Fraud", additionalData: { chargebackReasonCode: "10.4" } }),
      );
      expect(fact).toEqual({
        kind: "dispute",
        disputeReference: "PSPREF0000000001",
        stage: code.toLowerCase(),
        reason: "Fraud",
        amountMinor: 5000n,
        currency: "JPY",
      });
    },
  );

  it("leaves other event codes informational", () => {
    expect(interpretAdyenEvent(adyenEvent({ eventCode: "REPORT_AVAILABLE" })).fact.kind).toBe(
      "informational",
    );
  });
});

// What each fact means from each status, written out independently of the implementation: every
// pair not listed must change nothing (out of order, duplicated, or about a stage already left).
const authorizedCaptured: PaymentFact = { kind: "authorized", captured: true, amountMinor: 1n };
const authorizedOnly: PaymentFact = { kind: "authorized", captured: false, amountMinor: 1n };
const authorizedByMethod: PaymentFact = { kind: "authorized", captured: null, amountMinor: 1n };
const FACTS: Record<string, PaymentFact> = {
  authorizedCaptured,
  authorizedOnly,
  authorizedByMethod,
  requiresAction: { kind: "requires_action" },
  failed: { kind: "authorization_failed", declineCode: "card_declined", pspCode: "x", message: "x" },
  captured: { kind: "captured", amountMinor: 1n },
  canceled: { kind: "canceled" },
};

const EXPECTED: Partial<Record<PaymentStatus, Record<string, PaymentStatus>>> = {
  processing: {
    authorizedCaptured: "succeeded",
    authorizedOnly: "requires_capture",
    authorizedByMethod: "requires_capture", // manual capture below
    requiresAction: "requires_action",
    failed: "failed",
  },
  requires_action: {
    authorizedCaptured: "succeeded",
    authorizedOnly: "requires_capture",
    authorizedByMethod: "requires_capture",
    failed: "failed",
    canceled: "canceled",
  },
  requires_capture: { authorizedCaptured: "succeeded", captured: "succeeded", canceled: "canceled" },
};

describe("facts → state machine events", () => {
  const pairs = PAYMENT_STATUSES.flatMap((status) =>
    Object.keys(FACTS).map((fact) => [status, fact] as const),
  );

  it.each(pairs)("%s + %s (manual capture)", (status, name) => {
    const steps = paymentEventsFor(status, FACTS[name] as PaymentFact, "manual");
    const expected = EXPECTED[status]?.[name];
    if (expected === undefined) expect(steps).toBeNull();
    else expect(statusAfter(status, steps ?? [])).toBe(expected);
  });

  it("captures an Adyen AUTHORISATION at once for automatic capture", () => {
    expect(paymentEventsFor("processing", authorizedByMethod, "automatic")).toEqual([
      "psp_authorized",
      "psp_captured",
    ]);
    expect(paymentEventsFor("requires_action", authorizedByMethod, "automatic")).toEqual([
      "action_completed",
      "psp_captured",
    ]);
  });

  it("never moves a captured, refunded, failed or canceled payment backwards", () => {
    for (const status of ["succeeded", "partially_refunded", "refunded", "failed", "canceled"] as const) {
      for (const fact of Object.values(FACTS)) {
        for (const method of ["automatic", "manual"] as const) {
          expect(paymentEventsFor(status, fact, method)).toBeNull();
        }
      }
    }
  });
});
