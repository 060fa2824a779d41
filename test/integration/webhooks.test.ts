import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsumer, createProducer, headerString } from "../../core/infra/kafka.ts";
import { EVENT_TOPICS } from "../../core/infra/topics.ts";
import { openDeadLetterValue } from "../../processors/dead-letter.ts";
import { api, apiUrl } from "../helpers/api.ts";
import { testDb } from "../helpers/db.ts";
import { EventLog } from "../helpers/event-log.ts";
import { settledOperation, waitForPayment } from "../helpers/flows.ts";
import { pspSimulatorBase, simPost, simulatorCharges, webhookEndpoint } from "../helpers/psp-simulators.ts";
import { testKafka } from "../helpers/stack-env.ts";
import {
  adyenNotification,
  createAndConfirmRetrying as createAndConfirm,
  inboxRows,
  postRetrying503,
  postStripe,
  postWebhook,
  simDeliveries,
  stripeEventBody,
  stripeSignature,
  unixNow,
  waitForInbox,
} from "../helpers/webhooks.ts";

/**
 * PSP webhooks through the real service: the stack's simulators sign and deliver them to the service
 * this run started (global-setup points them at it); some events are crafted and signed here to
 * exercise signatures, replays and stale deliveries.
 */
const events = new EventLog();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  for (const psp of ["stripe", "adyen"] as const) {
    expect(await webhookEndpoint(psp), `the ${psp} simulator must deliver to the service`).toBe(
      `${apiUrl()}/webhooks/${psp}`,
    );
  }
  await events.start();
});
afterAll(() => events.stop());

/** The one event of `topic` for the payment, after giving a duplicate time to show up. */
async function exactlyOne(paymentId: string, topic: string) {
  await events.waitFor(paymentId, { topic });
  await sleep(1_500);
  const seen = (await events.seen(paymentId)).filter((e) => e.topic === topic);
  expect(seen, `${topic} for ${paymentId}`).toHaveLength(1);
  return seen[0];
}

async function ledger(paymentId: string) {
  const { rows } = await testDb().query(
    `SELECT p.status, p.needs_review, p.amount_refunded::text, p.amount_refund_pending::text
     FROM payment_index i JOIN payments p USING (payment_id, partition_key) WHERE i.payment_id = $1`,
    [paymentId],
  );
  return rows[0];
}

async function refundsOf(paymentId: string) {
  const { rows } = await testDb().query(
    "SELECT refund_id::text, status, amount::text FROM refunds WHERE payment_id = $1 ORDER BY created_at",
    [paymentId],
  );
  return rows;
}

const intentFor = (pi: string, paymentId: string, status: string, amount = 1000) => ({
  id: pi,
  object: "payment_intent",
  amount,
  amount_capturable: status === "requires_capture" ? amount : 0,
  amount_received: status === "succeeded" ? amount : 0,
  currency: "usd",
  status,
  capture_method: "automatic",
  metadata: { payment_id: paymentId },
});

describe("POST /webhooks/stripe: signatures, replays, unknown payments", () => {
  it("answers 4xx to a bad signature, a stale timestamp and a re-serialized body, and stores nothing", async () => {
    const { id, body } = stripeEventBody(
      "payment_intent.succeeded",
      intentFor("pi_x", randomUUID(), "succeeded"),
    );
    const bad = await postStripe(body, stripeSignature(body, unixNow(), "whsec_not_ours"));
    expect(bad.status).toBe(401);
    expect(bad.json.error).toMatchObject({ type: "authentication_error", code: "webhook_signature_invalid" });
    const stale = await postStripe(body, stripeSignature(body, unixNow() - 301));
    expect(stale.status).toBe(401);
    expect(stale.json.error.code).toBe("webhook_timestamp_expired");
    const reserialized = JSON.stringify(JSON.parse(body), null, 1);
    const resent = await postStripe(reserialized, stripeSignature(body));
    expect(resent.status).toBe(401);
    expect(resent.json.error.code).toBe("webhook_signature_invalid");
    expect((await postWebhook("stripe", body)).json.error.code).toBe("webhook_signature_missing");
    expect(await inboxRows({ eventId: id })).toEqual([]);
  });

  it("records an event about a payment it does not know and skips it; a retry after a 4xx is taken", async () => {
    const { id, body } = stripeEventBody(
      "payment_intent.succeeded",
      intentFor("pi_y", randomUUID(), "succeeded"),
    );
    expect((await postStripe(body, stripeSignature(body, unixNow() - 400))).status).toBe(401);
    const retried = await postStripe(body);
    expect(retried).toMatchObject({ status: 200, json: { received: true, duplicate: false } });
    const [row] = await waitForInbox({ eventId: id }, (rows) => rows[0]?.processed_at != null);
    expect(row).toMatchObject({ outcome: "unknown_payment", payment_id: null });
    expect(row?.published_at).not.toBeNull();
  });

  it("applies a replayed event once: concurrent copies and a late replay all get 2xx", async () => {
    const { paymentId, confirmed } = await createAndConfirm({ token: "pm_card_authenticationRequired" });
    expect(confirmed.body.status).toBe("requires_action");
    const pi = confirmed.body.psp_reference as string;
    const { id, body } = stripeEventBody("payment_intent.succeeded", intentFor(pi, paymentId, "succeeded"));
    const answers = await Promise.all([postStripe(body), postStripe(body), postStripe(body)]);
    for (const answer of answers) expect(answer.status).toBe(200);

    const settled = await waitForPayment(paymentId, (p) => p.status === "succeeded");
    expect(settled).toMatchObject({ amount_captured: "10.00", amount_capturable: "0.00" });
    await exactlyOne(paymentId, EVENT_TOPICS.authorized);
    await exactlyOne(paymentId, EVENT_TOPICS.captured);
    const late = await postStripe(body);
    expect(late).toMatchObject({ status: 200, json: { received: true, duplicate: true } });
    const rows = await waitForInbox({ eventId: id }, (r) => r[0]?.processed_at != null);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: "applied", payment_id: paymentId });
  });
});

describe("authentication (requires_action) completing through the simulator", () => {
  it.each([
    ["stripe", "automatic", "succeeded"],
    ["adyen", "manual", "requires_capture"],
  ] as const)(
    "%s, %s capture: the payment ends %s with one authorized event",
    async (psp, captureMethod, end) => {
      const { paymentId, confirmed } = await createAndConfirm({
        psp,
        capture_method: captureMethod,
        token: "pm_card_authenticationRequired",
      });
      expect(confirmed.body.status).toBe("requires_action");
      // What the client needs to finish 3-D Secure with the PSP.
      expect(confirmed.body.next_action.type).toBe(psp === "stripe" ? "redirect_to_url" : "redirect");
      expect(confirmed.body.next_action.redirect_url).toMatch(/authenticate/);
      if (psp === "stripe") expect(confirmed.body.next_action.client_secret).toMatch(/^pi_.+_secret_/);
      const ref = confirmed.body.psp_reference as string;
      const path =
        psp === "stripe" ? `/_sim/payment_intents/${ref}/authenticate` : `/_sim/payments/${ref}/authenticate`;
      expect((await simPost(pspSimulatorBase(psp), path)).status).toBe(200);

      const settled = await waitForPayment(paymentId, (p) => p.status === end);
      expect(settled.amount_captured).toBe(end === "succeeded" ? "10.00" : "0.00");
      expect(settled.next_action).toBeUndefined();
      const authorized = await exactlyOne(paymentId, EVENT_TOPICS.authorized);
      expect(authorized?.value).toMatchObject({ payment_id: paymentId, status: end });
      if (end === "succeeded") await exactlyOne(paymentId, EVENT_TOPICS.captured);
      else {
        const captured = await settledOperation(
          await postRetrying503(`/payments/${paymentId}/capture`, {}),
          paymentId,
          "succeeded",
        );
        expect(captured.status).toBe("succeeded");
      }
      expect((await simulatorCharges(psp, paymentId)).authorizations).toBe(1);
    },
  );

  it("fails the payment when authentication fails, with one payment.failed.v1", async () => {
    const { paymentId, confirmed } = await createAndConfirm({ token: "pm_card_authenticationRequired" });
    const pi = confirmed.body.psp_reference as string;
    await simPost(pspSimulatorBase("stripe"), `/_sim/payment_intents/${pi}/authenticate`, { result: "fail" });
    const failed = await waitForPayment(paymentId, (p) => p.status === "failed");
    expect(failed.failure_reason).toBe("authentication_failed");
    await exactlyOne(paymentId, EVENT_TOPICS.failed);
  });
});

describe("asynchronous refund completion", () => {
  it("Adyen: a pending refund succeeds on its REFUND notification, with one payment.refunded.v1", async () => {
    const { paymentId } = await createAndConfirm({ psp: "adyen" });
    const refund = await postRetrying503(`/payments/${paymentId}/refund`, { amount: "4.00" });
    expect(refund.body).toMatchObject({ status: "pending", amount: "4.00" });
    const settled = await waitForPayment(paymentId, (p) => p.status === "partially_refunded");
    expect(settled.amount_refunded).toBe("4.00");
    const event = await exactlyOne(paymentId, EVENT_TOPICS.refunded);
    expect(event?.value).toMatchObject({ refund_id: refund.body.refund_id, amount: "4.00" });
    expect(await refundsOf(paymentId)).toEqual([
      { refund_id: refund.body.refund_id, status: "succeeded", amount: "4.00" },
    ]);
    expect((await ledger(paymentId)).amount_refund_pending).toBe("0.00");
  });

  it("Adyen: a refused refund gives its reservation back", async () => {
    const { paymentId } = await createAndConfirm({ psp: "adyen", token: "pm_sim_refund_fail" });
    const refund = await postRetrying503(`/payments/${paymentId}/refund`, {});
    expect(refund.body.status).toBe("pending");
    await waitForInbox({ paymentId }, (rows) =>
      rows.some((r) => r.event_type === "REFUND" && r.processed_at),
    );
    expect(await refundsOf(paymentId)).toMatchObject([{ status: "failed" }]);
    expect(await ledger(paymentId)).toMatchObject({ status: "succeeded", amount_refund_pending: "0.00" });
    expect((await events.seen(paymentId)).filter((e) => e.topic === EVENT_TOPICS.refunded)).toEqual([]);
  });

  it("Stripe: a refund answered pending settles on refund.updated", async () => {
    const { paymentId } = await createAndConfirm({ token: "pm_sim_refund_pending" });
    const refund = await postRetrying503(`/payments/${paymentId}/refund`, {});
    expect(refund.body.status).toBe("pending");
    await waitForPayment(paymentId, (p) => p.status === "refunded");
    await exactlyOne(paymentId, EVENT_TOPICS.refunded);
    expect(await refundsOf(paymentId)).toMatchObject([{ status: "succeeded", amount: "10.00" }]);
  });

  it("applies duplicate deliveries of one event id (pm_sim_duplicate_webhook) once", async () => {
    const { paymentId } = await createAndConfirm({ psp: "adyen", token: "pm_sim_duplicate_webhook" });
    await postRetrying503(`/payments/${paymentId}/refund`, { amount: "10.00" });
    await waitForPayment(paymentId, (p) => p.status === "refunded");
    await exactlyOne(paymentId, EVENT_TOPICS.refunded);
    expect(await ledger(paymentId)).toMatchObject({
      amount_refunded: "10.00",
      amount_refund_pending: "0.00",
    });

    const rows = await waitForInbox({ paymentId }, (r) =>
      r.some((x) => x.event_type === "REFUND" && x.processed_at),
    );
    const refundEvent = rows.find((r) => r.event_type === "REFUND");
    const copies = (await simDeliveries("adyen")).filter((d) => d.eventId === refundEvent?.event_id);
    expect(copies).toHaveLength(2);
    for (const copy of copies) expect(copy.delivered).toBe(true);
    expect(rows.filter((r) => r.event_id === refundEvent?.event_id)).toHaveLength(1);
  });
});

describe("late authorization results", () => {
  it.each(["stripe", "adyen"] as const)(
    "%s: a success after a timeout settles the processing payment once, whether the webhook or the janitor wins",
    async (psp) => {
      const { paymentId, confirmed } = await createAndConfirm({ psp, token: "pm_sim_timeout" });
      // Stripe: the connector's same-key retry may already have the answer (200); else 202 processing.
      expect(confirmed.status).toBe(psp === "stripe" ? 200 : 202);
      await waitForPayment(paymentId, (p) => p.status === "succeeded", 45_000);
      await exactlyOne(paymentId, EVENT_TOPICS.authorized);
      expect((await simulatorCharges(psp, paymentId)).authorizations).toBe(1);
      // The webhook about the charge was taken and processed, either applying or finding it settled.
      const rows = await waitForInbox({ paymentId }, (r) => r.length > 0 && r.every((x) => x.processed_at));
      expect(rows.map((r) => r.outcome).every((o) => o === "applied" || o === "stale")).toBe(true);
      // One attempt reached the PSP and is settled (a 503 retry leaves failed attempts that never left).
      const { rows: attempts } = await testDb().query(
        "SELECT status FROM payment_attempts WHERE payment_id = $1 AND operation = 'authorize'",
        [paymentId],
      );
      expect(attempts.filter((a) => a.status === "succeeded")).toHaveLength(1);
      expect(attempts.filter((a) => a.status === "pending" || a.status === "unknown")).toEqual([]);
    },
    60_000,
  );
});

describe("out-of-order delivery", () => {
  it.each(["stripe", "adyen"] as const)(
    "%s: the authorization's late webhook does not move a refunded payment backwards",
    async (psp) => {
      const { paymentId, confirmed } = await createAndConfirm({
        psp,
        capture_method: "manual",
        token: "pm_sim_out_of_order_webhook",
      });
      expect(confirmed.body.status).toBe("requires_capture");
      const captured = await settledOperation(
        await postRetrying503(`/payments/${paymentId}/capture`, {}),
        paymentId,
        "succeeded",
      );
      expect(captured.status).toBe("succeeded");
      await postRetrying503(`/payments/${paymentId}/refund`, {});
      await waitForPayment(paymentId, (p) => p.status === "refunded");
      const authType = psp === "stripe" ? "payment_intent.amount_capturable_updated" : "AUTHORISATION";
      const rows = await waitForInbox({ paymentId }, (r) =>
        r.some((x) => x.event_type === authType && x.processed_at),
      );
      expect(rows.find((r) => r.event_type === authType)?.outcome).toBe("stale");
      expect((await api.get(`/payments/${paymentId}`)).body).toMatchObject({
        status: "refunded",
        amount_refunded: "10.00",
      });
      await exactlyOne(paymentId, EVENT_TOPICS.authorized);
    },
  );

  it("ignores an older event crafted after the fact (requires_capture for a refunded payment)", async () => {
    const { paymentId, confirmed } = await createAndConfirm();
    await postRetrying503(`/payments/${paymentId}/refund`, {});
    await waitForPayment(paymentId, (p) => p.status === "refunded");
    const pi = confirmed.body.psp_reference as string;
    const { id, body } = stripeEventBody(
      "payment_intent.amount_capturable_updated",
      intentFor(pi, paymentId, "requires_capture"),
    );
    expect((await postStripe(body)).status).toBe(200);
    const [row] = await waitForInbox({ eventId: id }, (r) => r[0]?.processed_at != null);
    expect(row?.outcome).toBe("stale");
    expect((await api.get(`/payments/${paymentId}`)).body.status).toBe("refunded");

    const adyen = await createAndConfirm({ psp: "adyen" });
    expect(adyen.confirmed.status).toBe(200);
    const late = adyenNotification({
      pspReference: adyen.confirmed.body.psp_reference,
      merchantReference: randomUUID(),
      value: 1000,
      currency: "USD",
      eventCode: "AUTHORISATION",
      success: false,
    });
    expect(await postWebhook("adyen", late)).toMatchObject({ status: 200, text: "[accepted]" });
    const [adyenRow] = await waitForInbox(
      { eventId: `${adyen.confirmed.body.psp_reference}:AUTHORISATION:false` },
      (r) => r[0]?.processed_at != null,
    );
    expect(adyenRow?.outcome).toBe("stale");
    expect((await api.get(`/payments/${adyen.paymentId}`)).body.status).toBe("succeeded");
  });
});

describe("disputes and chargebacks", () => {
  it.each(["stripe", "adyen"] as const)(
    "%s: recorded against the payment, which is flagged for review",
    async (psp) => {
      const { paymentId, confirmed } = await createAndConfirm({ psp });
      expect(confirmed.status).toBe(200);
      const ref = confirmed.body.psp_reference as string;
      const path =
        psp === "stripe" ? `/_sim/payment_intents/${ref}/dispute` : `/_sim/payments/${ref}/chargeback`;
      expect((await simPost(pspSimulatorBase(psp), path, { reason: "fraudulent" })).status).toBe(200);
      const deadline = Date.now() + 30_000;
      let disputes: any[] = [];
      while (disputes.length === 0 && Date.now() < deadline) {
        await sleep(200);
        ({ rows: disputes } = await testDb().query(
          "SELECT psp, stage, reason, amount::text, currency FROM payment_disputes WHERE payment_id = $1",
          [paymentId],
        ));
      }
      expect(disputes).toHaveLength(1);
      expect(disputes[0]).toMatchObject({ psp, reason: "fraudulent", amount: "10.00", currency: "USD" });
      expect(psp === "stripe" ? ["needs_response"] : ["notification_of_chargeback", "chargeback"]).toContain(
        disputes[0].stage,
      );
      expect(await ledger(paymentId)).toMatchObject({ status: "succeeded", needs_review: true });
    },
  );
});

describe("poison records on payment.webhooks.v1", () => {
  // The topics of the run's service (its environment names them when runs share a machine).
  const WEBHOOK_TOPIC = process.env.WEBHOOK_TOPIC ?? "payment.webhooks.v1";
  const DLQ_TOPIC = process.env.COMMAND_DLQ_TOPIC ?? "payment.commands.dlq.v1";
  it("go to the DLQ with reason headers", async () => {
    const kafka = testKafka("test-webhook-dlq");
    const producer = createProducer(kafka);
    await producer.connect();
    const key = `poison-${randomUUID()}`;
    await producer.send({ topic: WEBHOOK_TOPIC, messages: [{ key, value: "not avro" }] });
    await producer.disconnect();

    const consumer = createConsumer(kafka, `test-webhook-dlq-${randomUUID()}`);
    const found: Array<Record<string, string | undefined>> = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [DLQ_TOPIC] });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() !== key) return;
        found.push({
          reason: headerString(message.headers, "dlq_reason"),
          topic: headerString(message.headers, "dlq_source_topic"),
          value: openDeadLetterValue(message.value)?.toString(),
        });
      },
    });
    const deadline = Date.now() + 30_000;
    while (found.length === 0 && Date.now() < deadline) await sleep(200);
    await consumer.disconnect();
    expect(found).toEqual([{ reason: "malformed", topic: WEBHOOK_TOPIC, value: "not avro" }]);
  });
});

describe("a late success for a payment the ledger already ended", () => {
  it("is voided at the PSP and announced on payment.compensated.v1; the payment stays failed", async () => {
    const { paymentId, confirmed } = await createAndConfirm({ capture_method: "manual" });
    expect(confirmed.body.status).toBe("requires_capture");
    const pi = confirmed.body.psp_reference as string;
    // The ledger ended the payment without this authorization (an operator's mistaken mark_failed, say).
    await testDb().query(
      "UPDATE payments SET status = 'failed', failure_reason = 'manual_review' WHERE payment_id = $1",
      [paymentId],
    );
    const { body } = stripeEventBody("payment_intent.amount_capturable_updated", {
      ...intentFor(pi, paymentId, "requires_capture"),
      capture_method: "manual",
    });
    expect((await postStripe(body)).status).toBe(200);

    const [compensated] = await events.waitFor(paymentId, { topic: EVENT_TOPICS.compensated });
    expect(compensated?.value).toMatchObject({
      action: "void",
      psp_reference: pi,
      amount: "10.00",
      amount_minor: 1000,
      payment_status: "failed",
    });
    const atPsp = (await simulatorCharges("stripe", paymentId)).intents as Array<{
      id: string;
      status: string;
    }>;
    expect(atPsp.find((i) => i.id === pi)?.status).toBe("canceled");
    expect((await api.get(`/payments/${paymentId}`)).body.status).toBe("failed");
    // A redelivery of the same success compensates nothing twice.
    expect(
      (
        await postStripe(
          stripeEventBody("payment_intent.amount_capturable_updated", {
            ...intentFor(pi, paymentId, "requires_capture"),
            capture_method: "manual",
          }).body,
        )
      ).status,
    ).toBe(200);
    const { rows } = await testDb().query("SELECT status FROM payment_compensations WHERE payment_id = $1", [
      paymentId,
    ]);
    expect(rows).toEqual([{ status: "succeeded" }]);
  }, 60_000);
});
