import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, api, apiUrl, opsUrl } from "../helpers/api.ts";
import { newPaymentBody, type PaymentBodyOverrides } from "../helpers/factories.ts";
import { OpenApiContract } from "../helpers/openapi-contract.ts";
import { adyenNotification, stripeEventBody, stripeSignature, unixNow } from "../helpers/webhooks.ts";

/**
 * The API contract (MISSION.md) through the real service: ingress, Kafka, processors, PSP and fraud
 * simulators. Every response is validated against the OpenAPI document the service serves, and the
 * suite ends by checking that every documented operation was exercised.
 */
let contract: OpenApiContract;
/** Which PSP simulator the lifecycle runs through (payment-flows.test.ts covers both). */
const PSP = process.env.API_CONTRACT_PSP === "adyen" ? "adyen" : "stripe";

beforeAll(async () => {
  contract = await OpenApiContract.load(apiUrl());
});

afterAll(() => {
  const missed = contract.operations().filter((op) => !contract.checked.has(op));
  expect(missed, "documented operations no test exercised").toEqual([]);
});

async function call(
  method: "GET" | "POST",
  template: string,
  path: string,
  body?: unknown,
  opts: Parameters<typeof api.request>[3] = {},
): Promise<ApiResponse> {
  const res = method === "POST" ? await api.post(path, body ?? {}, opts) : await api.get(path, opts);
  contract.assert(method, template, res);
  return res;
}

const create = (overrides: PaymentBodyOverrides = {}, opts: Parameters<typeof api.request>[3] = {}) =>
  call("POST", "/payments", "/payments", newPaymentBody({ psp: PSP, ...overrides }), opts);
const action = (
  id: string,
  name: "confirm" | "capture" | "cancel" | "refund",
  body: unknown = {},
  opts = {},
) => call("POST", `/payments/{payment_id}/${name}`, `/payments/${id}/${name}`, body, opts);
const get = (ref: string) => call("GET", "/payments/{ref}", `/payments/${ref}`);

function expectError(res: ApiResponse, status: number, code: string, field?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  if (field !== undefined) expect(res.body.error.field).toBe(field);
}

describe("POST /payments", () => {
  it("creates requires_confirmation with a token and requires_payment_method without one", async () => {
    const withToken = await create({ amount: "49.99" });
    expect(withToken.status).toBe(201);
    expect(withToken.headers.get("location")).toBe(`/payments/${withToken.body.payment_id}`);
    expect(withToken.body).toMatchObject({
      status: "requires_confirmation",
      amount: "49.99",
      currency: "USD",
      amount_capturable: "0.00",
      amount_captured: "0.00",
      amount_refunded: "0.00",
    });
    const withoutToken = await create({ token: null });
    expect(withoutToken.body.status).toBe("requires_payment_method");
  });

  it("writes JPY amounts without decimals", async () => {
    const res = await create({ amount: "5000", currency: "JPY" });
    expect(res.body).toMatchObject({ amount: "5000", currency: "JPY", amount_captured: "0" });
  });

  it.each([
    [{ amount: 49.99 }, "amount_invalid", "amount"],
    [{ amount: "49.999" }, "amount_too_precise", "amount"],
    [{ amount: "50.5", currency: "JPY" }, "amount_too_precise", "amount"],
    [{ amount: "0" }, "amount_not_positive", "amount"],
    [{ amount: "-1" }, "amount_not_positive", "amount"],
    [{ amount: "1e3" }, "amount_invalid", "amount"],
    [{ currency: "XYZ" }, "currency_unsupported", "currency"],
    [{ order_id: "abc" }, "parameter_invalid", "order_id"],
    [{ token: "4242424242424242" }, "pan_not_allowed", "payment_method.token"],
    [{ metadata: { note: "5555 5555 5555 4444" } }, "pan_not_allowed", "metadata.note"],
    [{ surprise: 1 }, "parameter_unknown", "surprise"],
  ])("refuses %j with 422 %s", async (overrides, code, field) => {
    expectError(await create(overrides), 422, code, field);
  });

  it("refuses malformed JSON, other content types and oversized bodies", async () => {
    expectError(
      await call("POST", "/payments", "/payments", undefined, { rawBody: "{" }),
      400,
      "invalid_json",
    );
    const form = await call("POST", "/payments", "/payments", undefined, {
      rawBody: "a=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expectError(form, 415, "unsupported_media_type");
    expectError(await create({ description: "x".repeat(1_100_000) }), 413, "payload_too_large");
  });
});

describe("GET /payments/{ref}", () => {
  it("returns a payment by id and an order's payments newest first", async () => {
    const first = await create();
    const second = await create({ order_id: first.body.order_id });
    const one = await get(first.body.payment_id);
    expect(one.body).toEqual(first.body);
    const list = await get(String(first.body.order_id));
    expect(list.body.map((p: { payment_id: string }) => p.payment_id)).toEqual([
      second.body.payment_id,
      first.body.payment_id,
    ]);
  });

  it("answers 404 for unknown ids and anything that is neither digits nor a UUID", async () => {
    expectError(await get(randomUUID()), 404, "resource_missing");
    expectError(await get("abc"), 404, "resource_missing");
  });
});

describe("payment lifecycle", () => {
  it("confirms with automatic capture, refunds partially and in full, and refuses an over-refund", async () => {
    const created = await create({ amount: "20.00" });
    const id = created.body.payment_id;
    const confirmed = await action(id, "confirm");
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({
      status: "succeeded",
      amount_captured: "20.00",
      amount_capturable: "0.00",
    });
    expect(confirmed.body.risk_score).toBeTypeOf("number");

    const partial = await action(id, "refund", { amount: "5.00", reason: "requested_by_customer" });
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({
      payment_id: id,
      amount: "5.00",
      currency: "USD",
      reason: "requested_by_customer",
    });
    expect(["pending", "succeeded"]).toContain(partial.body.status);

    expectError(await action(id, "refund", { amount: "15.01" }), 409, "refund_exceeds_captured");
    const rest = await action(id, "refund");
    expect(rest.body.amount).toBe("15.00");
    expect(rest.body.refund_id).not.toBe(partial.body.refund_id);
    // Once the PSP has settled the refunds the payment is `refunded`, a terminal state (invalid_state);
    // while they are pending it is still refundable in principle, but not by this much.
    const after = await action(id, "refund", { amount: "0.01" });
    expect(after.status).toBe(409);
    expect(["refund_exceeds_captured", "invalid_state"]).toContain(after.body.error.code);
  });

  it("authorizes manually, captures partially, and refuses a second capture", async () => {
    const created = await create({ amount: "10.00", capture_method: "manual" });
    const id = created.body.payment_id;
    const confirmed = await action(id, "confirm");
    expect(confirmed.body).toMatchObject({ status: "requires_capture", amount_capturable: "10.00" });
    expectError(await action(id, "capture", { amount: "10.01" }), 409, "capture_exceeds_authorized");
    expectError(await action(id, "capture", { amount: "1.001" }), 422, "amount_too_precise", "amount");
    const captured = await action(id, "capture", { amount: "4.00" });
    expect(captured.body).toMatchObject({ status: "succeeded", amount_captured: "4.00" });
    expectError(await action(id, "capture"), 409, "invalid_state");
  });

  it("cancels before confirmation and voids an authorization; a canceled payment cannot be confirmed", async () => {
    const early = await create();
    const canceled = await action(early.body.payment_id, "cancel");
    expect(canceled).toMatchObject({ status: 200, body: { status: "canceled" } });
    expectError(await action(early.body.payment_id, "confirm"), 409, "invalid_state");

    const authorized = await create({ capture_method: "manual" });
    await action(authorized.body.payment_id, "confirm");
    const voided = await action(authorized.body.payment_id, "cancel");
    expect(voided.status).toBe(200);
    expect(["canceled", "requires_capture"]).toContain(voided.body.status);
  });

  it("records a decline as failed and answers 402", async () => {
    const created = await create({ token: "pm_card_chargeDeclinedInsufficientFunds" });
    const declined = await action(created.body.payment_id, "confirm");
    expectError(declined, 402, "insufficient_funds");
    expect(declined.body.error.type).toBe("card_error");
    const stored = await get(created.body.payment_id);
    expect(stored.body).toMatchObject({ status: "failed", failure_reason: "insufficient_funds" });
  });

  it("blocks a fraudulent payment before the PSP with 402", async () => {
    const created = await create({ token: "pm_card_radarBlock" });
    expectError(await action(created.body.payment_id, "confirm"), 402, "fraud_blocked");
  });

  it("asks for the payment method it does not have, and takes it on confirm", async () => {
    const created = await create({ token: null });
    const confirmed = await action(created.body.payment_id, "confirm", {
      payment_method: { type: "card", token: "pm_card_mastercard" },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe("succeeded");
  });

  it("answers 404 for actions on unknown payments", async () => {
    for (const name of ["confirm", "capture", "cancel", "refund"] as const) {
      expectError(await action(randomUUID(), name), 404, "resource_missing");
    }
  });
});

describe("Idempotency-Key", () => {
  it("replays the stored response, conflicts on a different body or endpoint", async () => {
    const key = `contract-${randomUUID()}`;
    const body = newPaymentBody();
    const first = await call("POST", "/payments", "/payments", body, { idempotencyKey: key });
    expect(first.status).toBe(201);
    const replay = await call("POST", "/payments", "/payments", body, { idempotencyKey: key });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(first.body);
    expect((await get(String(body.order_id))).body).toHaveLength(1);

    expectError(
      await call("POST", "/payments", "/payments", { ...body, amount: "11.00" }, { idempotencyKey: key }),
      409,
      "idempotency_conflict",
    );
    expectError(
      await action(first.body.payment_id, "confirm", {}, { idempotencyKey: key }),
      409,
      "idempotency_conflict",
    );
  });

  it("lets only one of two concurrent requests with one key create a payment", async () => {
    const key = `race-${randomUUID()}`;
    const body = newPaymentBody();
    const results = await Promise.all(
      Array.from({ length: 4 }, () => call("POST", "/payments", "/payments", body, { idempotencyKey: key })),
    );
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const r of results) expect([201, 409]).toContain(r.status);
    expect(new Set(created.map((r) => r.body.payment_id)).size).toBe(1);
    expect((await get(String(body.order_id))).body).toHaveLength(1);
  });

  it("confirms once however often the confirm is retried", async () => {
    const created = await create();
    const key = `confirm-${randomUUID()}`;
    const first = await action(created.body.payment_id, "confirm", {}, { idempotencyKey: key });
    const again = await action(created.body.payment_id, "confirm", {}, { idempotencyKey: key });
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });
});

describe("PSP webhooks", () => {
  const stripe = (rawBody: string, signature: string) =>
    call("POST", "/webhooks/stripe", "/webhooks/stripe", undefined, {
      rawBody,
      headers: { "stripe-signature": signature },
    });

  it("acknowledges a signed Stripe event once, and refuses a bad signature or a malformed header", async () => {
    const intent = { id: "pi_contract", object: "payment_intent", metadata: { payment_id: randomUUID() } };
    const { body } = stripeEventBody("payment_intent.processing", intent);
    const first = await stripe(body, stripeSignature(body));
    expect(first.body).toEqual({ received: true, duplicate: false });
    expect((await stripe(body, stripeSignature(body))).body).toEqual({ received: true, duplicate: true });
    expectError(
      await stripe(body, stripeSignature(body, unixNow(), "whsec_other")),
      401,
      "webhook_signature_invalid",
    );
    expectError(await stripe(body, stripeSignature(body, unixNow() - 600)), 401, "webhook_timestamp_expired");
    expectError(await stripe(body, "v1=abc"), 400, "webhook_malformed");
  });

  it("answers [accepted] to a signed Adyen notification and 401 to a forged one", async () => {
    const fields = {
      pspReference: `CONTRACT${Date.now()}`.slice(0, 16),
      merchantReference: randomUUID(),
      value: 1000,
      currency: "USD",
      eventCode: "AUTHORISATION",
      success: true,
    };
    const adyen = (rawBody: string) =>
      call("POST", "/webhooks/adyen", "/webhooks/adyen", undefined, { rawBody });
    const accepted = await adyen(adyenNotification(fields));
    expect(accepted).toMatchObject({ status: 200, body: "[accepted]" });
    const forged = adyenNotification(fields).replace('"value":1000', '"value":1');
    expectError(await adyen(forged), 401, "webhook_signature_invalid");
  });
});

describe("operations", () => {
  it("serves health, readiness, metrics and the OpenAPI document", async () => {
    expect((await call("GET", "/healthz", "/healthz")).body).toEqual({ status: "alive" });
    const ready = await call("GET", "/readyz", "/readyz");
    expect(ready.body.status).toBe("ready");
    const metrics = await api.get("/metrics", { baseUrl: opsUrl() });
    expect(metrics.body).toContain("http_request_duration_seconds");
    expect(metrics.body).toContain("http_idempotent_replays_total");
    const doc = await call("GET", "/openapi.json", "/openapi.json");
    expect(doc.body.openapi).toBe("3.1.0");
  });
});
