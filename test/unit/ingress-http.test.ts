import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type CommandResult, commandResult } from "../../core/domain/command-result.ts";
import type { PaymentCommand } from "../../core/domain/commands.ts";
import { errors } from "../../core/domain/errors.ts";
import { loadConfig } from "../../core/infra/config.ts";
import { type Principal, SCOPES } from "../../core/security/api-keys.ts";
import type { Pool } from "../../db/pool.ts";
import { createIngressApp, createIngressOpsApp } from "../../http-ingress/app.ts";
import type { CommandBus } from "../../http-ingress/command-bus.ts";
import { api } from "../helpers/api.ts";
import { newDomainPayment, newPaymentBody } from "../helpers/factories.ts";
import { OpenApiContract } from "../helpers/openapi-contract.ts";

/**
 * The HTTP layer with its I/O replaced: a command bus that answers what the test says and a pool
 * that finds nothing. Everything before and after the bus (parsing, PAN guard, validation, reply
 * passthrough, 202 bodies, error rendering) runs for real.
 */
class FakeBus implements CommandBus {
  sent: Array<{ command: PaymentCommand; traceparent: string }> = [];
  answer: (command: PaymentCommand) => Promise<CommandResult | "timeout"> = async () => "timeout";
  async send(command: PaymentCommand, options: { traceparent: string }) {
    this.sent.push({ command, traceparent: options.traceparent });
    return this.answer(command);
  }
  async ping() {}
}

const emptyPool = { query: async () => ({ rows: [], rowCount: 0 }) } as unknown as Pool;
// The api helper sends PAYMENTS_TEST_API_KEY; here it is a key the stub authenticator knows.
const KEY = "sk_test_unit_key_with_every_scope";
const READ_ONLY_KEY = "sk_test_unit_key_read_only";
process.env.PAYMENTS_TEST_API_KEY = KEY;
const principals: Record<string, Principal> = {
  [KEY]: { keyId: "key_unit", merchantId: "mer_unit", scopes: new Set(SCOPES) },
  [READ_ONLY_KEY]: {
    keyId: "key_unit_ro",
    merchantId: "mer_unit",
    scopes: new Set(["payments:read"] as const),
  },
};
const authenticator = { authenticate: async (secret: string) => principals[secret] ?? null };
const bus = new FakeBus();
let baseUrl = "";
let limitedUrl = "";
const servers: Array<{ close: () => void }> = [];

/** The ingress's dependencies with I/O replaced: Kafka reports down, so readiness has something to say. */
const unitDeps = () => ({
  config: loadConfig({}),
  pool: emptyPool,
  commandBus: bus,
  logger: pino({ level: "silent" }),
  readinessChecks: {
    postgres: async () => undefined,
    kafka: async () => Promise.reject(new Error("down")),
  },
});

async function serve(rateLimit?: { perSecond: number; burst: number }): Promise<string> {
  const app = createIngressApp({
    ...unitDeps(),
    rateLimit,
    authenticator,
  });
  const server = app.listen(0, "127.0.0.1");
  servers.push(server);
  await new Promise((resolve) => server.once("listening", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  baseUrl = await serve();
  limitedUrl = await serve({ perSecond: 0.001, burst: 2 });
});
afterAll(() => {
  for (const s of servers) s.close();
});
beforeEach(() => {
  bus.sent = [];
  bus.answer = async () => "timeout";
});

const post = (path: string, body?: unknown, opts: Parameters<typeof api.post>[2] = {}) =>
  api.post(path, body, { baseUrl, ...opts });

describe("create", () => {
  it("publishes a normalised create command and answers with the processor's result", async () => {
    bus.answer = async (c) =>
      commandResult.payment("created", newDomainPayment({ paymentId: c.paymentId, orderId: "4711" }));
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const res = await post("/payments", newPaymentBody({ amount: "49.9", currency: "usd", psp: undefined }), {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.status).toBe(201);
    const [{ command, traceparent }] = bus.sent as [(typeof bus.sent)[number]];
    expect(res.body).toMatchObject({ payment_id: command.paymentId, order_id: 4711, amount: "10.00" });
    expect(res.headers.get("location")).toBe(`/payments/${command.paymentId}`);
    expect(command).toMatchObject({
      type: "create",
      body: {
        amount: "49.90",
        amount_minor: 4990,
        currency: "USD",
        psp: "stripe",
        capture_method: "automatic",
      },
      idempotencyKey: null,
    });
    expect(command.commandId).not.toBe(command.paymentId);
    expect(traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(traceparent).not.toContain("00f067aa0ba902b7");
  });

  it("answers 202 with a processing PaymentResponse and a Location when no reply comes in time", async () => {
    const body = newPaymentBody({ amount: "5000", currency: "JPY", metadata: { cart: "c1" } });
    const res = await post("/payments", body);
    expect(res.status).toBe(202);
    const paymentId = bus.sent[0]?.command.paymentId;
    expect(res.headers.get("location")).toBe(`/payments/${paymentId}`);
    expect(res.body).toMatchObject({
      payment_id: paymentId,
      order_id: body.order_id,
      amount: "5000",
      currency: "JPY",
      status: "processing",
      amount_captured: "0",
      payment_method: { type: "card" },
      metadata: { cart: "c1" },
    });
  });

  it("generates a traceparent when the caller sent none, and echoes the request id", async () => {
    const id = "6f1c2a9e-1b7d-4c55-9a7e-2f0c1d3e4b5a";
    const res = await post("/payments", newPaymentBody(), { headers: { "x-request-id": id } });
    expect(res.headers.get("request-id")).toBe(id);
    expect(bus.sent[0]?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const hex = await post("/payments", newPaymentBody(), { headers: { "x-request-id": "a1b2c3" } });
    expect(hex.headers.get("request-id")).toBe("a1b2c3");
  });

  it.each([
    ["free text", "req-123"],
    ["too long hex", "a".repeat(65)],
    ["a card number spelt in hex", "4242424242424242"],
  ])("replaces a request id that is %s with a fresh UUID", async (_name, inbound) => {
    const res = await post("/payments", newPaymentBody(), { headers: { "x-request-id": inbound } });
    expect(res.status).toBe(202);
    expect(res.headers.get("request-id")).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });

  it("starts a fresh trace when the caller's trace id spells a card number", async () => {
    const traceId = "abcdefabcdefabcd".concat("4242424242424242");
    await post("/payments", newPaymentBody(), {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(bus.sent[0]?.traceparent).not.toContain("4242424242424242");
  });

  it("answers a decline with 402", async () => {
    bus.answer = async () =>
      commandResult.rejected(errors.declined("card_declined", "The card was declined"));
    const res = await post("/payments", newPaymentBody());
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ type: "card_error", code: "card_declined" });
  });
});

describe("refusals before anything is published", () => {
  it.each([
    ["malformed JSON", '{"order_id": 1,', "application/json", 400, "invalid_json"],
    [
      "a non-JSON content type",
      "order_id=1",
      "application/x-www-form-urlencoded",
      415,
      "unsupported_media_type",
    ],
    ["text/plain", "{}", "text/plain", 415, "unsupported_media_type"],
  ])("%s", async (_name, rawBody, contentType, status, code) => {
    const res = await post("/payments", undefined, { rawBody, headers: { "content-type": contentType } });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(bus.sent).toHaveLength(0);
  });

  it("accepts application/json with a charset", async () => {
    const res = await post("/payments", undefined, {
      rawBody: JSON.stringify(newPaymentBody()),
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(res.status).toBe(202);
  });

  it("refuses a body over 64 KiB with 413", async () => {
    const res = await post("/payments", newPaymentBody({ description: "x".repeat(70_000) }));
    expect(res.status).toBe(413);
    expect(res.body.error).toEqual({
      type: "invalid_request_error",
      code: "payload_too_large",
      message: "Request body exceeds 65536 bytes",
    });
  });

  it("requires Content-Type: application/json on every POST, even an empty one", async () => {
    const id = "6f1c2a9e-1b7d-4c55-9a7e-2f0c1d3e4b5a";
    for (const path of ["/payments", `/payments/${id}/confirm`, `/payments/${id}/refund`]) {
      const res = await api.request<{ error: { code: string } }>("POST", path, undefined, { baseUrl });
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe("unsupported_media_type");
    }
    const form = await api.request<{ error: { code: string } }>("POST", `/payments/${id}/cancel`, undefined, {
      baseUrl,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
    expect(bus.sent).toHaveLength(0);
  });

  it.each([
    ["nests too deep", `${"[".repeat(40)}${"]".repeat(40)}`, "json_too_deep", "32 levels"],
    [
      "holds too many keys",
      JSON.stringify(
        newPaymentBody({ metadata: Object.fromEntries([...Array(1_001).keys()].map((i) => [`k${i}`, "v"])) }),
      ),
      "json_too_many_keys",
      "1000 keys",
    ],
  ])(
    "refuses a body that %s with 400, before the PAN guard reads it",
    async (_name, rawBody, code, named) => {
      const res = await post("/payments", undefined, {
        rawBody: rawBody.replace(/"v"/, '"4242424242424242"'),
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: "invalid_request_error", code });
      expect(res.body.error.message).toContain(named);
      expect(bus.sent).toHaveLength(0);
    },
  );

  it("refuses card data in a header of a POST, naming the header and never echoing the number", async () => {
    const key = await post("/payments", newPaymentBody(), { idempotencyKey: "order-4242.4242.4242.4242" });
    expect(key.status).toBe(422);
    expect(key.body.error).toMatchObject({ code: "pan_not_allowed", field: "idempotency-key" });
    const note = await post("/payments", newPaymentBody(), { headers: { "x-card-cvc": "123" } });
    expect(note.body.error).toMatchObject({ code: "pan_not_allowed", field: "x-card-cvc" });
    expect(JSON.stringify([key.body, note.body])).not.toMatch(/4242|123/);
    expect(bus.sent).toHaveLength(0);
  });

  it.each([
    ["amount", { amount: "1".repeat(33) }, "amount is at most 32 characters"],
    ["currency", { currency: "USDX" }, "currency is a 3-letter ISO 4217 code"],
  ])("limits the length of %s", async (field, over, message) => {
    const res = await post("/payments", newPaymentBody(over));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "parameter_invalid", field });
    expect(res.body.error.message).toContain(message);
  });

  it("refuses card data with 422 pan_not_allowed naming the field, and never publishes it", async () => {
    const res = await post("/payments", newPaymentBody({ metadata: { note: "4242 4242 4242 4242" } }));
    expect(res.status).toBe(422);
    expect(res.body.error).toEqual({
      type: "invalid_request_error",
      code: "pan_not_allowed",
      message: expect.any(String),
      field: "metadata.note",
    });
    const cvc = await post(
      "/payments",
      newPaymentBody({ token: null, payment_method: { type: "card", cvc: "123" } }),
    );
    expect(cvc.body.error).toMatchObject({ code: "pan_not_allowed", field: "payment_method.cvc" });
    expect(bus.sent).toHaveLength(0);
  });

  it("names the invalid field with 422", async () => {
    const res = await post("/payments", newPaymentBody({ amount: 49.99 }));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({
      type: "invalid_request_error",
      code: "amount_invalid",
      field: "amount",
    });
  });

  it("refuses an Idempotency-Key longer than 255 characters", async () => {
    const res = await post("/payments", newPaymentBody(), { idempotencyKey: "k".repeat(256) });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "idempotency_key_invalid", field: "Idempotency-Key" });
  });
});

describe("routing and errors", () => {
  it.each([
    ["GET", "/payments/not-a-uuid"],
    ["GET", "/payments/0"],
    ["GET", "/payments/6f1c2a9e-1b7d-4c55-9a7e-2f0c1d3e4b5a"],
    ["POST", "/payments/not-a-uuid/confirm"],
    ["POST", "/payments/6f1c2a9e-1b7d-4c55-9a7e-2f0c1d3e4b5a/refund"],
  ])("%s %s is 404 resource_missing", async (method, path) => {
    const body = method === "POST" ? {} : undefined;
    const res = await api.request<{ error: { type: string; code: string } }>(method, path, body, { baseUrl });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ type: "not_found_error", code: "resource_missing" });
  });

  it("lists an order without payments as empty", async () => {
    const res = await api.get("/payments/1001", { baseUrl });
    expect(res).toMatchObject({ status: 200, body: [] });
  });

  it("answers 404 for unknown routes and 405 with Allow for a wrong method", async () => {
    const unknown = await api.get("/nope-4242424242424242", { baseUrl });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("route_not_found");
    expect(unknown.body.error.message).not.toMatch(/nope|4242/);
    const wrong = await api.request<{ error: { type: string; code: string } }>(
      "DELETE",
      "/payments",
      undefined,
      { baseUrl },
    );
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    expect(wrong.body.error.code).toBe("method_not_allowed");
  });

  it("hides unexpected errors behind a bare 500", async () => {
    bus.answer = async () => {
      throw new Error("connection string postgres://secret@db");
    };
    const res = await post("/payments", newPaymentBody());
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: { type: "api_error", code: "api_error", message: "An internal error occurred" },
    });
    expect(JSON.stringify(res.body)).not.toContain("secret");
  });

  it("answers 503 with Retry-After, not 500, while PostgreSQL restarts or is unreachable", async () => {
    for (const failure of [
      Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
      Object.assign(new Error("the database system is starting up"), { code: "57P03" }),
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:55432"), { code: "ECONNREFUSED" }),
      new Error("Connection terminated unexpectedly"),
    ]) {
      bus.answer = async () => {
        throw failure;
      };
      const res = await post("/payments", newPaymentBody());
      expect(res.status, failure.message).toBe(503);
      expect(res.headers.get("retry-after")).toBe("1");
      expect(res.body.error.code).toBe("service_unavailable");
      expect(JSON.stringify(res.body)).not.toContain("55432");
    }
  });

  it("answers 503 with Retry-After when the command cannot be queued", async () => {
    bus.answer = async () => {
      throw errors.unavailable("The payment command could not be queued");
    };
    const res = await post("/payments", newPaymentBody());
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.body.error.code).toBe("service_unavailable");
  });

  it("rate-limits per client with 429 rate_limited", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await api.get("/payments/1", { baseUrl: limitedUrl })).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await api.get("/payments/1", { baseUrl: limitedUrl });
    expect(limited.body.error).toMatchObject({ type: "rate_limit_error", code: "rate_limited" });
    expect((await api.get("/healthz", { baseUrl: limitedUrl })).status).toBe(200);
  });
});

describe("operations endpoints", () => {
  it("answers liveness, bare readiness and the OpenAPI document publicly, and nothing about dependencies", async () => {
    expect(await api.get("/healthz", { baseUrl })).toMatchObject({ status: 200, body: { status: "alive" } });
    const ready = await api.get("/readyz", { baseUrl });
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: "not_ready" });
    expect((await api.get("/metrics", { baseUrl })).status).toBe(404);
    const doc = await api.get("/openapi.json", { baseUrl });
    expect(doc.body.openapi).toBe("3.1.0");
  });

  it("serves readiness naming the failed dependency, and metrics, on the ops listener", async () => {
    const ops = createIngressOpsApp(unitDeps()).listen(0, "127.0.0.1");
    servers.push(ops);
    await new Promise((resolve) => ops.once("listening", resolve));
    const opsUrl = `http://127.0.0.1:${(ops.address() as AddressInfo).port}`;
    const ready = await api.get("/readyz", { baseUrl: opsUrl });
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({
      status: "not_ready",
      checks: { postgres: { status: "up" }, kafka: { status: "down", error: "down" } },
    });
    const metrics = await api.get("/metrics", { baseUrl: opsUrl });
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    expect(metrics.body).toContain("http_request_duration_seconds_bucket");
    expect(metrics.body).toContain("process_cpu_user_seconds_total");
  });
});

describe("API keys at the HTTP edge", () => {
  it("answers 401 without a key or with an unknown one, and 403 without the scope, before publishing", async () => {
    const none = await post("/payments", newPaymentBody(), { apiKey: null });
    expect(none.status).toBe(401);
    expect(none.body.error).toMatchObject({ type: "authentication_error", code: "api_key_missing" });
    const unknown = await post("/payments", newPaymentBody(), { apiKey: "sk_test_not_a_key_we_made" });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe("api_key_invalid");
    const basic = await post("/payments", newPaymentBody(), {
      apiKey: null,
      headers: { authorization: `Basic ${KEY}` },
    });
    expect(basic.status).toBe(401);
    const readOnly = await post("/payments", newPaymentBody(), { apiKey: READ_ONLY_KEY });
    expect(readOnly.status).toBe(403);
    expect(readOnly.body.error).toMatchObject({ type: "permission_error", code: "insufficient_scope" });
    expect(bus.sent).toEqual([]);
    expect((await api.get("/payments/1", { baseUrl, apiKey: READ_ONLY_KEY })).status).toBe(200);
  });

  it("checks the key before reading the body", async () => {
    const res = await post("/payments", undefined, { apiKey: null, rawBody: "{" });
    expect(res.status).toBe(401);
  });
});

describe("OpenAPI conformance of what the ingress itself writes", () => {
  it("matches the served document for 202 bodies and every error the edge raises", async () => {
    const contract = await OpenApiContract.load(baseUrl);
    const cases: Array<[string, () => Promise<Awaited<ReturnType<typeof post>>>, number]> = [
      [
        "/payments",
        () => post("/payments", newPaymentBody({ metadata: { a: "b" }, customer_id: "c1" })),
        202,
      ],
      [
        "/payments",
        () => post("/payments", newPaymentBody({ token: null, amount: "5000", currency: "JPY" })),
        202,
      ],
      ["/payments", () => post("/payments", undefined, { rawBody: "{" }), 400],
      ["/payments", () => post("/payments", newPaymentBody({ amount: "1.001" })), 422],
      [
        "/payments",
        () => post("/payments", undefined, { rawBody: "x", headers: { "content-type": "text/plain" } }),
        415,
      ],
      ["/payments", () => post("/payments", newPaymentBody({ description: "x".repeat(70_000) })), 413],
      ["/payments", () => post("/payments", undefined, { rawBody: "[".repeat(33) }), 400],
      ["/payments", () => api.request("POST", "/payments", undefined, { baseUrl }), 415],
    ];
    for (const [template, run, status] of cases) {
      const res = await run();
      expect(res.status).toBe(status);
      contract.assert("POST", template, res);
    }
    bus.answer = async () => {
      throw new Error("boom");
    };
    contract.assert("POST", "/payments", await post("/payments", newPaymentBody()));
    contract.assert("GET", "/payments/{ref}", await api.get("/payments/not-an-id", { baseUrl }));
    contract.assert("GET", "/payments/{ref}", await api.get("/payments/77", { baseUrl }));
    contract.assert("POST", "/payments/{payment_id}/refund", await post("/payments/x/refund", {}));
    contract.assert("GET", "/payments/{ref}", await api.get("/payments/1", { baseUrl: limitedUrl }));
    contract.assert("GET", "/readyz", await api.get("/readyz", { baseUrl }));
    contract.assert("GET", "/healthz", await api.get("/healthz", { baseUrl }));
    contract.assert("POST", "/payments", await post("/payments", newPaymentBody(), { apiKey: null }));
    contract.assert(
      "POST",
      "/payments",
      await post("/payments", newPaymentBody(), { apiKey: READ_ONLY_KEY }),
    );
  });
});
