import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AvroCodec } from "../../core/infra/avro-codec.ts";
import { createProducer, type Producer } from "../../core/infra/kafka.ts";
import { EVENT_TOPICS } from "../../core/infra/topics.ts";
import { api } from "../helpers/api.ts";
import { testDb } from "../helpers/db.ts";
import { EventLog } from "../helpers/event-log.ts";
import { cardDataRefused, ORDER_TOPIC, publishOrder as publishOrderAs } from "../helpers/orders.ts";
import { simulatorCharges } from "../helpers/psp-simulators.ts";
import { stackEnv, testKafka } from "../helpers/stack-env.ts";
import { eventually } from "../helpers/wait.ts";

const codec = new AvroCodec(stackEnv.registryUrl);
const events = new EventLog();
let producer: Producer;

beforeAll(async () => {
  // order-service owns this contract; the test plays order-service and registers it as they would.
  await codec.register(ORDER_TOPIC, "order-created.v1.avsc");
  producer = createProducer(testKafka("test-order-service"));
  await producer.connect();
  await events.start();
});
afterAll(async () => {
  await producer.disconnect();
  await events.stop();
});

const publishOrder = (fields: Record<string, unknown>) => publishOrderAs(producer, codec, fields);

describe("order.created.v1 autopay", () => {
  it("creates and confirms a payment and emits payment.authorized.v1", async () => {
    const order = await publishOrder({ psp: "adyen" });
    const [authorized] = await events.waitFor(order.paymentId, { topic: EVENT_TOPICS.authorized });
    expect(authorized?.value).toMatchObject({
      order_id: order.order_id,
      amount: "19.99",
      currency: "USD",
      psp: "adyen",
    });
    const listed = await api.get(`/payments/${order.order_id}`);
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0]).toMatchObject({
      payment_id: order.paymentId,
      status: "succeeded",
      customer_id: "cus_123",
    });
  });

  it("emits payment.failed.v1 for a declined autopay order", async () => {
    const order = await publishOrder({ payment_method_token: "pm_card_chargeDeclinedInsufficientFunds" });
    const [failed] = await events.waitFor(order.paymentId, { topic: EVENT_TOPICS.failed });
    expect(failed?.value).toMatchObject({ order_id: order.order_id, failure_reason: "insufficient_funds" });
  });

  it("charges once when the same order is delivered again", async () => {
    const order = await publishOrder({});
    const duplicate = { ...order, event_id: randomUUID() };
    const { paymentId: _, ...value } = duplicate;
    await producer.send({
      topic: ORDER_TOPIC,
      messages: [{ key: String(order.order_id), value: codec.encode(ORDER_TOPIC, value) }],
    });
    await events.waitFor(order.paymentId, { topic: EVENT_TOPICS.authorized });
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await simulatorCharges("stripe", order.paymentId)).authorizations).toBe(1);
    const rows = await testDb().query("SELECT count(*)::int AS n FROM payment_index WHERE order_id = $1", [
      order.order_id,
    ]);
    expect(rows.rows[0].n).toBe(1);
  });

  it("drops an order that carries card data: no payment, no PSP call, no dead-letter copy", async () => {
    const before = await cardDataRefused();
    // A token-shaped value passes the token check; only the PAN guard stands between it and the PSP.
    const order = await publishOrder({ payment_method_token: "pm_4242424242424242" });
    await eventually("the PAN guard to drop the order", async () =>
      (await cardDataRefused()) > before ? true : undefined,
    );
    expect((await api.get(`/payments/${order.order_id}`)).body).toEqual([]);
    expect((await simulatorCharges("stripe", order.paymentId)).authorizations).toBe(0);
  });

  it("ignores orders without autopay", async () => {
    const order = await publishOrder({ autopay: false });
    const marker = await publishOrder({});
    await events.waitFor(marker.paymentId, { topic: EVENT_TOPICS.authorized });
    expect((await api.get(`/payments/${order.order_id}`)).body).toEqual([]);
  });

  it("is never stuck after a dependency outage: parked, retried, and failed with its event at the deadline", async () => {
    // Fraud scoring is down for this token and the amount is above the fallback limit: an API caller
    // would get 503 and retry; an order has nobody to retry, so the payment is parked instead.
    const order = await publishOrder({ payment_method_token: "pm_sim_fraud_down", amount: "900.00" });
    const parked = await eventually("the autopay payment to be parked", async () => {
      const { rows } = await testDb().query(
        `SELECT p.status, a.status AS attempt FROM payments p JOIN payment_attempts a USING (payment_id)
         WHERE p.payment_id = $1`,
        [order.paymentId],
      );
      return rows[0];
    });
    expect(parked).toEqual({ status: "processing", attempt: "parked" });
    // PSP_PARK_DEADLINE_MS (15 s in tests): it never reached the PSP, so it fails, with its event.
    const [failed] = await events.waitFor(order.paymentId, { topic: EVENT_TOPICS.failed, timeoutMs: 45_000 });
    expect(failed?.value).toMatchObject({ failure_reason: "fraud_unavailable", order_id: order.order_id });
    expect((await api.get(`/payments/${order.paymentId}`)).body).toMatchObject({
      status: "failed",
      failure_reason: "fraud_unavailable",
    });
    expect((await simulatorCharges("stripe", order.paymentId)).authorizations).toBe(0);
  }, 60_000);
});
