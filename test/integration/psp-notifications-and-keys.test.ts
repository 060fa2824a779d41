import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdyenConnector } from "../../core/adapters/psp/adyen/connector.ts";
import { StripeConnector } from "../../core/adapters/psp/stripe/connector.ts";
import type { InterpretedWebhook, PspFact } from "../../core/domain/psp-facts.ts";
import type { PaymentConnector } from "../../core/ports/payment-connector.ts";
import { freePort } from "../helpers/free-port.ts";
import { authorizeRequest, money } from "../helpers/psp-requests.ts";
import { simCharges, simPost } from "../helpers/psp-simulators.ts";
import { type ServiceProcess, spawnService, waitForHttp } from "../helpers/service-process.ts";
import { verifiedEventFor } from "../helpers/webhook-receiver.ts";

// Simulators of this suite's own (its webhooks, and key revocation, must not reach anyone else's),
// delivering to a receiver here; what arrives goes through verifyWebhook and interpretWebhook.
const SECRETS = {
  STRIPE_API_KEY: "sk_test_notification_suite",
  STRIPE_WEBHOOK_SECRET: "whsec_notification_suite",
  ADYEN_API_KEY: "adyen_notification_suite",
  ADYEN_HMAC_KEY: "8899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF0011223344556677",
};
// Free ports, not fixed ones: a simulator already listening on a fixed port would answer /health and
// this suite would silently talk to it (with other keys) instead of its own.
const PORTS = {
  stripe: Number(process.env.PSP_SUITE_STRIPE_PORT ?? (await freePort())),
  adyen: Number(process.env.PSP_SUITE_ADYEN_PORT ?? (await freePort())),
};
const base = (psp: "stripe" | "adyen") => `http://127.0.0.1:${PORTS[psp]}`;

const received: Array<{ path: string; headers: IncomingHttpHeaders; body: Buffer }> = [];
let receiver: Server;
const sims: ServiceProcess[] = [];

const timing = { timeoutMs: 5_000, minBackoffMs: 10, maxBackoffMs: 50 };
const stripe = new StripeConnector({
  baseUrl: base("stripe"),
  apiKey: SECRETS.STRIPE_API_KEY,
  webhookSecret: SECRETS.STRIPE_WEBHOOK_SECRET,
  ...timing,
});
const adyen = new AdyenConnector({
  baseUrl: base("adyen"),
  apiKey: SECRETS.ADYEN_API_KEY,
  merchantAccount: "NotificationSuiteECOM",
  hmacKeyHex: SECRETS.ADYEN_HMAC_KEY,
  ...timing,
});

/** The interpreted notification of `type` about a PSP reference; fails when none arrives in 5 s. */
async function factFor(
  connector: PaymentConnector,
  pspReference: string,
  type: string,
): Promise<InterpretedWebhook> {
  return connector.interpretWebhook(await verifiedEventFor(received, connector, pspReference, type));
}

async function revoke(psp: "stripe" | "adyen", keys: string[]): Promise<void> {
  const res = await simPost(base(psp), "/_sim/revoked-keys", { keys });
  expect(res.status).toBe(200);
}

async function authorizedManual(connector: PaymentConnector, token = "pm_card_visa", amount = money(1_000n)) {
  const req = authorizeRequest({ captureMethod: "manual", paymentMethodToken: token, amount });
  const auth = await connector.authorize(req);
  if (auth.kind !== "authorized") throw new Error(`expected authorized, got ${auth.kind}`);
  return { req, pspReference: auth.pspReference };
}

describe("PSP notifications for asynchronous modifications, and refused credentials", () => {
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
        res.end("[accepted]");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const { port } = receiver.address() as AddressInfo;
    for (const psp of ["stripe", "adyen"] as const) {
      const env = {
        ...SECRETS,
        PORT: String(PORTS[psp]),
        WEBHOOK_URL: `http://127.0.0.1:${port}/webhooks/${psp}`,
        SIM_REFUND_SETTLE_MS: "300",
      };
      const sim = spawnService(`simulators/${psp}/main.ts`, env, `notification-suite-sim-${psp}`);
      sims.push(sim);
      await waitForHttp(`${base(psp)}/health`, 30_000, sim.child);
    }
  });

  afterAll(async () => {
    await Promise.all(sims.map((s) => s.stop()));
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it("Adyen capture is pending until CAPTURE; success=false (pm_sim_capture_fail) is a capture_failed fact", async () => {
    const { req, pspReference } = await authorizedManual(adyen, "pm_sim_capture_fail");
    const capture = {
      paymentId: req.paymentId,
      attemptId: randomUUID(),
      pspReference,
      amount: money(1_000n),
    };
    expect((await adyen.capture(capture)).kind).toBe("capture_pending");
    const notification = await factFor(adyen, pspReference, "CAPTURE");
    expect(notification.fact).toMatchObject({ kind: "capture_failed" } satisfies Partial<PspFact>);
    expect(notification.refs).toMatchObject({ pspReference, attemptId: capture.attemptId });
    expect(await simCharges(base("adyen"), req.paymentId)).toMatchObject({
      captures: 0,
      captured_amount: 0n,
    });
  });

  it("Adyen cancel is pending until CANCELLATION; success=false (pm_sim_cancel_fail) is a cancel_failed fact", async () => {
    const { req, pspReference } = await authorizedManual(adyen, "pm_sim_cancel_fail");
    const cancel = { paymentId: req.paymentId, attemptId: randomUUID(), pspReference };
    expect((await adyen.cancel(cancel)).kind).toBe("cancel_pending");
    const notification = await factFor(adyen, pspReference, "CANCELLATION");
    expect(notification.fact.kind).toBe("cancel_failed");
    expect(notification.refs.attemptId).toBe(cancel.attemptId);
  });

  it("Adyen's successful CAPTURE of CLP 5000 (value 500000 at Adyen) is a captured fact of 5000", async () => {
    const { req, pspReference } = await authorizedManual(adyen, "pm_card_visa", money(5_000n, "CLP"));
    const capture = {
      paymentId: req.paymentId,
      attemptId: randomUUID(),
      pspReference,
      amount: money(5_000n, "CLP"),
    };
    expect((await adyen.capture(capture)).kind).toBe("capture_pending");
    expect((await factFor(adyen, pspReference, "CAPTURE")).fact).toEqual({
      kind: "captured",
      amountMinor: 5_000n,
    });
    expect(await simCharges(base("adyen"), req.paymentId)).toMatchObject({ captured_amount: 500_000n });
  });

  it("Stripe settles a pending refund (pm_sim_refund_pending) with refund.updated and the refund status", async () => {
    const req = authorizeRequest({ paymentMethodToken: "pm_sim_refund_pending" });
    const auth = await stripe.authorize(req);
    if (auth.kind !== "authorized") throw new Error(auth.kind);
    const refund = {
      paymentId: req.paymentId,
      refundId: randomUUID(),
      attemptId: randomUUID(),
      pspReference: auth.pspReference,
    };
    const pending = await stripe.refund({ ...refund, amount: money(1_000n) });
    if (pending.kind !== "refund_pending") throw new Error(pending.kind);
    const settled = await factFor(stripe, auth.pspReference, "refund.updated");
    expect(settled.fact).toEqual({
      kind: "refund_succeeded",
      pspRefundReference: pending.pspRefundReference,
    });
    expect(settled.refs.refundId).toBe(refund.refundId);
    expect(
      await stripe.refundStatus({ ...refund, pspRefundReference: pending.pspRefundReference }),
    ).toMatchObject({
      kind: "refund_succeeded",
    });
  });

  it.each([
    ["stripe", stripe, SECRETS.STRIPE_API_KEY],
    ["adyen", adyen, SECRETS.ADYEN_API_KEY],
  ] as const)(
    "%s: a revoked key is a configuration error for every operation, and works again once restored",
    async (psp, connector, key) => {
      const { req, pspReference } = await authorizedManual(connector);
      await revoke(psp, [key]);
      try {
        const on = { paymentId: req.paymentId, attemptId: randomUUID(), pspReference };
        const outcomes = [
          await connector.authorize(authorizeRequest()),
          await connector.capture({ ...on, amount: money(500n) }),
          await connector.cancel(on),
          await connector.refund({ ...on, refundId: randomUUID(), amount: money(500n) }),
          await connector.sync({ ...req, pspReference }),
        ];
        expect(outcomes.map((o) => o.kind)).toEqual(Array(outcomes.length).fill("configuration_error"));
        if (psp === "stripe") {
          const status = await connector.refundStatus({
            ...on,
            refundId: randomUUID(),
            pspRefundReference: "re_x",
          });
          expect(status.kind).toBe("configuration_error");
        }
      } finally {
        await revoke(psp, []);
      }
      expect(
        (await connector.cancel({ paymentId: req.paymentId, attemptId: randomUUID(), pspReference })).kind,
      ).toMatch(/^cancel(ed|_pending)$/);
    },
  );
});
