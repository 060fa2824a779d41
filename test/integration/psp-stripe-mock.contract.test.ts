import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { ResilientHttp } from "../../core/adapters/psp/resilient-http.ts";
import { StripeClient } from "../../core/adapters/psp/stripe/client.ts";
import { StripeConnector } from "../../core/adapters/psp/stripe/connector.ts";
import { authorizeParams } from "../../core/adapters/psp/stripe/requests.ts";
import type { CallDiagnostics } from "../../core/ports/payment-connector.ts";
import { authorizeRequest, money } from "../helpers/psp-requests.ts";
import { requireSimulator } from "../helpers/psp-simulators.ts";

// Stripe's own stripe-mock (scripts/stack/stripe-mock.sh) validates every request against Stripe's
// OpenAPI spec and answers with fixtures. Stateless: it proves request shapes and that the parsers
// read real Stripe objects, not payment flows (the simulator contract covers those).
const STRIPE_MOCK_BASE = process.env.STRIPE_MOCK_BASE ?? "http://127.0.0.1:12110";
const enabled = process.env.STACK_STRIPE_MOCK !== "0";

const connector = () =>
  new StripeConnector({
    baseUrl: STRIPE_MOCK_BASE,
    apiKey: "sk_test_123stripemock",
    webhookSecret: "whsec_unused",
    returnUrl: "https://shop.example/return",
    timeoutMs: 5_000,
    minBackoffMs: 10,
    maxBackoffMs: 50,
  });

/** stripe-mock answered 2xx (it accepted the request) and the answer was read, not "unreadable". */
function accepted(outcome: { kind: string; diagnostics: CallDiagnostics; reason?: string }) {
  expect(outcome.diagnostics).toMatchObject({ httpStatus: 200, requests: 1 });
  expect(outcome.reason ?? "").not.toMatch(/unreadable/);
}

describe.skipIf(!enabled)("Stripe connector against stripe-mock (Stripe's OpenAPI spec)", () => {
  beforeAll(async () => {
    const probe = await fetch(`${STRIPE_MOCK_BASE}/v1/charges`, {
      headers: { authorization: "Bearer sk_test_123probe" },
      signal: AbortSignal.timeout(2_000),
    }).catch(() => undefined);
    if (!probe?.ok)
      await requireSimulator(STRIPE_MOCK_BASE).catch(() => {
        throw new Error(
          `no stripe-mock at ${STRIPE_MOCK_BASE}: bash scripts/stack/up.sh stripe-mock (or STACK_STRIPE_MOCK=0)`,
        );
      });
  });

  it.each([
    ["USD", 1_000n, "manual"],
    ["JPY", 5_000n, "automatic"],
    ["ISK", 5_000n, "automatic"],
  ] as const)(
    "create-and-confirm in %s (%s minor units, %s capture) is a valid request",
    async (currency, minor, method) => {
      const outcome = await connector().authorize(
        authorizeRequest({ amount: money(minor, currency), captureMethod: method }),
      );
      accepted(outcome);
    },
  );

  it("capture, cancel, refund and both reads are valid requests with readable answers", async () => {
    const on = { paymentId: randomUUID(), attemptId: randomUUID(), pspReference: "pi_123" };
    accepted(await connector().capture({ ...on, amount: money(500n) }));
    accepted(await connector().cancel(on));
    const refund = await connector().refund({
      ...on,
      refundId: randomUUID(),
      amount: money(500n),
      reason: "requested_by_customer",
    });
    accepted(refund);
    expect(refund.kind).toMatch(/^refund_/);
    accepted(await connector().sync({ ...on, amount: money(1_000n) }));
    const status = await connector().refundStatus({
      ...on,
      refundId: randomUUID(),
      pspRefundReference: "re_123",
    });
    accepted(status);
    expect(status.kind).toMatch(/^refund_/);
  });

  it("sync without the intent id replays the create-and-confirm as a valid request", async () => {
    const req = authorizeRequest();
    const { paymentId, attemptId, amount, paymentMethodToken, captureMethod } = req;
    accepted(await connector().sync({ paymentId, attemptId, amount, paymentMethodToken, captureMethod }));
  });

  it("is a real check: stripe-mock refuses a parameter Stripe does not have", async () => {
    const http = new ResilientHttp({
      name: "stripe-mock-check",
      baseUrl: STRIPE_MOCK_BASE,
      timeoutMs: 5_000,
      retries: 0,
    });
    const client = new StripeClient(http, "sk_test_123stripemock");
    const params = { ...authorizeParams(authorizeRequest()), not_a_stripe_param: "x" };
    const result = await client.post("/v1/payment_intents", params, `check_${randomUUID()}`);
    expect(result).toMatchObject({ kind: "reply", reply: { status: 400 } });
  });
});
