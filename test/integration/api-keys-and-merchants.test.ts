import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_TOPICS } from "../../core/infra/topics.ts";
import { type ApiResponse, api } from "../helpers/api.ts";
import { testDb } from "../helpers/db.ts";
import { EventLog } from "../helpers/event-log.ts";
import { newPaymentBody } from "../helpers/factories.ts";
import { createAndConfirm } from "../helpers/flows.ts";
import { freePort } from "../helpers/free-port.ts";
import { type ServiceProcess, spawnService, waitForHttp } from "../helpers/service-process.ts";
import { stackEnv } from "../helpers/stack-env.ts";
import { newMerchantKey, TEST_MERCHANT_ID } from "../helpers/test-key.ts";
import { eventually } from "../helpers/wait.ts";

const run = promisify(execFile);
const events = new EventLog();
let other: { merchantId: string; keyId: string; secret: string };
let readOnly: { merchantId: string; keyId: string; secret: string };

beforeAll(async () => {
  await events.start([EVENT_TOPICS.authorized]);
  const suffix = randomUUID().slice(0, 8);
  other = await newMerchantKey(testDb(), `mer_other_${suffix}`);
  readOnly = await newMerchantKey(testDb(), TEST_MERCHANT_ID, ["payments:read"]);
});
afterAll(async () => {
  await events.stop();
});

describe("two merchants", () => {
  it("never shows or touches another merchant's payment: every read and write answers 404", async () => {
    const { paymentId, confirmed } = await createAndConfirm({ capture_method: "manual" });
    expect(confirmed.body.status).toBe("requires_capture");
    const orderId = confirmed.body.order_id;
    const theirs = { apiKey: other.secret };

    expect((await api.get(`/payments/${paymentId}`, theirs)).status).toBe(404);
    expect((await api.get(`/payments/${orderId}`, theirs)).body).toEqual([]);
    for (const action of ["confirm", "capture", "cancel", "refund"]) {
      const res = await api.post(`/payments/${paymentId}/${action}`, {}, theirs);
      expect(res.status, `${action}: ${JSON.stringify(res.body)}`).toBe(404);
      expect(res.body.error.code).toBe("resource_missing");
    }
    // Nothing moved: the owner still sees it waiting for its capture.
    const mine = await api.get(`/payments/${paymentId}`);
    expect(mine.body).toMatchObject({ status: "requires_capture", amount_captured: "0.00" });
    expect((await api.get(`/payments/${orderId}`)).body).toHaveLength(1);
  });

  it("keeps Idempotency-Keys per merchant: the same key makes one payment each", async () => {
    const key = `shared-${randomUUID()}`;
    const mine = await api.post("/payments", newPaymentBody(), { idempotencyKey: key });
    const theirs = await api.post("/payments", newPaymentBody(), {
      idempotencyKey: key,
      apiKey: other.secret,
    });
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
    expect(theirs.body.payment_id).not.toBe(mine.body.payment_id);
    const { rows } = await testDb().query(
      "SELECT merchant_id FROM idempotency_keys WHERE idempotency_key = $1 ORDER BY merchant_id",
      [key],
    );
    expect(rows.map((r) => r.merchant_id)).toEqual([other.merchantId, TEST_MERCHANT_ID].sort());
  });

  it("stamps the merchant on the payment, its refund and its events", async () => {
    const { paymentId, confirmed } = await createAndConfirm({}, { apiKey: other.secret });
    expect(confirmed.body.status).toBe("succeeded");
    const refund = await api.post(
      `/payments/${paymentId}/refund`,
      { amount: "1.00" },
      { apiKey: other.secret },
    );
    expect(refund.status).toBe(200);
    const [event] = await events.waitFor(paymentId, { topic: EVENT_TOPICS.authorized });
    expect(event?.value).toMatchObject({ payment_id: paymentId, merchant_id: other.merchantId });
    const { rows } = await testDb().query(
      `SELECT (SELECT merchant_id FROM payment_index WHERE payment_id = $1) AS payment,
              (SELECT merchant_id FROM refunds WHERE refund_id = $2) AS refund`,
      [paymentId, refund.body.refund_id],
    );
    expect(rows[0]).toEqual({ payment: other.merchantId, refund: other.merchantId });
  });
});

describe("API keys and scopes", () => {
  it("answers 401 without a key, with a malformed one, and with a well-formed unknown one", async () => {
    const none = await api.post("/payments", newPaymentBody(), { apiKey: null });
    expect(none).toMatchObject({
      status: 401,
      body: { error: { type: "authentication_error", code: "api_key_missing" } },
    });
    const forged = await api.get("/payments/1", { apiKey: `sk_test_${"A".repeat(43)}` });
    expect(forged.body.error.code).toBe("api_key_invalid");
    expect((await api.get("/payments/1", { apiKey: "nonsense" })).status).toBe(401);
  });

  it("lets a read-only key read but not refund (403), and the refusal changes nothing", async () => {
    const { paymentId } = await createAndConfirm();
    expect((await api.get(`/payments/${paymentId}`, { apiKey: readOnly.secret })).status).toBe(200);
    const refused = await api.post(`/payments/${paymentId}/refund`, {}, { apiKey: readOnly.secret });
    expect(refused).toMatchObject({
      status: 403,
      body: { error: { type: "permission_error", code: "insufficient_scope" } },
    });
    expect((await api.get(`/payments/${paymentId}`)).body).toMatchObject({
      status: "succeeded",
      amount_refunded: "0.00",
    });
    const { rows } = await testDb().query("SELECT count(*)::int AS n FROM refunds WHERE payment_id = $1", [
      paymentId,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it("makes keys with the CLI (secret alone on the last line) and revokes them within 5 s", async () => {
    const env = { ...process.env, DATABASE_URL: stackEnv.databaseUrl };
    const created = await run(
      "npm",
      ["run", "-s", "apikey:create", "--", "--merchant=CLI Test Shop", "--scopes=payments:read"],
      { env },
    );
    const lines = created.stdout.trim().split("\n");
    const secret = lines.at(-1) ?? "";
    expect(secret).toMatch(/^sk_test_[A-Za-z0-9_-]{43}$/);
    const keyId = /key id:\s+(key_[0-9a-f]+)/.exec(created.stdout)?.[1];
    expect(keyId).toBeDefined();
    const { rows } = await testDb().query(
      "SELECT secret_sha256, merchant_id, scopes FROM api_keys WHERE key_id = $1",
      [keyId],
    );
    expect(rows[0]).toMatchObject({ merchant_id: "mer_cli_test_shop", scopes: ["payments:read"] });
    expect(Buffer.from(rows[0].secret_sha256).toString("utf8")).not.toContain(secret.slice(8));

    expect((await api.get("/payments/1", { apiKey: secret })).status).toBe(200);
    await run("npm", ["run", "-s", "apikey:revoke", "--", `--key=${keyId}`], { env });
    const revokedAt = Date.now();
    await eventually(
      "the revoked key to be refused",
      async () => ((await api.get("/payments/1", { apiKey: secret })).status === 401 ? true : undefined),
      5_000,
      100,
    );
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
  });
});

describe("audit log", () => {
  it("records every mutation, refused ones too, and cannot be changed", async () => {
    const requestId = randomUUID();
    const created = await api.post("/payments", newPaymentBody(), { headers: { "x-request-id": requestId } });
    const refusedId = randomUUID();
    await api.post("/payments", newPaymentBody(), { apiKey: null, headers: { "x-request-id": refusedId } });
    const { rows } = await testDb().query(
      "SELECT * FROM audit_log WHERE request_id = ANY($1) ORDER BY audit_id",
      [[requestId, refusedId]],
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      merchant_id: TEST_MERCHANT_ID,
      action: "payment.create",
      payment_id: created.body.payment_id,
      request_id: requestId,
      outcome: 201,
      error_code: null,
    });
    expect(rows[0].key_id).toMatch(/^key_/);
    expect(rows[0].client_ip).toMatch(/127\.0\.0\.1/);
    expect(rows[1]).toMatchObject({
      merchant_id: null,
      key_id: null,
      outcome: 401,
      error_code: "api_key_missing",
    });

    await expect(
      testDb().query("UPDATE audit_log SET outcome = 200 WHERE request_id = $1", [refusedId]),
    ).rejects.toThrow(/append-only/);
    await expect(testDb().query("DELETE FROM audit_log WHERE request_id = $1", [refusedId])).rejects.toThrow(
      /append-only/,
    );
  });
});

describe("rate limits across ingress processes", () => {
  const ingresses: ServiceProcess[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const ingress = spawnService(
        "http-ingress/main.ts",
        { PORT: String(port), API_KEY_RATE_LIMIT_PER_SEC: "10", CONFIRM_VELOCITY_PER_TOKEN: "2" },
        `rate-limits-ingress-${i}`,
      );
      ingresses.push(ingress);
      urls.push(`http://127.0.0.1:${port}`);
      await waitForHttp(`${urls[i]}/readyz`, 90_000, ingress.child);
    }
  }, 180_000);
  afterAll(async () => {
    await Promise.all(ingresses.map((i) => i.stop()));
  });

  it("refuses a token confirmed too often, whichever ingress the confirms reach (429, Retry-After)", async () => {
    const token = `pm_velocity_${randomUUID().replaceAll("-", "")}`;
    const { secret } = await newMerchantKey(testDb(), `mer_velocity_${randomUUID().slice(0, 8)}`);
    const answers: number[] = [];
    let last: ApiResponse | null = null;
    for (let i = 0; i < 3; i++) {
      const baseUrl = urls[i % 2] as string;
      const created = await api.post("/payments", newPaymentBody({ token }), { baseUrl, apiKey: secret });
      expect(created.status).toBe(201);
      last = await api.post(`/payments/${created.body.payment_id}/confirm`, {}, { baseUrl, apiKey: secret });
      answers.push(last.status);
    }
    expect(answers).toEqual([200, 200, 429]);
    expect(last?.body.error).toMatchObject({ type: "rate_limit_error", code: "rate_limited" });
    expect(Number(last?.headers.get("retry-after"))).toBeGreaterThan(60);
    // Another merchant's confirms with the same token are counted apart. (A fresh key: the suite's own
    // key spends its per-key budget in the same PostgreSQL counter on every ingress of the run.)
    const another = {
      baseUrl: urls[0],
      apiKey: (await newMerchantKey(testDb(), `mer_v_${randomUUID().slice(0, 8)}`)).secret,
    };
    const created = await api.post("/payments", newPaymentBody({ token }), another);
    expect((await api.post(`/payments/${created.body.payment_id}/confirm`, {}, another)).status).toBe(200);
  });

  it("holds a key to its budget across both ingresses", async () => {
    const { secret } = await newMerchantKey(testDb(), `mer_budget_${randomUUID().slice(0, 8)}`);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => api.get("/payments/1", { baseUrl: urls[i % 2], apiKey: secret })),
    );
    const ok = answers.filter((a) => a.status === 200).length;
    const limited = answers.filter((a) => a.status === 429);
    // 10 a second per key: 30 requests within a second or two can get at most 20 through.
    expect(ok).toBeGreaterThanOrEqual(10);
    expect(ok).toBeLessThanOrEqual(20);
    expect(limited.length).toBe(30 - ok);
    expect(limited[0]?.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    // Another key is not slowed down by this one.
    const fresh = await newMerchantKey(testDb(), `mer_budget_${randomUUID().slice(0, 8)}`);
    expect((await api.get("/payments/1", { baseUrl: urls[0], apiKey: fresh.secret })).status).toBe(200);
  });
});
