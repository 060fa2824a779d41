import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { AdyenConnector } from "../../core/adapters/psp/adyen/connector.ts";
import type { ResilienceSettings } from "../../core/adapters/psp/resilient-http.ts";
import { StripeConnector } from "../../core/adapters/psp/stripe/connector.ts";
import type { PspName } from "../../core/domain/payment-status.ts";
import type { AuthorizeRequest, PaymentConnector } from "../../core/ports/payment-connector.ts";
import { authorizeRequest, money } from "../helpers/psp-requests.ts";
import { simulatorEnv as env, requireSimulator, simCharges, simPost } from "../helpers/psp-simulators.ts";

type Settings = Partial<ResilienceSettings>;

/** What differs between PSPs; everything else in the contract is the same for every connector. */
interface ConnectorHarness {
  psp: PspName;
  simBase: string;
  connector(settings?: Settings): PaymentConnector;
  /** Completes 3-D Secure at the simulator, as the shopper would. */
  completeAction(pspReference: string): Promise<Response>;
  /** Adyen accepts refunds asynchronously: they come back pending and fail later by notification. */
  refundAccepted: "refund_succeeded" | "refund_pending";
  failingRefund: "refund_failed" | "refund_pending";
  /** Adyen accepts captures and cancels as `received`: the CAPTURE / CANCELLATION notification decides. */
  captureAccepted: "captured" | "capture_pending";
  cancelAccepted: "canceled" | "cancel_pending";
  /** A second capture of a captured payment: Stripe's unexpected-state error embeds the captured intent. */
  secondCapture: "captured" | "rejected";
  /** Stripe repeats a timed-out request under its idempotency key and gets the stored answer. */
  timeoutRetried: boolean;
  /** What a 3-D Secure answer tells the shopper's client, beyond the reference. */
  nextAction: (pspReference: string) => Record<string, unknown>;
  /** A currency whose PSP exponent differs from ISO 4217: 5000 of it is 500000 at the PSP. */
  twoDecimalAtPsp: string;
}

// Fast backoff keeps the retry tests quick; a fresh connector per test keeps breakers apart.
const FAST: ResilienceSettings = { timeoutMs: 5_000, minBackoffMs: 10, maxBackoffMs: 50 };
const tuned = (s: Settings = {}): ResilienceSettings => ({
  ...FAST,
  ...s,
  timeoutMs: s.timeoutMs ?? FAST.timeoutMs,
});

const harnesses: ConnectorHarness[] = [
  {
    psp: "stripe",
    simBase: env.stripeBase,
    connector: (s) =>
      new StripeConnector({
        baseUrl: env.stripeBase,
        apiKey: env.stripeApiKey,
        webhookSecret: env.stripeWebhookSecret,
        ...tuned(s),
      }),
    completeAction: (ref) => simPost(env.stripeBase, `/_sim/payment_intents/${ref}/authenticate`),
    refundAccepted: "refund_succeeded",
    failingRefund: "refund_failed",
    captureAccepted: "captured",
    cancelAccepted: "canceled",
    secondCapture: "captured",
    timeoutRetried: true,
    nextAction: (ref) => ({
      type: "redirect_to_url",
      clientSecret: `${ref}_secret_sim`,
      redirectUrl: `/_sim/payment_intents/${ref}/authenticate`,
    }),
    twoDecimalAtPsp: "ISK",
  },
  {
    psp: "adyen",
    simBase: env.adyenBase,
    connector: (s) =>
      new AdyenConnector({
        baseUrl: env.adyenBase,
        apiKey: env.adyenApiKey,
        merchantAccount: env.adyenMerchantAccount,
        hmacKeyHex: env.adyenHmacKeyHex,
        ...tuned(s),
      }),
    completeAction: (ref) => simPost(env.adyenBase, `/_sim/payments/${ref}/authenticate`),
    refundAccepted: "refund_pending",
    failingRefund: "refund_pending",
    captureAccepted: "capture_pending",
    cancelAccepted: "cancel_pending",
    secondCapture: "rejected",
    timeoutRetried: false,
    nextAction: (ref) => ({ type: "redirect", redirectUrl: `/_sim/payments/${ref}/authenticate` }),
    twoDecimalAtPsp: "CLP",
  },
];

function syncOf(req: AuthorizeRequest, pspReference?: string) {
  const { paymentId, attemptId, amount, paymentMethodToken, captureMethod } = req;
  return {
    paymentId,
    attemptId,
    amount,
    paymentMethodToken,
    captureMethod,
    ...(pspReference ? { pspReference } : {}),
  };
}

function describeConnectorContract(name: string, h: ConnectorHarness): void {
  const charges = (paymentId: string) => simCharges(h.simBase, paymentId);

  async function authorized(req: AuthorizeRequest) {
    const outcome = await h.connector().authorize(req);
    if (outcome.kind !== "authorized") throw new Error(`expected authorized, got ${JSON.stringify(outcome)}`);
    return outcome;
  }

  describe(`${name} connector contract`, () => {
    beforeAll(() => requireSimulator(h.simBase));

    it("approves and captures at once with automatic capture", async () => {
      const req = authorizeRequest();
      const outcome = await h.connector().authorize(req);
      expect(outcome).toMatchObject({
        kind: "authorized",
        captured: true,
        amountCaptured: 1_000n,
        amountCapturable: 0n,
      });
      expect(outcome.diagnostics.requests).toBe(1);
      expect(await charges(req.paymentId)).toMatchObject({
        authorizations: 1,
        captures: 1,
        captured_amount: 1_000n,
      });
    });

    it("holds the amount with manual capture, then captures part of it once", async () => {
      const req = authorizeRequest({ captureMethod: "manual" });
      const auth = await authorized(req);
      expect(auth).toMatchObject({ captured: false, amountCapturable: 1_000n, amountCaptured: 0n });
      const capture = { paymentId: req.paymentId, pspReference: auth.pspReference, amount: money(600n) };
      const captured = await h.connector().capture({ ...capture, attemptId: randomUUID() });
      expect(captured.kind).toBe(h.captureAccepted);
      if (captured.kind === "captured") expect(captured.amountCaptured).toBe(600n);
      const again = await h.connector().capture({ ...capture, attemptId: randomUUID() });
      expect(again.kind).toBe(h.secondCapture);
      if (again.kind === "captured") expect(again.amountCaptured).toBe(600n);
      expect(await charges(req.paymentId)).toMatchObject({
        authorizations: 1,
        captures: 1,
        captured_amount: 600n,
      });
    });

    it("voids an authorization, and refuses to void a captured payment", async () => {
      const manual = authorizeRequest({ captureMethod: "manual" });
      const held = await authorized(manual);
      const cancel = {
        paymentId: manual.paymentId,
        attemptId: randomUUID(),
        pspReference: held.pspReference,
      };
      expect((await h.connector().cancel(cancel)).kind).toBe(h.cancelAccepted);
      expect(await charges(manual.paymentId)).toMatchObject({ captures: 0, captured_amount: 0n });

      const automatic = authorizeRequest();
      const charged = await authorized(automatic);
      const late = {
        paymentId: automatic.paymentId,
        attemptId: randomUUID(),
        pspReference: charged.pspReference,
      };
      expect((await h.connector().cancel(late)).kind).toBe("rejected");
    });

    it("refunds in parts up to what was captured, and rejects an over-refund", async () => {
      const req = authorizeRequest();
      const { pspReference } = await authorized(req);
      const refund = (minor: bigint) =>
        h.connector().refund({
          paymentId: req.paymentId,
          refundId: randomUUID(),
          attemptId: randomUUID(),
          pspReference,
          amount: money(minor),
        });
      expect((await refund(300n)).kind).toBe(h.refundAccepted);
      expect((await refund(800n)).kind).toBe("rejected");
      expect((await refund(700n)).kind).toBe(h.refundAccepted);
      expect((await refund(1n)).kind).toBe("rejected");
      expect(await charges(req.paymentId)).toMatchObject({ refunds: 2, refunded_amount: 1_000n });
    });

    it("reports a refund the PSP refuses (pm_sim_refund_fail) without moving money", async () => {
      const req = authorizeRequest({ paymentMethodToken: "pm_sim_refund_fail" });
      const { pspReference } = await authorized(req);
      const refund = {
        paymentId: req.paymentId,
        refundId: randomUUID(),
        attemptId: randomUUID(),
        pspReference,
        amount: money(1_000n),
      };
      expect((await h.connector().refund(refund)).kind).toBe(h.failingRefund);
      expect(await charges(req.paymentId)).toMatchObject({ refunds: 0, refunded_amount: 0n });
    });

    it.each([
      ["pm_card_chargeDeclined", "card_declined"],
      ["pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"],
      ["pm_card_chargeDeclinedFraudulent", "fraudulent"],
    ])("declines %s as %s and charges nothing", async (token, declineCode) => {
      const req = authorizeRequest({ paymentMethodToken: token });
      const outcome = await h.connector().authorize(req);
      expect(outcome).toMatchObject({ kind: "declined", declineCode });
      expect(outcome.kind === "declined" && outcome.pspReference).toBeTruthy();
      expect((await charges(req.paymentId)).authorizations).toBe(0);
    });

    it("asks for authentication, and authorizes once the shopper completes it", async () => {
      const req = authorizeRequest({
        paymentMethodToken: "pm_card_authenticationRequired",
        captureMethod: "manual",
      });
      const outcome = await h.connector().authorize(req);
      if (outcome.kind !== "requires_action")
        throw new Error(`expected requires_action, got ${outcome.kind}`);
      expect(outcome.nextAction).toEqual(h.nextAction(outcome.pspReference));
      expect((await charges(req.paymentId)).authorizations).toBe(0);
      expect((await h.completeAction(outcome.pspReference)).status).toBe(200);
      expect((await charges(req.paymentId)).authorizations).toBe(1);
    });

    it("rejects a payment method the PSP does not know", async () => {
      const outcome = await h
        .connector()
        .authorize(authorizeRequest({ paymentMethodToken: "card_4242424242424242" }));
      expect(outcome.kind).toBe("rejected");
    });

    it("gives up on a PSP that keeps failing (pm_sim_psp_error): indeterminate after retries", async () => {
      const req = authorizeRequest({ paymentMethodToken: "pm_sim_psp_error" });
      const outcome = await h.connector().authorize(req);
      expect(outcome).toMatchObject({ kind: "indeterminate", diagnostics: { requests: 4, httpStatus: 500 } });
      expect((await charges(req.paymentId)).authorizations).toBe(0);
    });

    it("retries a one-off 5xx under the same idempotency key (pm_sim_psp_error_once)", async () => {
      const req = authorizeRequest({ paymentMethodToken: "pm_sim_psp_error_once" });
      const outcome = await h.connector().authorize(req);
      expect(outcome).toMatchObject({ kind: "authorized", diagnostics: { requests: 2 } });
      expect((await charges(req.paymentId)).authorizations).toBe(1);
    });

    it("waits out a slow PSP within the timeout (pm_sim_slow)", async () => {
      const outcome = await h.connector().authorize(authorizeRequest({ paymentMethodToken: "pm_sim_slow" }));
      expect(outcome.kind).toBe("authorized");
    });

    it("treats a timeout as unknown, then finds the charge by sync and never charges twice", async () => {
      const req = authorizeRequest({ paymentMethodToken: "pm_sim_timeout" });
      // A budget of one request: no time is left to repeat it.
      const lost = await h.connector({ timeoutMs: 300, budgetMs: 300 }).authorize(req);
      expect(lost).toMatchObject({ kind: "indeterminate", diagnostics: { requests: 1 } });

      // Right after the timeout: Stripe's search index would not show the intent yet (the simulator
      // lags it, as Stripe does), so only a replay under the attempt's key can tell.
      const synced = await h.connector().sync(syncOf(req));
      expect(synced).toMatchObject({ kind: "authorized", captured: true, amountCaptured: 1_000n });
      const retried = await h.connector().authorize(req);
      expect(retried).toMatchObject({ kind: "authorized" });
      expect(
        synced.kind === "authorized" &&
          retried.kind === "authorized" &&
          synced.pspReference === retried.pspReference,
      ).toBe(true);
      expect((await charges(req.paymentId)).authorizations).toBe(1);
    });

    it("repeats a timed-out request under its idempotency key within the budget (Stripe only)", async () => {
      const req = authorizeRequest({ paymentMethodToken: "pm_sim_timeout" });
      const started = Date.now();
      const outcome = await h.connector({ timeoutMs: 300, budgetMs: 1_000 }).authorize(req);
      expect(Date.now() - started).toBeLessThan(1_500);
      if (h.timeoutRetried) {
        expect(outcome).toMatchObject({ kind: "authorized", diagnostics: { requests: 2 } });
      } else {
        expect(outcome).toMatchObject({ kind: "indeterminate", diagnostics: { requests: 1 } });
      }
      expect((await charges(req.paymentId)).authorizations).toBe(1);
    });

    it("authorizes the same attempt only once, sequentially or concurrently", async () => {
      const req = authorizeRequest();
      const first = await authorized(req);
      const second = await authorized(req);
      expect(second.pspReference).toBe(first.pspReference);

      const racing = authorizeRequest({ paymentMethodToken: "pm_sim_slow" });
      const slowBackoff = { minBackoffMs: 500, maxBackoffMs: 1_000 };
      const both = await Promise.all([
        h.connector().authorize(racing),
        h.connector(slowBackoff).authorize(racing),
      ]);
      expect(both.map((o) => o.kind)).toEqual(["authorized", "authorized"]);
      // The later request met the first still in flight, was told so, and retried into the replay.
      expect(both[0].diagnostics.requests + both[1].diagnostics.requests).toBeGreaterThan(2);
      expect((await charges(req.paymentId)).authorizations).toBe(1);
      expect((await charges(racing.paymentId)).authorizations).toBe(1);
    });

    it("syncs a known authorization by its PSP reference", async () => {
      const req = authorizeRequest({ captureMethod: "manual" });
      const auth = await authorized(req);
      expect(await h.connector().sync(syncOf(req, auth.pspReference))).toMatchObject({
        kind: "authorized",
        pspReference: auth.pspReference,
        amountCapturable: 1_000n,
      });
    });

    it("answers unavailable without calling the PSP once the breaker is open", async () => {
      const connector = h.connector({
        breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 60_000 },
      });
      const failing = await connector.authorize(authorizeRequest({ paymentMethodToken: "pm_sim_psp_error" }));
      expect(failing.kind).toBe("indeterminate");
      const req = authorizeRequest();
      const outcome = await connector.authorize(req);
      expect(outcome).toMatchObject({ kind: "unavailable", diagnostics: { requests: 0 } });
      expect((await charges(req.paymentId)).authorizations).toBe(0);
    });

    it("reads a wrong API key as a configuration error, never a refusal, for every operation", async () => {
      const bad = wrongKey(h);
      const req = authorizeRequest();
      expect(await bad.authorize(req)).toMatchObject({
        kind: "configuration_error",
        diagnostics: { httpStatus: 401 },
      });
      const auth = await authorized(authorizeRequest({ captureMethod: "manual" }));
      const on = { paymentId: req.paymentId, attemptId: randomUUID(), pspReference: auth.pspReference };
      expect((await bad.capture({ ...on, amount: money(100n) })).kind).toBe("configuration_error");
      expect((await bad.cancel(on)).kind).toBe("configuration_error");
      expect((await bad.refund({ ...on, refundId: randomUUID(), amount: money(100n) })).kind).toBe(
        "configuration_error",
      );
      expect((await bad.sync(syncOf(req))).kind).toBe("configuration_error");
      expect((await bad.sync(syncOf(req, auth.pspReference))).kind).toBe("configuration_error");
      expect((await charges(req.paymentId)).authorizations).toBe(0);
    });

    it("answers 401 for pm_sim_psp_auth_error: a configuration error, nothing charged", async () => {
      const req = authorizeRequest({ paymentMethodToken: "pm_sim_psp_auth_error" });
      expect(await h.connector().authorize(req)).toMatchObject({
        kind: "configuration_error",
        diagnostics: { httpStatus: 401, requests: 1 },
      });
      expect((await charges(req.paymentId)).authorizations).toBe(0);
    });

    it("reads a run of nothing but 429s as unavailable (pm_sim_rate_limited)", async () => {
      const req = authorizeRequest({ paymentMethodToken: "pm_sim_rate_limited" });
      expect(await h.connector().authorize(req)).toMatchObject({
        kind: "unavailable",
        diagnostics: { requests: 4 },
      });
      expect((await charges(req.paymentId)).authorizations).toBe(0);
    });

    it("handles a zero-decimal currency in its own minor units (JPY)", async () => {
      const req = authorizeRequest({ amount: money(5_000n, "JPY") });
      expect(await h.connector().authorize(req)).toMatchObject({
        kind: "authorized",
        amountCaptured: 5_000n,
      });
      expect(await charges(req.paymentId)).toMatchObject({ captured_amount: 5_000n });
    });

    it("sends a currency the PSP keeps two-decimal in the PSP's units, and reads it back in ours", async () => {
      const req = authorizeRequest({ amount: money(5_000n, h.twoDecimalAtPsp), captureMethod: "manual" });
      const auth = await authorized(req);
      expect(auth).toMatchObject({ amountCapturable: 5_000n });
      const atPsp = (await charges(req.paymentId)).intents[0] as { amount: number | { value: number } };
      expect(typeof atPsp.amount === "number" ? atPsp.amount : atPsp.amount.value).toBe(500_000);
      if (h.psp === "stripe") {
        const synced = await h.connector().sync(syncOf(req, auth.pspReference));
        expect(synced).toMatchObject({ kind: "authorized", amountCapturable: 5_000n });
      }
    });
  });
}

function wrongKey(h: ConnectorHarness): PaymentConnector {
  return h.psp === "stripe"
    ? new StripeConnector({ baseUrl: env.stripeBase, apiKey: "sk_test_wrong", webhookSecret: "x", ...FAST })
    : new AdyenConnector({
        baseUrl: env.adyenBase,
        apiKey: "wrong",
        merchantAccount: "M",
        hmacKeyHex: "00",
        ...FAST,
      });
}

for (const harness of harnesses) describeConnectorContract(harness.psp, harness);

describe("PSP-specific sync and refund status", () => {
  const stripe = () => harnesses[0]?.connector() as PaymentConnector;
  const adyen = () => harnesses[1]?.connector() as PaymentConnector;

  it("Stripe reports not_found for an intent id it does not know", async () => {
    await requireSimulator(env.stripeBase);
    const outcome = await stripe().sync({
      paymentId: randomUUID(),
      attemptId: randomUUID(),
      amount: money(1_000n),
      pspReference: "pi_unknown",
    });
    expect(outcome).toMatchObject({ kind: "not_found", diagnostics: { requests: 1, httpStatus: 404 } });
  });

  it.each([
    ["Stripe", stripe],
    ["Adyen", adyen],
  ])("%s cannot replay the create without the original token and stays indeterminate", async (_, c) => {
    const outcome = await c().sync({
      paymentId: randomUUID(),
      attemptId: randomUUID(),
      amount: money(1_000n),
    });
    expect(outcome).toMatchObject({ kind: "indeterminate", diagnostics: { requests: 0 } });
  });

  it("Stripe re-reads a pending refund until it settles (pm_sim_refund_pending)", async () => {
    const req = authorizeRequest({ paymentMethodToken: "pm_sim_refund_pending" });
    const auth = await stripe().authorize(req);
    if (auth.kind !== "authorized") throw new Error(auth.kind);
    const refund = {
      paymentId: req.paymentId,
      refundId: randomUUID(),
      attemptId: randomUUID(),
      pspReference: auth.pspReference,
    };
    const pending = await stripe().refund({ ...refund, amount: money(400n) });
    if (pending.kind !== "refund_pending") throw new Error(pending.kind);
    const status = { ...refund, pspRefundReference: pending.pspRefundReference };
    expect((await stripe().refundStatus(status)).kind).toBe("refund_pending");
    const deadline = Date.now() + 5_000;
    let last = await stripe().refundStatus(status);
    while (last.kind === "refund_pending" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      last = await stripe().refundStatus(status);
    }
    expect(last).toMatchObject({ kind: "refund_succeeded", pspRefundReference: pending.pspRefundReference });
    expect(await simCharges(env.stripeBase, req.paymentId)).toMatchObject({ refunded_amount: 400n });
  });

  it("Adyen has no refund status API: refund_pending without a request", async () => {
    const outcome = await adyen().refundStatus({
      paymentId: randomUUID(),
      refundId: randomUUID(),
      attemptId: randomUUID(),
      pspReference: "PSP1",
      pspRefundReference: "MOD1",
    });
    expect(outcome).toEqual({
      kind: "refund_pending",
      pspRefundReference: "MOD1",
      diagnostics: { requests: 0, rawStatus: "no_status_api" },
    });
  });
});
