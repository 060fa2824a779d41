import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logger } from "../../core/infra/logger.ts";
import { MERCHANT_SCOPES } from "../../core/security/api-keys.ts";
import { insertPayment } from "../../db/repositories/payments-repo.ts";
import { finishRun, insertExceptions, insertRun } from "../../db/repositories/recon-repo.ts";
import { openReview } from "../../db/repositories/reviews-repo.ts";
import type { ProcessorContext } from "../../processors/context.ts";
import { startOpsServer } from "../../processors/ops/ops-server.ts";
import { newDomainPayment } from "../helpers/factories.ts";
import { freePort } from "../helpers/free-port.ts";
import { privateDatabase } from "../helpers/private-database.ts";
import { newMerchantKey, TEST_MERCHANT_ID } from "../helpers/test-key.ts";
import { eventually } from "../helpers/wait.ts";

// The console's routes over a real database and a real listener; resolving a review end to end (which
// needs the whole processor) is the browser test's job (ops-console.browser.test.ts).
const TOKEN = "pm_card_visa_0123456789abcdef_4242";
const MARKUP = `<img src=x onerror="alert(1)">`;
let db: Awaited<ReturnType<typeof privateDatabase>>;
let server: Server;
let base: string;
let opsKey: { keyId: string; secret: string };
const payment = newDomainPayment({ paymentMethodToken: TOKEN, description: MARKUP });
let reviewId: string;
let runId: string;

beforeAll(async () => {
  db = await privateDatabase("ops_console");
  await insertPayment(db.pool, payment);
  reviewId = (
    await openReview(db.pool, {
      paymentId: payment.paymentId,
      attemptId: null,
      reason: "psp_unreachable",
      detail: MARKUP,
    })
  ).reviewId;
  runId = randomUUID();
  await insertRun(db.pool, {
    runId,
    date: "2025-01-02",
    psp: "stripe",
    outputKey: "k",
    startedAt: new Date(),
  });
  await insertExceptions(db.pool, runId, [
    {
      class: "missing_in_psp",
      reference: "pi_x",
      paymentId: payment.paymentId,
      refundId: null,
      recordType: "charge",
      currency: "USD",
      ledgerAmount: "10.00",
      pspGross: null,
      pspFee: null,
      pspNet: null,
      ledgerStatus: "succeeded",
      detail: `${MARKUP} 4242 4242 4242 4242`,
    },
  ]);
  await finishRun(db.pool, {
    runId,
    matched: 3,
    exceptions: 1,
    counts: {},
    totals: {},
    outputUri: "s3://b/k",
  });
  opsKey = await newMerchantKey(db.pool, "mer_operations", ["ops"]);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startOpsServer({ pool: db.pool } as ProcessorContext, {
    port,
    host: "127.0.0.1",
    logger,
    console: {
      sessionSecret: "test-only-console-secret-0123456789abcdef",
      sessionTtlMs: 600_000,
      secureCookies: true,
    },
  });
});

afterAll(async () => {
  server?.close();
  await db?.drop();
});

/** A browser's request, by hand: same-origin form posts carry Origin; the cookie is ours to send. */
async function call(
  path: string,
  o: { cookie?: string; form?: Record<string, string>; origin?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (o.cookie) headers.cookie = o.cookie;
  if (o.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    headers.origin = o.origin ?? base;
  }
  const res = await fetch(`${base}${path}`, {
    method: o.form ? "POST" : "GET",
    headers,
    body: o.form ? new URLSearchParams(o.form).toString() : undefined,
    redirect: "manual",
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function login(secret = opsKey.secret, operator = "alice"): Promise<{ cookie: string; csrf: string }> {
  const res = await call("/console/login", { form: { api_key: secret, operator } });
  expect(res.status, res.text).toBe(303);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const page = await call("/console/reviews", { cookie });
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? "";
  expect(csrf).not.toBe("");
  return { cookie, csrf };
}

const reviewStillOpen = async () =>
  (await db.pool.query("SELECT resolved_at FROM payment_reviews WHERE review_id = $1", [reviewId])).rows[0]
    ?.resolved_at === null;

describe("ops console: logging in", () => {
  it("sends a visitor without a session to the login page, with a strict CSP on every page", async () => {
    const res = await call("/console/payments");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/console/login");
    const form = await call("/console/login");
    expect(form.status).toBe(200);
    expect(form.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(form.headers.get("content-security-policy")).not.toMatch(/unsafe|script-src/);
    expect(form.headers.get("x-frame-options")).toBe("DENY");
    expect(form.headers.get("cache-control")).toBe("no-store");
    expect((await call("/console/no-such-page")).headers.get("content-security-policy")).toContain(
      "frame-ancestors 'none'",
    );
  });

  it("refuses unknown keys and keys without the ops scope, and writes an audit row either way", async () => {
    const merchantOnly = await newMerchantKey(db.pool, TEST_MERCHANT_ID, MERCHANT_SCOPES);
    for (const secret of ["sk_test_nope", merchantOnly.secret]) {
      const res = await call("/console/login", { form: { api_key: secret, operator: "mallory" } });
      expect(res.status).toBe(401);
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(res.text).toContain("lacks the ops scope");
    }
    const { rows } = await db.pool.query(
      "SELECT key_id, outcome FROM audit_log WHERE action = 'ops.console.login' ORDER BY audit_id",
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { key_id: null, outcome: 401 },
        { key_id: merchantOnly.keyId, outcome: 403 },
      ]),
    );
  });

  it("sets an HttpOnly, SameSite=Strict, Secure session cookie that holds no key", async () => {
    const res = await call("/console/login", { form: { api_key: opsKey.secret, operator: "alice" } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/console/payments");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(
      /^ops_session=[\w-]+\.[\w-]+; Path=\/console; Max-Age=600; HttpOnly; SameSite=Strict; Secure$/,
    );
    const payload = Buffer.from(cookie.split("=")[1]?.split(".")[0] ?? "", "base64url").toString("utf8");
    expect(payload).toContain(opsKey.keyId);
    expect(payload).not.toContain(opsKey.secret);
    expect(cookie).not.toContain(opsKey.secret.slice(8, 30));
  });

  it("refuses a login form posted from another origin", async () => {
    const res = await call("/console/login", {
      form: { api_key: opsKey.secret, operator: "x" },
      origin: "http://attacker.example",
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("ends the session on a tampered cookie, on logout, and within seconds of the key's revocation", async () => {
    const { cookie, csrf } = await login();
    const [name, value] = cookie.split("=");
    const forged = Buffer.from(
      Buffer.from(value?.split(".")[0] ?? "", "base64url")
        .toString()
        .replace(opsKey.keyId, "key_other"),
    ).toString("base64url");
    expect(
      (await call("/console/payments", { cookie: `${name}=${forged}.${value?.split(".")[1]}` })).status,
    ).toBe(302);

    const out = await call("/console/logout", { cookie, form: { csrf } });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");

    const other = await newMerchantKey(db.pool, "mer_operations", ["ops"]);
    const session = await login(other.secret, "bob");
    expect((await call("/console/payments", { cookie: session.cookie })).status).toBe(200);
    await db.pool.query("UPDATE api_keys SET revoked_at = now() WHERE key_id = $1", [other.keyId]);
    await eventually(
      "the revoked key's session to be refused",
      async () =>
        (await call("/console/payments", { cookie: session.cookie })).status === 302 ? true : undefined,
      5_000,
    );
  });
});

describe("ops console: pages", () => {
  it("finds a payment by id and never shows its whole token", async () => {
    const { cookie } = await login();
    const res = await call(`/console/payments?payment_id=${payment.paymentId}`, { cookie });
    expect(res.status).toBe(200);
    expect(res.text).toContain(`/console/payments/${payment.paymentId}`);
    expect(res.text).toContain("pm_…4242");
    expect(res.text).not.toContain(TOKEN);
    const byOrder = await call(
      `/console/payments?order_id=${payment.orderId}&status=requires_confirmation&psp=stripe`,
      { cookie },
    );
    expect(byOrder.text).toContain(payment.paymentId);
    const none = await call(`/console/payments?order_id=${payment.orderId}&status=succeeded`, { cookie });
    expect(none.text).toContain("No payment matches.");
  });

  it("escapes what it reflects and what it reads from the database", async () => {
    const { cookie } = await login();
    const reflected = await call(
      `/console/payments?order_id=${encodeURIComponent(`"><script>alert(1)</script>`)}`,
      {
        cookie,
      },
    );
    expect(reflected.text).toContain("An order id is a whole number.");
    expect(reflected.text).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(reflected.text).not.toContain("<script>");

    const timeline = await call(`/console/payments/${payment.paymentId}`, { cookie });
    expect(timeline.status).toBe(200);
    expect(timeline.text).toContain("review opened: psp_unreachable");
    expect(timeline.text).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(timeline.text).not.toContain(MARKUP);
    expect(timeline.text).not.toContain(TOKEN);

    const recon = await call(`/console/recon/${runId}`, { cookie });
    expect(recon.text).toContain("missing_in_psp");
    expect(recon.text).not.toContain(MARKUP);
    // A card number in free text (which every entry refuses) would still not be shown.
    expect(recon.text).toContain("[hidden: looks like a card number]");
    expect(recon.text).not.toContain("4242 4242 4242 4242");
    expect((await call("/console/recon", { cookie })).text).toContain("2025-01-02");
  });

  it("refuses a review decision without the session's CSRF token, from another origin, or without a session", async () => {
    const { cookie, csrf } = await login();
    const path = `/console/reviews/${reviewId}/resolve`;
    const decision = { action: "mark_failed", note: "checked" };
    expect((await call(path, { cookie, form: decision })).status).toBe(403);
    expect((await call(path, { cookie, form: { ...decision, csrf: `${csrf}x` } })).status).toBe(403);
    expect(
      (await call(path, { cookie, form: { ...decision, csrf }, origin: "http://attacker.example" })).status,
    ).toBe(403);
    const anonymous = await call(path, { form: { ...decision, csrf } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).toContain("Log in again");
    // Another operator's token does not fit this session.
    const other = await login(opsKey.secret, "carol");
    expect((await call(path, { cookie, form: { ...decision, csrf: other.csrf } })).status).toBe(403);
    const invalid = await call(path, { cookie, form: { action: "approve_everything", csrf } });
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain("action must be one of");
    expect(await reviewStillOpen()).toBe(true);
  });

  it("renders the key counters from this process's registry, refreshing itself", async () => {
    const { cookie } = await login();
    const res = await call("/console/metrics", { cookie });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<meta http-equiv="refresh" content="\d+">/);
    expect(res.text).toContain("processor_commands_total");
  });
});
