import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_TOPICS } from "../../core/infra/topics.ts";
import { api, apiUrl } from "../helpers/api.ts";
import { testDb } from "../helpers/db.ts";
import { EventLog, type ReadEvent } from "../helpers/event-log.ts";
import { newPaymentBody } from "../helpers/factories.ts";
import { type ServiceProcess, spawnService, waitForHttp } from "../helpers/service-process.ts";

// The same end-to-end flows through two services that differ only in OUTBOX_PUBLISHER: the run's
// shared service (relay) and one started here with OUTBOX_PUBLISHER=debezium. A consumer must not be
// able to tell the two apart: same topics, keys, headers and decoded values.
const run = randomUUID().slice(0, 8);
const DEBEZIUM_PORT = "18093";
let debeziumService: ServiceProcess;
const events = new EventLog();

beforeAll(async () => {
  await events.start();
  debeziumService = spawnService(
    "scripts/start.ts",
    {
      PORT: DEBEZIUM_PORT,
      PROCESSOR_HTTP_PORT: "19493",
      OUTBOX_PUBLISHER: "debezium",
      JANITOR_ENABLED: "false",
      COMMAND_TOPIC: `test.paths.${run}.payment.commands.v1`,
      COMMAND_DLQ_TOPIC: `test.paths.${run}.payment.commands.dlq.v1`,
      PROCESSOR_GROUP_ID: `test-paths-${run}`,
      ORDER_GROUP_ID: `test-paths-orders-${run}`,
      // PSP webhooks go to the run's shared service; this one keeps out of its webhook group.
      WEBHOOK_TOPIC: `test.paths.${run}.payment.webhooks.v1`,
      WEBHOOK_GROUP_ID: `test-paths-webhooks-${run}`,
    },
    "test-debezium-service",
  );
  await waitForHttp(`http://127.0.0.1:${DEBEZIUM_PORT}/readyz`, 90_000, debeziumService.child);
}, 120_000);

afterAll(async () => {
  await debeziumService?.stop();
  await events.stop();
});

/** Four payments covering every outcome event; returns their ids in a fixed order. */
async function scenario(baseUrl: string): Promise<string[]> {
  const post = (path: string, body: unknown) => api.post(path, body, { baseUrl });
  const create = async (overrides: Record<string, unknown>) => {
    const created = await post("/payments", newPaymentBody({ amount: "20.00", ...overrides }));
    expect(created.status).toBe(201);
    return created.body.payment_id as string;
  };
  const automatic = await create({ psp: "stripe" });
  expect((await post(`/payments/${automatic}/confirm`, {})).status).toBe(200);

  const declined = await create({ psp: "adyen", token: "pm_card_chargeDeclinedInsufficientFunds" });
  expect((await post(`/payments/${declined}/confirm`, {})).status).toBe(402);

  const refunded = await create({ psp: "stripe", capture_method: "manual" });
  expect((await post(`/payments/${refunded}/confirm`, {})).status).toBe(200);
  expect((await post(`/payments/${refunded}/capture`, { amount: "15.00" })).status).toBe(200);
  expect((await post(`/payments/${refunded}/refund`, { amount: "5.00" })).status).toBe(200);

  // Stripe voids synchronously; an Adyen void would end through its notification, which the stack's
  // simulators deliver to the run's shared service (relay path), not to this file's Debezium service.
  const canceled = await create({ psp: "stripe", capture_method: "manual", currency: "JPY", amount: "2000" });
  expect((await post(`/payments/${canceled}/confirm`, {})).status).toBe(200);
  expect((await post(`/payments/${canceled}/cancel`, {})).status).toBe(200);
  return [automatic, declined, refunded, canceled];
}

const EXPECTED_TOPICS = [
  [EVENT_TOPICS.authorized, EVENT_TOPICS.captured],
  [EVENT_TOPICS.failed],
  [EVENT_TOPICS.authorized, EVENT_TOPICS.captured, EVENT_TOPICS.refunded],
  [EVENT_TOPICS.authorized, EVENT_TOPICS.canceled],
];

const VOLATILE = new Set([
  "event_id",
  "occurred_at",
  "payment_id",
  "order_id",
  "psp_reference",
  "refund_id",
  "risk_score",
]);

/** What a consumer sees, minus the fields that differ between any two payments. */
function comparable(e: ReadEvent) {
  const value = Object.fromEntries(Object.entries(e.value).filter(([k]) => !VOLATILE.has(k)));
  return { topic: e.topic, headerKeys: Object.keys(e.headers).sort(), value };
}

async function eventsOf(paymentIds: string[]) {
  return Promise.all(
    paymentIds.map(async (id, i) => {
      const expected = EXPECTED_TOPICS[i] ?? [];
      const seen = await events.waitFor(id, { count: expected.length, timeoutMs: 60_000 });
      for (const e of seen) {
        expect(e.key).toBe(id);
        expect(e.eventId).toBe((e.value as { event_id?: string }).event_id);
        expect(e.headers.traceparent?.toString()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      }
      expect(seen.map((e) => e.topic).sort()).toEqual([...expected].sort());
      return seen.map(comparable).sort((a, b) => a.topic.localeCompare(b.topic));
    }),
  );
}

describe("outcome events through the relay and through Debezium", () => {
  it("decode identically, with the same topics, keys and headers", async () => {
    const [relayIds, debeziumIds] = await Promise.all([
      scenario(apiUrl()),
      scenario(`http://127.0.0.1:${DEBEZIUM_PORT}`),
    ]);
    const publishers = await testDb().query(
      "SELECT DISTINCT aggregateid, publisher FROM payment_outbox WHERE aggregateid = ANY($1)",
      [[...relayIds, ...debeziumIds]],
    );
    const publisherOf = new Map(publishers.rows.map((r) => [r.aggregateid, r.publisher]));
    for (const id of relayIds) expect(publisherOf.get(id)).toBe("relay");
    for (const id of debeziumIds) expect(publisherOf.get(id)).toBe("debezium");

    const [viaRelay, viaDebezium] = await Promise.all([eventsOf(relayIds), eventsOf(debeziumIds)]);
    expect(viaDebezium).toEqual(viaRelay);
  }, 150_000);
});
