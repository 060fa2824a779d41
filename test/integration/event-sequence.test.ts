import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_TOPICS } from "../../core/infra/topics.ts";
import { api } from "../helpers/api.ts";
import { closeTestDb, testDb } from "../helpers/db.ts";
import { EventLog, type ReadEvent } from "../helpers/event-log.ts";
import { createPayment } from "../helpers/flows.ts";

// Outcome events carry a per-payment `sequence`, so a consumer reading several topics can put one
// payment's events back in order: 1..n without gaps, in the order the changes were committed.
const events = new EventLog();

beforeAll(async () => {
  await events.start();
}, 60_000);

afterAll(async () => {
  await events.stop();
  await closeTestDb();
});

type Sequenced = { sequence: number; event_id: string };

async function eventsOf(paymentId: string, count: number): Promise<ReadEvent<Sequenced>[]> {
  const seen = await events.waitFor<Sequenced>(paymentId, { count, timeoutMs: 30_000 });
  expect(seen, `events of ${paymentId}`).toHaveLength(count);
  return [...seen].sort((a, b) => Number(a.value.sequence) - Number(b.value.sequence));
}

/** Event ids of the payment in the outbox's commit order (payment_outbox.seq). */
async function committedOrder(paymentId: string): Promise<string[]> {
  const { rows } = await testDb().query<{ id: string }>(
    "SELECT id FROM payment_outbox WHERE aggregateid = $1 ORDER BY seq",
    [paymentId],
  );
  return rows.map((r) => r.id);
}

describe("per-payment event sequence", () => {
  it("numbers a payment's events 1..n across topics, in commit order", async () => {
    const created = await createPayment({ capture_method: "manual", amount: "30.00" });
    const id = created.body.payment_id as string;
    const steps = [
      await api.post(`/payments/${id}/confirm`, {}),
      await api.post(`/payments/${id}/capture`, {}),
      await api.post(`/payments/${id}/refund`, { amount: "10.00" }),
      await api.post(`/payments/${id}/refund`, { amount: "20.00" }),
    ];
    for (const s of steps) expect(s.status, JSON.stringify(s.body)).toBeLessThan(300);

    const seen = await eventsOf(id, 4);
    expect(seen.map((e) => Number(e.value.sequence))).toEqual([1, 2, 3, 4]);
    expect(seen.map((e) => e.topic)).toEqual([
      EVENT_TOPICS.authorized,
      EVENT_TOPICS.captured,
      EVENT_TOPICS.refunded,
      EVENT_TOPICS.refunded,
    ]);
    expect(seen.map((e) => e.value.event_id)).toEqual(await committedOrder(id));
  });

  it("numbers the events committed together (authorize and capture) consecutively", async () => {
    const created = await createPayment({ capture_method: "automatic" });
    const id = created.body.payment_id as string;
    const confirmed = await api.post(`/payments/${id}/confirm`, {});
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    const refunded = await api.post(`/payments/${id}/refund`, {});
    expect(refunded.status, JSON.stringify(refunded.body)).toBeLessThan(300);

    const seen = await eventsOf(id, 3);
    expect(seen.map((e) => Number(e.value.sequence))).toEqual([1, 2, 3]);
    expect(seen.map((e) => e.topic)).toEqual([
      EVENT_TOPICS.authorized,
      EVENT_TOPICS.captured,
      EVENT_TOPICS.refunded,
    ]);
    expect(seen.map((e) => e.value.event_id)).toEqual(await committedOrder(id));
  });

  it("starts a declined payment's numbering at 1 on payment.failed.v1", async () => {
    const created = await createPayment({ token: "pm_card_chargeDeclined" });
    const id = created.body.payment_id as string;
    const confirmed = await api.post(`/payments/${id}/confirm`, {});
    expect(confirmed.status).toBe(402);
    const [failed] = await eventsOf(id, 1);
    expect(failed?.topic).toBe(EVENT_TOPICS.failed);
    expect(Number(failed?.value.sequence)).toBe(1);
  });
});
