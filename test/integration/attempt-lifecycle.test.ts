import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentCommand } from "../../core/domain/commands.ts";
import { AvroCodec } from "../../core/infra/avro-codec.ts";
import { encodeCommand } from "../../core/infra/command-codec.ts";
import { createProducer } from "../../core/infra/kafka.ts";
import { COMMAND_SCHEMA_FILE } from "../../core/infra/topics.ts";
import { api } from "../helpers/api.ts";
import { newPaymentBody } from "../helpers/factories.ts";
import { type PrivateService, startPrivateService } from "../helpers/private-service.ts";
import { simCharges, simPost } from "../helpers/psp-simulators.ts";
import { stackEnv, testKafka } from "../helpers/stack-env.ts";
import { TEST_MERCHANT_ID } from "../helpers/test-key.ts";
import { eventually, freezeProcess } from "../helpers/wait.ts";

// Its own service, database and simulators: these tests pause and kill the PSP.
let svc: PrivateService;
const commandTopic = () => svc.env.COMMAND_TOPIC as string;

beforeAll(async () => {
  svc = await startPrivateService("lifecycle", {
    PSP_TIMEOUT_MS: "2000",
    JANITOR_INTERVAL_MS: "500",
    JANITOR_MIN_AGE_MS: "6000",
    JANITOR_FIRST_CHECK_MS: "1000",
    JANITOR_MAX_BACKOFF_MS: "2000",
    REPLY_TIMEOUT_MS: "8000",
    PSP_ROUTING: "USD=stripe,adyen",
    PSP_PARK_RETRY_MS: "1000",
  });
}, 180_000);

afterAll(async () => {
  await svc?.stop();
});

const post = (path: string, body: unknown = {}) => api.post(path, body, { baseUrl: svc.baseUrl });
const get = (path: string) => api.get(path, { baseUrl: svc.baseUrl });

async function paidPayment(psp: "stripe" | "adyen") {
  const created = await post("/payments", newPaymentBody({ psp, amount: "10.00" }));
  expect(created.status).toBe(201);
  const confirmed = await post(`/payments/${created.body.payment_id}/confirm`);
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.status).toBe("succeeded");
  return created.body.payment_id as string;
}

async function attempts(paymentId: string) {
  const { rows } = await svc.db.query(
    "SELECT operation, status, sync_count FROM payment_attempts WHERE payment_id = $1 ORDER BY started_at",
    [paymentId],
  );
  return rows as Array<{ operation: string; status: string; sync_count: number }>;
}

describe("a refund whose PSP call timed out (the stuck refund)", () => {
  it("is settled by the janitor once the PSP answers again, and a second refund is accepted", async () => {
    const paymentId = await paidPayment("stripe");
    const stripe = svc.sims.stripe.process.child;
    await freezeProcess(stripe.pid as number);
    let refund: Awaited<ReturnType<typeof post>>;
    try {
      refund = await post(`/payments/${paymentId}/refund`, { amount: "1.00" });
    } finally {
      stripe.kill("SIGCONT");
    }
    expect(refund.status).toBe(202);
    expect(refund.body.status).toBe("pending");

    const settled = await eventually("the refund to settle", async () => {
      const { rows } = await svc.db.query("SELECT status FROM refunds WHERE refund_id = $1", [
        refund.body.refund_id,
      ]);
      return rows[0]?.status === "pending" ? undefined : (rows[0]?.status as string);
    });
    const atPsp = await simCharges(svc.sims.stripe.base, paymentId);
    if (settled === "succeeded") expect(atPsp.refunded_amount).toBe(100n);
    else expect(atPsp.refunded_amount).toBe(0n);
    expect(await get(`/payments/${paymentId}`)).toMatchObject({
      body: { amount_refunded: settled === "succeeded" ? "1.00" : "0.00" },
    });

    const second = await post(`/payments/${paymentId}/refund`, { amount: "2.00" });
    expect(second.status).toBe(200);
    expect(second.body.status).toBe("succeeded");
  }, 60_000);
});

describe("an authorization whose answer never came", () => {
  it("is never failed by a local error: with the PSP unreachable it stays processing, then settles once", async () => {
    const created = await post("/payments", newPaymentBody({ psp: "stripe" }));
    const paymentId = created.body.payment_id as string;
    const stripe = svc.sims.stripe.process.child;
    await freezeProcess(stripe.pid as number);
    const confirmed = await post(`/payments/${paymentId}/confirm`);
    expect(confirmed.status).toBe(202);
    expect(confirmed.body.status).toBe("processing");
    // The PSP goes away before it ever answered: every janitor re-read is refused before it is sent.
    await svc.sims.stripe.process.stop("SIGKILL");
    await eventually("janitor checks against the unreachable PSP", async () => {
      const [a] = await attempts(paymentId);
      return a && a.sync_count >= 2 ? a : undefined;
    });
    const [open] = await attempts(paymentId);
    expect(open?.status).toBe("unknown");
    expect((await get(`/payments/${paymentId}`)).body.status).toBe("processing");
    const metrics = String(
      (await api.get("/metrics", { baseUrl: `http://127.0.0.1:${svc.env.PROCESSOR_HTTP_PORT}` })).body,
    );
    expect(
      Number(/payment_attempts_unresolved\{operation="authorize"\} (\d+)/.exec(metrics)?.[1]),
    ).toBeGreaterThan(0);
    expect(
      Number(
        /payment_attempt_oldest_unresolved_seconds\{operation="authorize"\} ([\d.]+)/.exec(metrics)?.[1],
      ),
    ).toBeGreaterThan(1);
    // A client retry meets the open attempt instead of starting a second charge.
    const retry = await post(`/payments/${paymentId}/confirm`);
    expect(retry.status).toBe(409);

    await svc.restartSim("stripe");
    const settled = await eventually("the authorization to settle", async () => {
      const p = (await get(`/payments/${paymentId}`)).body;
      return p.status === "processing" ? undefined : p;
    });
    // The killed simulator never processed the request: the replay under the same key charges once.
    expect(settled.status).toBe("succeeded");
    expect((await simCharges(svc.sims.stripe.base, paymentId)).authorizations).toBe(1);
  }, 90_000);
});

describe("an asynchronous refund", () => {
  it("settles from the PSP's refund status when its webhook never comes", async () => {
    const created = await post(
      "/payments",
      newPaymentBody({ psp: "stripe", token: "pm_sim_refund_pending" }),
    );
    const paymentId = created.body.payment_id as string;
    expect((await post(`/payments/${paymentId}/confirm`)).status).toBe(200);
    // The refund's webhook is lost: the simulator delivers nowhere.
    expect((await simPost(svc.sims.stripe.base, "/_sim/webhook-endpoint", { url: null })).status).toBe(200);
    try {
      const refund = await post(`/payments/${paymentId}/refund`, { amount: "3.00" });
      expect(refund.status).toBe(200);
      expect(refund.body.status).toBe("pending");
      const settled = await eventually("the pending refund to settle", async () => {
        const p = (await get(`/payments/${paymentId}`)).body;
        return p.amount_refunded === "3.00" ? p : undefined;
      });
      expect(settled.status).toBe("partially_refunded");
      expect((await simCharges(svc.sims.stripe.base, paymentId)).refunded_amount).toBe(300n);
      const [attempt] = (await attempts(paymentId)).filter((a) => a.operation === "refund");
      expect(attempt).toMatchObject({ status: "succeeded" });
    } finally {
      await simPost(svc.sims.stripe.base, "/_sim/webhook-endpoint", {
        url: `${svc.baseUrl}/webhooks/stripe`,
      });
    }
  }, 60_000);
});

describe("a PSP that refuses our credentials (401)", () => {
  it.each(["stripe", "adyen"] as const)(
    "%s: answers 503 psp_configuration_error, declines nothing, and leaves the payment retryable",
    async (psp) => {
      const created = await post("/payments", newPaymentBody({ psp, token: "pm_sim_psp_auth_error" }));
      const paymentId = created.body.payment_id as string;
      const confirmed = await post(`/payments/${paymentId}/confirm`);
      expect(confirmed.status).toBe(503);
      expect(confirmed.body.error.code).toBe("psp_configuration_error");
      const payment = (await get(`/payments/${paymentId}`)).body;
      expect(payment.status).toBe("requires_confirmation");
      expect(payment.failure_reason).toBeUndefined();
      const { rows } = await svc.db.query(
        "SELECT count(*)::int AS n FROM payment_outbox WHERE aggregateid = $1",
        [paymentId],
      );
      expect(rows[0].n).toBe(0);
      const retried = await post(`/payments/${paymentId}/confirm`, {
        payment_method: { type: "card", token: "pm_card_visa" },
      });
      expect(retried.status).toBe(200);
      expect(retried.body.status).toBe("succeeded");
    },
    30_000,
  );
});

describe("an Adyen capture that the PSP accepted and then failed", () => {
  it("is never booked as captured: the attempt fails, the payment stays requires_capture, a person is asked", async () => {
    const created = await post(
      "/payments",
      newPaymentBody({ psp: "adyen", capture_method: "manual", token: "pm_sim_capture_fail" }),
    );
    const paymentId = created.body.payment_id as string;
    expect((await post(`/payments/${paymentId}/confirm`)).body.status).toBe("requires_capture");
    const capture = await post(`/payments/${paymentId}/capture`);
    expect(capture.status).toBe(202);
    expect(capture.body.status).toBe("requires_capture");
    const review = await eventually("a review of the failed capture", async () => {
      const { rows } = await svc.db.query(
        "SELECT reason FROM payment_reviews WHERE payment_id = $1 AND resolved_at IS NULL",
        [paymentId],
      );
      return rows[0];
    });
    expect(review.reason).toBe("capture_failed");
    const [, captureAttempt] = await attempts(paymentId);
    expect(captureAttempt).toMatchObject({ operation: "capture", status: "failed" });
    expect((await get(`/payments/${paymentId}`)).body).toMatchObject({
      status: "requires_capture",
      amount_captured: "0.00",
    });
    const { rows } = await svc.db.query(
      "SELECT count(*)::int AS n FROM payment_outbox WHERE aggregateid = $1 AND type = 'captured'",
      [paymentId],
    );
    expect(rows[0].n).toBe(0);
  }, 60_000);
});

describe("two copies of one command at once", () => {
  it("never let the copy that did not call the PSP undo the one that did", async () => {
    const paymentId = await paidPayment("stripe");
    const codec = new AvroCodec(stackEnv.registryUrl);
    await codec.register(commandTopic(), COMMAND_SCHEMA_FILE);
    const refund: PaymentCommand = {
      commandId: randomUUID(),
      paymentId,
      issuedAt: new Date(),
      idempotencyKey: null,
      merchantId: TEST_MERCHANT_ID,
      type: "refund",
      body: { refund_id: randomUUID(), amount_minor: 100, reason: null },
    };
    const value = encodeCommand(codec, commandTopic(), refund);
    const producer = createProducer(testKafka("test-duplicate-copies"));
    await producer.connect();
    const stripe = svc.sims.stripe.process.child;
    await freezeProcess(stripe.pid as number);
    try {
      // The same command under two keys lands on two partitions: both copies run at once.
      await producer.send({
        topic: commandTopic(),
        messages: [
          { key: paymentId, value },
          { key: `${paymentId}-copy`, value },
        ],
      });
      await eventually("the first copy to reach the PSP", async () => {
        const { rows } = await svc.db.query("SELECT 1 FROM payment_attempts WHERE command_id = $1", [
          refund.commandId,
        ]);
        return rows[0];
      });
      // The copy that did not reach the PSP meets the claim of the one that did, while that one waits.
      await eventually("the second copy to be turned away by the claim", async () => {
        const metrics = String(
          (await api.get("/metrics", { baseUrl: `http://127.0.0.1:${svc.env.PROCESSOR_HTTP_PORT}` })).body,
        );
        const refused = Number(/processor_command_claims_refused_total (\d+)/.exec(metrics)?.[1] ?? 0);
        return refused > 0 ? refused : undefined;
      });
    } finally {
      stripe.kill("SIGCONT");
      await producer.disconnect();
    }
    const settled = await eventually("the refund to settle", async () => {
      const { rows } = await svc.db.query("SELECT status FROM refunds WHERE refund_id = $1", [
        refund.body.refund_id,
      ]);
      return rows[0]?.status === "succeeded" ? rows[0] : undefined;
    });
    expect(settled.status).toBe("succeeded");
    const { rows: replies } = await svc.db.query(
      "SELECT result FROM processed_commands WHERE command_id = $1",
      [refund.commandId],
    );
    expect(replies).toHaveLength(1);
    expect(replies[0].result).toMatch(/^refund\./);
    // The statement that stored the reply ended the claim: nothing is left for the lease to expire.
    const { rows: claims } = await svc.db.query("SELECT owner FROM command_claims WHERE command_id = $1", [
      refund.commandId,
    ]);
    expect(claims).toEqual([]);
    expect((await get(`/payments/${paymentId}`)).body.amount_refunded).toBe("1.00");
    expect((await simCharges(svc.sims.stripe.base, paymentId)).refunded_amount).toBe(100n);
  }, 60_000);
});

describe("a PSP that cannot take authorizations (down: connection refused)", () => {
  it("routes a USD authorization to the next PSP, and parks a EUR one until the PSP is back", async () => {
    const usd = (await post("/payments", newPaymentBody({ psp: "stripe", currency: "USD" }))).body.payment_id;
    const eur = (await post("/payments", newPaymentBody({ psp: "stripe", currency: "EUR" }))).body.payment_id;
    await svc.sims.stripe.process.stop("SIGKILL");
    try {
      const routed = await post(`/payments/${usd}/confirm`);
      expect(routed.status, JSON.stringify(routed.body)).toBe(200);
      expect(routed.body).toMatchObject({ status: "succeeded", psp: "adyen" });
      expect((await simCharges(svc.sims.adyen.base, usd)).authorizations).toBe(1);
      const [unsent, sent] = await attempts(usd);
      expect(unsent).toMatchObject({ operation: "authorize", status: "failed" });
      expect(sent).toMatchObject({ operation: "authorize", status: "succeeded" });

      const parked = await post(`/payments/${eur}/confirm`);
      expect(parked.status).toBe(202);
      expect(parked.body).toMatchObject({ status: "processing", psp: "stripe" });
      const [attempt] = await attempts(eur);
      expect(attempt?.status).toBe("parked");
    } finally {
      await svc.restartSim("stripe");
    }
    const settled = await eventually("the parked authorization to be sent and settled", async () => {
      const p = (await get(`/payments/${eur}`)).body;
      return p.status === "processing" ? undefined : p;
    });
    expect(settled).toMatchObject({ status: "succeeded", psp: "stripe" });
    expect((await simCharges(svc.sims.stripe.base, eur)).authorizations).toBe(1);
  }, 60_000);
});

describe("a fraud block", () => {
  it("commits the failure and its payment.failed.v1 together: a crash in between leaves the payment confirmable", async () => {
    const created = await post("/payments", newPaymentBody({ token: "pm_card_radarBlock" }));
    const paymentId = created.body.payment_id as string;
    // The outbox write of this payment fails, as a crash after the status write would look to the ledger.
    await svc.db.query(`
      CREATE OR REPLACE FUNCTION fail_outbox_of_${paymentId.replaceAll("-", "_")}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected outbox failure'; END $$`);
    await svc.db.query(`
      CREATE TRIGGER fail_outbox BEFORE INSERT ON payment_outbox FOR EACH ROW
      WHEN (NEW.aggregateid = '${paymentId}') EXECUTE FUNCTION fail_outbox_of_${paymentId.replaceAll("-", "_")}()`);
    try {
      const crashed = await post(`/payments/${paymentId}/confirm`);
      expect(crashed.status).toBe(500);
      const { rows } = await svc.db.query(
        "SELECT count(*)::int AS n FROM processed_commands WHERE payment_id = $1 AND command_type = 'confirm'",
        [paymentId],
      );
      expect(rows[0].n, "the injected failure landed: the command was dead-lettered").toBe(1);
      expect((await get(`/payments/${paymentId}`)).body.status).toBe("requires_confirmation");
    } finally {
      await svc.db.query("DROP TRIGGER fail_outbox ON payment_outbox");
    }
    const blocked = await post(`/payments/${paymentId}/confirm`);
    expect(blocked.status).toBe(402);
    expect(blocked.body.error.code).toBe("fraud_blocked");
    const { rows } = await svc.db.query(
      "SELECT type FROM payment_outbox WHERE aggregateid = $1 ORDER BY seq",
      [paymentId],
    );
    expect(rows).toEqual([{ type: "failed" }]);
  }, 60_000);
});
