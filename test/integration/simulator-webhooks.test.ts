import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdyenConnector } from "../../core/adapters/psp/adyen/connector.ts";
import { StripeConnector } from "../../core/adapters/psp/stripe/connector.ts";
import type { PaymentConnector } from "../../core/ports/payment-connector.ts";
import { authorizeRequest, money } from "../helpers/psp-requests.ts";
import { type ServiceProcess, spawnService, waitForHttp } from "../helpers/service-process.ts";
import { verifiedEventFor } from "../helpers/webhook-receiver.ts";

// These simulators are started here, with WEBHOOK_URL pointing at a receiver in this test and
// secrets of their own, so that signing is checked end to end by the connectors' verifiers.
const SECRETS = {
  STRIPE_API_KEY: "sk_test_webhook_suite",
  STRIPE_WEBHOOK_SECRET: "whsec_webhook_suite",
  ADYEN_API_KEY: "adyen_webhook_suite",
  ADYEN_HMAC_KEY: "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF",
};
const STRIPE_PORT = 22911;
const ADYEN_PORT = 22912;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const received: Received[] = [];
let failNext = 0;
let receiver: Server;
const sims: ServiceProcess[] = [];

const stripe = new StripeConnector({
  baseUrl: `http://127.0.0.1:${STRIPE_PORT}`,
  apiKey: SECRETS.STRIPE_API_KEY,
  webhookSecret: SECRETS.STRIPE_WEBHOOK_SECRET,
  timeoutMs: 5_000,
});
const adyen = new AdyenConnector({
  baseUrl: `http://127.0.0.1:${ADYEN_PORT}`,
  apiKey: SECRETS.ADYEN_API_KEY,
  merchantAccount: "WebhookSuiteECOM",
  hmacKeyHex: SECRETS.ADYEN_HMAC_KEY,
  timeoutMs: 5_000,
});

/** Waits for a verified event about one PSP reference; signature failures fail the test. */
const eventFor = (connector: PaymentConnector, pspReference: string, type: string) =>
  verifiedEventFor(received, connector, pspReference, type);

describe("simulator webhooks", () => {
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (failNext > 0) {
          failNext -= 1;
          res.statusCode = 503;
          return res.end();
        }
        received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
        res.end("[accepted]");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const { port } = receiver.address() as AddressInfo;
    for (const [name, simPort] of [
      ["stripe", STRIPE_PORT],
      ["adyen", ADYEN_PORT],
    ] as const) {
      const env = {
        ...SECRETS,
        PORT: String(simPort),
        WEBHOOK_URL: `http://127.0.0.1:${port}/webhooks/${name}`,
      };
      const sim = spawnService(`simulators/${name}/main.ts`, env, `webhook-suite-sim-${name}`);
      sims.push(sim);
      await waitForHttp(`http://127.0.0.1:${simPort}/health`, 30_000, sim.child);
    }
  });

  afterAll(async () => {
    await Promise.all(sims.map((s) => s.stop()));
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it("Stripe signs payment_intent and charge events the service can verify", async () => {
    const req = authorizeRequest({ captureMethod: "manual" });
    const auth = await stripe.authorize(req);
    if (auth.kind !== "authorized") throw new Error(auth.kind);
    await eventFor(stripe, auth.pspReference, "payment_intent.amount_capturable_updated");
    await stripe.capture({
      paymentId: req.paymentId,
      attemptId: randomUUID(),
      pspReference: auth.pspReference,
      amount: money(1_000n),
    });
    await eventFor(stripe, auth.pspReference, "payment_intent.succeeded");
    const refund = {
      paymentId: req.paymentId,
      refundId: randomUUID(),
      attemptId: randomUUID(),
      pspReference: auth.pspReference,
    };
    await stripe.refund({ ...refund, amount: money(400n) });
    const refunded = await eventFor(stripe, auth.pspReference, "charge.refunded");
    expect(refunded.data).toMatchObject({ amount_refunded: 400 });
  });

  it("Stripe sends payment_failed for a decline and redelivers after a failed delivery", async () => {
    failNext = 1;
    const outcome = await stripe.authorize(
      authorizeRequest({ paymentMethodToken: "pm_card_chargeDeclined" }),
    );
    if (outcome.kind !== "declined" || !outcome.pspReference) throw new Error(outcome.kind);
    const event = await eventFor(stripe, outcome.pspReference, "payment_intent.payment_failed");
    const log = (await (await fetch(`http://127.0.0.1:${STRIPE_PORT}/_sim/webhooks`)).json()) as {
      deliveries: Array<{ eventId: string; attempts: number; delivered: boolean }>;
    };
    expect(log.deliveries.find((d) => d.eventId === event.eventId)).toMatchObject({
      attempts: 2,
      delivered: true,
    });
  });

  it("Stripe completes 3-D Secure through the simulator and reports it", async () => {
    const outcome = await stripe.authorize(
      authorizeRequest({ paymentMethodToken: "pm_card_authenticationRequired" }),
    );
    if (outcome.kind !== "requires_action") throw new Error(outcome.kind);
    await fetch(`http://127.0.0.1:${STRIPE_PORT}/_sim/payment_intents/${outcome.pspReference}/authenticate`, {
      method: "POST",
    });
    await eventFor(stripe, outcome.pspReference, "payment_intent.succeeded");
  });

  it("Adyen signs AUTHORISATION and modification notifications with HMAC", async () => {
    const req = authorizeRequest({ captureMethod: "manual", amount: money(5_000n, "JPY") });
    const auth = await adyen.authorize(req);
    if (auth.kind !== "authorized") throw new Error(auth.kind);
    const authorisation = await eventFor(adyen, auth.pspReference, "AUTHORISATION");
    expect(authorisation.data).toMatchObject({ success: "true", merchantReference: req.attemptId });
    await adyen.capture({
      paymentId: req.paymentId,
      attemptId: randomUUID(),
      pspReference: auth.pspReference,
      amount: money(5_000n, "JPY"),
    });
    const capture = await eventFor(adyen, auth.pspReference, "CAPTURE");
    expect(capture.data).toMatchObject({
      originalReference: auth.pspReference,
      amount: { value: 5_000, currency: "JPY" },
    });
  });

  it("Adyen reports a failed refund in its REFUND notification", async () => {
    const req = authorizeRequest({ paymentMethodToken: "pm_sim_refund_fail" });
    const auth = await adyen.authorize(req);
    if (auth.kind !== "authorized") throw new Error(auth.kind);
    const refund = {
      paymentId: req.paymentId,
      refundId: randomUUID(),
      attemptId: randomUUID(),
      pspReference: auth.pspReference,
    };
    expect((await adyen.refund({ ...refund, amount: money(1_000n) })).kind).toBe("refund_pending");
    const event = await eventFor(adyen, auth.pspReference, "REFUND");
    expect(event.data).toMatchObject({ success: "false" });
  });
});
