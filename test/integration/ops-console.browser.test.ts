import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MERCHANT_SCOPES } from "../../core/security/api-keys.ts";
import { api } from "../helpers/api.ts";
import { launchChromium, screenshot } from "../helpers/browser.ts";
import { testDb } from "../helpers/db.ts";
import { createAndConfirm, type FlowOptions } from "../helpers/flows.ts";
import { newMerchantKey } from "../helpers/test-key.ts";
import { eventually } from "../helpers/wait.ts";

// The run's service's processor ops listener (global-setup: PAYMENTS_TEST_PROCESSOR_PORT), where the console lives.
const consoleUrl = `http://127.0.0.1:${process.env.PAYMENTS_TEST_PROCESSOR_PORT ?? "19464"}/console`;
const OPERATOR = "e2e-operator";
/** The merchant whose payments the test makes (the console itself is platform-wide). */
const MERCHANT = "mer_console_demo";

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
  await browser?.close();
});

/** A payment the PSP never answers (persistent 5xx): the janitor asks a person after REVIEW_AFTER_CHECKS. */
async function paymentInReview(opts: FlowOptions): Promise<{ paymentId: string; orderId: number }> {
  const { paymentId, created, confirmed } = await createAndConfirm({ token: "pm_sim_psp_error" }, opts);
  expect(confirmed.status).toBe(202);
  await eventually(
    "a manual review of the unresolved authorization",
    async () =>
      (
        await testDb().query("SELECT 1 FROM payment_reviews WHERE payment_id = $1 AND resolved_at IS NULL", [
          paymentId,
        ])
      ).rows[0],
    40_000,
  );
  return { paymentId, orderId: created.body.order_id };
}

/** A few ordinary payments of the same merchant, so that the search has something to tell apart. */
async function otherPayments(opts: FlowOptions) {
  const [visa, adyen, declined] = await Promise.all([
    createAndConfirm({ token: "pm_card_visa", amount: "24.50" }, opts),
    createAndConfirm({ token: "pm_card_mastercard", psp: "adyen", currency: "EUR", amount: "80.00" }, opts),
    createAndConfirm({ token: "pm_card_chargeDeclined", amount: "12.00" }, opts),
  ]);
  expect([visa.confirmed.status, adyen.confirmed.status, declined.confirmed.status]).toEqual([200, 200, 402]);
  return { adyen: adyen.paymentId, stripe: visa.paymentId };
}

describe("the ops console in a real browser", () => {
  it("logs in, finds a payment, reads its timeline and resolves its review; the API shows the result", async () => {
    const merchant = await newMerchantKey(testDb(), MERCHANT, MERCHANT_SCOPES);
    const opts = { apiKey: merchant.secret };
    const [{ paymentId, orderId }, others, opsKey] = await Promise.all([
      paymentInReview(opts),
      otherPayments(opts),
      newMerchantKey(testDb(), "mer_operations", ["ops"]),
    ]);

    // Not logged in: the console sends the browser to its login form.
    await page.goto(`${consoleUrl}/payments`);
    expect(new URL(page.url()).pathname).toBe("/console/login");
    await screenshot(page, "login");
    await page.getByLabel("Ops API key").fill(opsKey.secret);
    await page.getByLabel("Your name").fill(OPERATOR);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${consoleUrl}/payments`);
    await page.getByText(`${OPERATOR} (${opsKey.keyId})`).waitFor();
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === "ops_session")).toMatchObject({
      httpOnly: true,
      sameSite: "Strict",
    });

    // Operators see every merchant's payments; filters narrow them down.
    await page.getByLabel("Merchant").fill(MERCHANT);
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/merchant_id=/);
    await page.getByRole("link", { name: others.adyen }).waitFor();
    await screenshot(page, "payments");
    await page.getByLabel("PSP").selectOption("adyen");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/psp=adyen/);
    await page.getByRole("link", { name: others.adyen }).waitFor();
    expect(await page.getByRole("link", { name: others.stripe }).count()).toBe(0);
    expect(await page.content()).not.toContain("pm_card_mastercard");

    // Search by the order id the API gave us.
    await page.goto(`${consoleUrl}/payments`);
    await page.getByLabel("Order id").fill(String(orderId));
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/order_id=/);
    const link = page.getByRole("link", { name: paymentId });
    expect(await link.count()).toBe(1);
    expect(await page.locator("tbody tr").count()).toBe(1);

    // Its timeline: the authorization sent, the PSP's non-answers, the review.
    await link.click();
    await page.waitForURL(`${consoleUrl}/payments/${paymentId}`);
    const timeline = page.locator("table");
    await timeline.getByText("authorize sent to stripe").first().waitFor();
    expect(await timeline.getByText("no final answer yet").count()).toBeGreaterThan(0);
    expect(await timeline.getByText("review opened: authorize_unresolved").count()).toBe(1);
    await screenshot(page, "timeline-open-review");

    // The queue lists it (screenshot), and the decision is taken on the payment's own page.
    await page.getByRole("link", { name: "Reviews" }).click();
    await page.waitForURL(`${consoleUrl}/reviews`);
    await page.getByRole("heading", { name: "Open reviews" }).waitFor();
    await screenshot(page, "reviews");
    await page.goto(`${consoleUrl}/payments/${paymentId}`);
    const review = page.locator("section.review");
    await review.getByLabel("Decision").selectOption("mark_succeeded");
    await review.getByLabel("Note").fill("charge seen in the PSP dashboard");
    await review.getByRole("button", { name: "Resolve" }).click();
    await page.waitForURL(/notice=review_resolved/);
    await page.getByText("Review resolved.").waitFor();
    expect(await page.locator("section.review").count()).toBe(0);
    await page.getByText("review resolved: mark_succeeded").waitFor();
    await page.getByText("event authorized").waitFor();
    await screenshot(page, "timeline");

    // The result, through the public API and the audit trail.
    const settled = (await api.get(`/payments/${paymentId}`, opts)).body;
    expect(settled).toMatchObject({ status: "succeeded", amount_captured: "10.00" });
    const audit = await testDb().query(
      "SELECT actor, action, outcome FROM ops_audit WHERE payment_id = $1 AND action LIKE 'review.%'",
      [paymentId],
    );
    expect(audit.rows).toEqual([
      { actor: `${OPERATOR} (${opsKey.keyId})`, action: "review.mark_succeeded", outcome: "resolved" },
    ]);
    const trail = await testDb().query(
      "SELECT key_id, outcome FROM audit_log WHERE action = 'ops.review.resolve' AND payment_id = $1",
      [paymentId],
    );
    expect(trail.rows).toEqual([{ key_id: opsKey.keyId, outcome: 200 }]);
    expect((await api.get(`/payments/${paymentId}`, opts)).body.status).toBe("succeeded");
  }, 90_000);

  it("shows reconciliation runs and live counters to the logged-in operator", async () => {
    await page.goto(`${consoleUrl}/recon`);
    await page.getByRole("heading", { name: "Reconciliation runs" }).waitFor();
    await page.goto(`${consoleUrl}/metrics`);
    await page.getByRole("heading", { name: "Live counters" }).waitFor();
    expect(await page.getByText("processor_commands_total").count()).toBeGreaterThan(0);
    await screenshot(page, "metrics");
  });
});
