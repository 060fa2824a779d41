import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_TOPICS } from "../../core/infra/topics.ts";
import { MERCHANT_SCOPES } from "../../core/security/api-keys.ts";
import { api } from "../helpers/api.ts";
import { testDb } from "../helpers/db.ts";
import { EventLog } from "../helpers/event-log.ts";
import { createAndConfirm, createPayment, settledOperation, waitForPayment } from "../helpers/flows.ts";
import { newMerchantKey, TEST_MERCHANT_ID } from "../helpers/test-key.ts";
import { eventually } from "../helpers/wait.ts";

// The shared test service's ops listener (global-setup: PAYMENTS_TEST_PROCESSOR_PORT).
const opsUrl = `http://127.0.0.1:${process.env.PAYMENTS_TEST_PROCESSOR_PORT ?? "19464"}`;

import { simulatorCharges } from "../helpers/psp-simulators.ts";

const events = new EventLog();
beforeAll(() => events.start());
afterAll(() => events.stop());

describe.each(["stripe", "adyen"] as const)("payments through %s", (psp) => {
  it("authorizes and captures automatically, emitting Avro events through the registry", async () => {
    const { paymentId, created, confirmed } = await createAndConfirm({ psp, amount: "49.99" });
    expect(created.body).toMatchObject({
      status: "requires_confirmation",
      amount: "49.99",
      currency: "USD",
      psp,
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({
      payment_id: paymentId,
      status: "succeeded",
      amount_captured: "49.99",
      amount_capturable: "0.00",
      psp,
    });
    expect(confirmed.body.risk_score).toBeTypeOf("number");

    const [authorized] = await events.waitFor(paymentId, { topic: EVENT_TOPICS.authorized });
    expect(authorized?.key).toBe(paymentId);
    expect(authorized?.value).toMatchObject({
      payment_id: paymentId,
      order_id: created.body.order_id,
      amount: "49.99",
      amount_minor: 4999,
      currency: "USD",
      psp,
      status: "succeeded",
      risk_score: confirmed.body.risk_score,
      payment_method: { type: "card", brand: "visa", token_last4: "visa" },
    });
    expect(authorized?.eventId).toBe((authorized?.value as { event_id: string } | undefined)?.event_id);
    const [captured] = await events.waitFor(paymentId, { topic: EVENT_TOPICS.captured });
    expect(captured?.value).toMatchObject({ amount_captured: "49.99", amount_captured_minor: 4999 });
    expect((await simulatorCharges(psp, paymentId)).authorizations).toBe(1);
  });

  it("supports manual, partial capture up to the authorized amount", async () => {
    const { paymentId, confirmed } = await createAndConfirm({
      psp,
      capture_method: "manual",
      amount: "10.00",
    });
    expect(confirmed.body).toMatchObject({
      status: "requires_capture",
      amount_capturable: "10.00",
      amount_captured: "0.00",
    });

    const over = await api.post(`/payments/${paymentId}/capture`, { amount: "10.01" });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe("capture_exceeds_authorized");

    const captured = await settledOperation(
      await api.post(`/payments/${paymentId}/capture`, { amount: "4.00" }),
      paymentId,
      "succeeded",
    );
    expect(captured).toMatchObject({
      status: "succeeded",
      amount_captured: "4.00",
      amount_capturable: "0.00",
    });

    const again = await api.post(`/payments/${paymentId}/capture`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("invalid_state");
    expect((await simulatorCharges(psp, paymentId)).captures).toBe(1);
  });

  it.each([
    ["pm_card_chargeDeclined", "card_declined"],
    ["pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"],
    ["pm_card_chargeDeclinedFraudulent", "fraudulent"],
  ])("answers 402 for %s and records the payment as failed", async (token, code) => {
    const { paymentId, confirmed } = await createAndConfirm({ psp, token });
    expect(confirmed.status).toBe(402);
    expect(confirmed.body.error).toMatchObject({ type: "card_error", code });

    const stored = await api.get(`/payments/${paymentId}`);
    expect(stored.body).toMatchObject({ status: "failed", failure_reason: code });
    expect(stored.body.psp_code).toBeTruthy();
    const [failed] = await events.waitFor(paymentId, { topic: EVENT_TOPICS.failed });
    expect(failed?.value).toMatchObject({
      payment_id: paymentId,
      failure_reason: code,
      psp_code: stored.body.psp_code,
    });
    expect((await simulatorCharges(psp, paymentId)).authorizations).toBe(0);
  });

  it("blocks a high-risk payment before the PSP is called", async () => {
    const { paymentId, confirmed } = await createAndConfirm({ psp, token: "pm_card_radarBlock" });
    expect(confirmed.status).toBe(402);
    expect(confirmed.body.error.code).toBe("fraud_blocked");
    const stored = await api.get(`/payments/${paymentId}`);
    expect(stored.body).toMatchObject({ status: "failed", failure_reason: "fraud_blocked" });
    expect(stored.body.risk_score).toBeGreaterThanOrEqual(80);
    expect((await simulatorCharges(psp, paymentId)).authorizations).toBe(0);
    const [failed] = await events.waitFor(paymentId, { topic: EVENT_TOPICS.failed });
    expect(failed?.value).toMatchObject({ failure_reason: "fraud_blocked", psp_code: null });
  });

  it("leaves a payment needing authentication in requires_action", async () => {
    const { confirmed } = await createAndConfirm({ psp, token: "pm_card_authenticationRequired" });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe("requires_action");
  });

  it("refunds partially, then the remainder, and refuses anything beyond the captured amount", async () => {
    const { paymentId } = await createAndConfirm({ psp, amount: "10.00" });
    const over = await api.post(`/payments/${paymentId}/refund`, { amount: "10.01" });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe("refund_exceeds_captured");

    const first = await api.post(`/payments/${paymentId}/refund`, {
      amount: "3.00",
      reason: "requested_by_customer",
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      payment_id: paymentId,
      amount: "3.00",
      currency: "USD",
      reason: "requested_by_customer",
    });
    expect(["succeeded", "pending"]).toContain(first.body.status);

    const rest = await api.post(`/payments/${paymentId}/refund`, {});
    expect(rest.status).toBe(200);
    expect(rest.body.amount).toBe("7.00");

    const none = await api.post(`/payments/${paymentId}/refund`, { amount: "0.01" });
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe("refund_exceeds_captured");

    if (first.body.status === "succeeded") {
      const payment = await api.get(`/payments/${paymentId}`);
      expect(payment.body).toMatchObject({ status: "refunded", amount_refunded: "10.00" });
      const refunded = await events.waitFor(paymentId, { topic: EVENT_TOPICS.refunded, count: 2 });
      expect(refunded.map((e) => e.value.amount).sort()).toEqual(["3.00", "7.00"]);
      expect(refunded.at(-1)?.value).toMatchObject({
        amount_refunded_total: "10.00",
        payment_status: "refunded",
      });
    }
    expect((await simulatorCharges(psp, paymentId)).refunded_amount).toBe(1000n);
  });

  it("cancels an authorization and emits payment.canceled.v1", async () => {
    const { paymentId } = await createAndConfirm({ psp, capture_method: "manual" });
    const canceled = await settledOperation(
      await api.post(`/payments/${paymentId}/cancel`, {}),
      paymentId,
      "canceled",
    );
    expect(canceled).toMatchObject({ status: "canceled", amount_capturable: "0.00" });
    await events.waitFor(paymentId, { topic: EVENT_TOPICS.canceled });
    const refund = await api.post(`/payments/${paymentId}/refund`, {});
    expect(refund.status).toBe(409);
  });

  it("handles zero-decimal currencies end to end", async () => {
    const { paymentId, confirmed } = await createAndConfirm({ psp, amount: "5000", currency: "JPY" });
    expect(confirmed.body).toMatchObject({
      status: "succeeded",
      amount: "5000",
      amount_captured: "5000",
      currency: "JPY",
    });
    const [authorized] = await events.waitFor(paymentId, { topic: EVENT_TOPICS.authorized });
    expect(authorized?.value).toMatchObject({ amount: "5000", amount_minor: 5000, currency: "JPY" });
    expect((await simulatorCharges(psp, paymentId)).captured_amount).toBe(5000n);
  });

  it("retries a PSP 5xx with the same idempotency key and charges once", async () => {
    const { paymentId, confirmed } = await createAndConfirm({ psp, token: "pm_sim_psp_error_once" });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe("succeeded");
    expect((await simulatorCharges(psp, paymentId)).authorizations).toBe(1);
  });

  it("never treats a persistent PSP 5xx as success, nor as proof that nothing was charged", async () => {
    const { paymentId, confirmed } = await createAndConfirm({ psp, token: "pm_sim_psp_error" });
    expect(confirmed.status).toBe(202);
    expect(confirmed.body.status).toBe("processing");
    // The request may have reached the PSP: the attempt stays open while the janitor asks again under
    // the same key, and after REVIEW_AFTER_CHECKS checks a person is asked.
    const review = await eventually(
      "a manual review of the unresolved authorization",
      async () =>
        (
          await testDb().query(
            "SELECT review_id, reason FROM payment_reviews WHERE payment_id = $1 AND resolved_at IS NULL",
            [paymentId],
          )
        ).rows[0],
      30_000,
    );
    expect(review.reason).toBe("authorize_unresolved");
    const { rows } = await testDb().query(
      "SELECT status, sync_count FROM payment_attempts WHERE payment_id = $1",
      [paymentId],
    );
    expect(rows[0]).toMatchObject({ status: "unknown" });
    expect(rows[0].sync_count).toBeGreaterThanOrEqual(4);
    const payment = (await api.get(`/payments/${paymentId}`)).body;
    expect(payment.status).toBe("processing");
    expect((await simulatorCharges(psp, paymentId)).authorizations).toBe(0);

    // The ops API wants a key with the ops scope.
    const anonymous = await api.get("/ops/reviews", { baseUrl: opsUrl, apiKey: null });
    expect(anonymous.status).toBe(401);
    const merchantOnly = await newMerchantKey(testDb(), TEST_MERCHANT_ID, MERCHANT_SCOPES);
    const notOps = await api.post(
      `/ops/reviews/${review.review_id}/resolve`,
      { action: "mark_failed" },
      { baseUrl: opsUrl, apiKey: merchantOnly.secret },
    );
    expect(notOps).toMatchObject({ status: 403, body: { error: { code: "insufficient_scope" } } });

    // An operator checks the PSP's dashboard and marks it failed: the usual event, an audit row.
    const resolved = await api.post(
      `/ops/reviews/${review.review_id}/resolve`,
      { action: "mark_failed", note: "no charge in the PSP dashboard" },
      { baseUrl: opsUrl, headers: { "x-ops-actor": "alice" } },
    );
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect(resolved.body.review).toMatchObject({ resolution: "mark_failed" });
    // The person's name as sent, and the ops key that acted: the key is always on record.
    expect(resolved.body.review.resolvedBy).toMatch(/^alice \(key_[0-9a-f]+\)$/);
    expect((await api.get(`/payments/${paymentId}`)).body).toMatchObject({
      status: "failed",
      failure_reason: "manual_review",
    });
    const failed = await events.waitFor(paymentId, { topic: EVENT_TOPICS.failed });
    expect(failed).toHaveLength(1);
    const audit = await testDb().query("SELECT actor, action, outcome FROM ops_audit WHERE review_id = $1", [
      review.review_id,
    ]);
    expect(audit.rows).toEqual([
      { actor: expect.stringMatching(/^alice \(key_/), action: "review.mark_failed", outcome: "resolved" },
    ]);
    const trail = await testDb().query(
      "SELECT merchant_id, key_id, action, outcome FROM audit_log WHERE action = 'ops.review.resolve' AND payment_id = $1",
      [paymentId],
    );
    expect(trail.rows).toEqual([
      {
        merchant_id: TEST_MERCHANT_ID,
        key_id: expect.stringMatching(/^key_/),
        action: "ops.review.resolve",
        outcome: 200,
      },
    ]);
    const again = await api.post(
      `/ops/reviews/${review.review_id}/resolve`,
      { action: "mark_succeeded" },
      { baseUrl: opsUrl },
    );
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("review_resolved");
  }, 60_000);

  it("settles a PSP timeout with exactly one charge (Stripe: retried under the same key; Adyen: the janitor)", async () => {
    const { paymentId, confirmed } = await createAndConfirm({ psp, token: "pm_sim_timeout" });
    // Stripe documents repeating a timed-out request under its idempotency key: the stored answer comes
    // back within the call's budget. Adyen's connector does not repeat, so the caller hears 202.
    if (psp === "stripe") expect(confirmed.status).toBe(200);
    else {
      expect(confirmed.status).toBe(202);
      expect(confirmed.body.status).toBe("processing");
    }
    const settled = await waitForPayment(paymentId, (p) => p.status !== "processing", 45_000);
    expect(settled.status).toBe("succeeded");
    expect((await simulatorCharges(psp, paymentId)).authorizations).toBe(1);
    const authorized = await events.waitFor(paymentId, { topic: EVENT_TOPICS.authorized });
    expect(authorized).toHaveLength(1);
  }, 60_000);
});

describe("fraud service down", () => {
  it("lets a small payment through flagged for review, without a risk score", async () => {
    const { paymentId, confirmed } = await createAndConfirm({ token: "pm_sim_fraud_down", amount: "20.00" });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe("succeeded");
    expect(confirmed.body.risk_score).toBeUndefined();
    const [authorized] = await events.waitFor(paymentId, { topic: EVENT_TOPICS.authorized });
    expect(authorized?.value).toMatchObject({ risk_score: null, needs_review: true });
  });

  it("refuses a large payment with 503 and leaves it confirmable", async () => {
    const { paymentId, confirmed } = await createAndConfirm({ token: "pm_sim_fraud_down", amount: "600.00" });
    expect(confirmed.status).toBe(503);
    expect(confirmed.body.error.code).toBe("service_unavailable");
    expect((await api.get(`/payments/${paymentId}`)).body.status).toBe("requires_confirmation");
    expect((await simulatorCharges("stripe", paymentId)).authorizations).toBe(0);
  });
});

describe("trace context", () => {
  it("travels from the HTTP request through the command to the outcome event's Kafka headers", async () => {
    const traceId = randomBytes(16).toString("hex");
    const traceparent = `00-${traceId}-${randomBytes(8).toString("hex")}-01`;
    const created = await createPayment();
    const confirmed = await api.post(
      `/payments/${created.body.payment_id}/confirm`,
      {},
      { headers: { traceparent } },
    );
    expect(confirmed.status).toBe(200);
    const [authorized] = await events.waitFor(created.body.payment_id, { topic: EVENT_TOPICS.authorized });
    const header = authorized?.headers.traceparent?.toString() ?? "";
    expect(header.split("-")[1]).toBe(traceId);
  });
});

describe("creating and reading payments", () => {
  it("lists an order's payments newest first", async () => {
    const first = await createPayment({ amount: "1.00" });
    const orderId = first.body.order_id;
    const second = await createPayment({ amount: "2.00", order_id: orderId });
    const listed = await api.get(`/payments/${orderId}`);
    expect(listed.status).toBe(200);
    expect(listed.body.map((p: { payment_id: string }) => p.payment_id)).toEqual([
      second.body.payment_id,
      first.body.payment_id,
    ]);
  });

  it("creates a payment without a method in requires_payment_method and confirms it with one", async () => {
    const created = await createPayment({ token: null });
    expect(created.body.status).toBe("requires_payment_method");
    const missing = await api.post(`/payments/${created.body.payment_id}/confirm`, {});
    expect(missing.status).toBe(422);
    expect(missing.body.error.field).toBe("payment_method");
    const confirmed = await api.post(`/payments/${created.body.payment_id}/confirm`, {
      payment_method: { type: "card", token: "pm_card_mastercard" },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({
      status: "succeeded",
      payment_method: { type: "card", brand: "mastercard" },
    });
  });

  it("refuses to confirm twice", async () => {
    const { paymentId } = await createAndConfirm();
    const again = await api.post(`/payments/${paymentId}/confirm`, {});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("invalid_state");
  });
});
