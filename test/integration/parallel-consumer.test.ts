import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentCommand } from "../../core/domain/commands.ts";
import { AvroCodec } from "../../core/infra/avro-codec.ts";
import { encodeCommand } from "../../core/infra/command-codec.ts";
import { createAdmin, createProducer, type Producer } from "../../core/infra/kafka.ts";
import { COMMAND_SCHEMA_FILE } from "../../core/infra/topics.ts";
import { api } from "../helpers/api.ts";
import { testDb } from "../helpers/db.ts";
import { nextOrderId } from "../helpers/factories.ts";
import { createPayment } from "../helpers/flows.ts";
import { partitionFor } from "../helpers/kafka-partitioner.ts";
import { simulatorCharges } from "../helpers/psp-simulators.ts";
import { TEST_SERVICE_ENV } from "../helpers/service-process.ts";
import { stackEnv, testKafka } from "../helpers/stack-env.ts";
import { TEST_MERCHANT_ID } from "../helpers/test-key.ts";
import { waitUntil } from "../helpers/wait.ts";

// The topic the run's service consumes, with the partition count it was created with (production's).
const COMMAND_TOPIC = process.env.COMMAND_TOPIC ?? "payment.commands.v1";
const PSP_TIMEOUT_MS = Number(TEST_SERVICE_ENV.PSP_TIMEOUT_MS);
const kafka = testKafka("test-parallel-consumer");
let partitions = 0;

beforeAll(async () => {
  const admin = createAdmin(kafka);
  await admin.connect();
  const [topic] = await admin.fetchTopicMetadata({ topics: [COMMAND_TOPIC] });
  await admin.disconnect();
  partitions = topic?.partitions.length ?? 0;
  expect(partitions).toBeGreaterThan(1);
});

async function timedConfirm(paymentId: string) {
  const started = performance.now();
  const res = await api.post(`/payments/${paymentId}/confirm`, {});
  return { paymentId, status: res.status, body: res.body, ms: performance.now() - started, at: Date.now() };
}

describe("a hung PSP call (finding 12)", () => {
  it("delays no other payment's confirm, not even one on the same partition", async () => {
    // The same shape as the measured confirms below (four at once), without any hung call beside them.
    const fresh: string[] = [];
    for (let i = 0; i < 4; i++) fresh.push((await createPayment()).body.payment_id);
    const baseline = await Promise.all(fresh.map((id) => timedConfirm(id)));
    for (const b of baseline) expect(b.status).toBe(200);
    const baselineMs = Math.max(...baseline.map((b) => b.ms));

    // Four: below the breaker's volume threshold, so the timeouts never open it for other tests.
    const hung: string[] = [];
    for (let i = 0; i < 4; i++) hung.push((await createPayment({ token: "pm_sim_timeout" })).body.payment_id);
    const hungPartitions = new Set(hung.map((id) => partitionFor(id, partitions)));
    const sharing: string[] = [];
    for (let tries = 0; sharing.length < 4 && tries < 200; tries++) {
      const id = (await createPayment()).body.payment_id;
      if (hungPartitions.has(partitionFor(id, partitions))) sharing.push(id);
    }
    expect(sharing).toHaveLength(4);

    const hungStarted = Date.now();
    const hungAnswers = hung.map((id) => timedConfirm(id));
    // The fault landed: every hung charge reached the simulator, which holds its answer back.
    await waitUntil(
      "all hung PSP calls in flight at once",
      async () =>
        (await Promise.all(hung.map((id) => simulatorCharges("stripe", id)))).every(
          (c) => c.authorizations === 1,
        ),
      PSP_TIMEOUT_MS - 500,
    );
    const visa = await Promise.all(sharing.map((id) => timedConfirm(id)));
    const visaDone = Date.now();
    const hungSettled = await Promise.all(hungAnswers);

    for (const v of visa) expect(v.body.status, JSON.stringify(v.body)).toBe("succeeded");
    for (const h of hungSettled) expect(h.at).toBeGreaterThan(visaDone);
    expect(visaDone - hungStarted).toBeLessThan(PSP_TIMEOUT_MS);
    const visaMs = Math.max(...visa.map((v) => v.ms));
    console.info(
      `[finding 12] visa confirms: baseline max ${baselineMs.toFixed(0)} ms, beside hung calls max ${visaMs.toFixed(0)} ms; hung confirms answered after ${Math.min(...hungSettled.map((h) => h.ms)).toFixed(0)} ms`,
    );
    expect(visaMs).toBeLessThan(2 * baselineMs + 250);
  }, 60_000);
});

describe("per-payment order under parallelism", () => {
  const codec = new AvroCodec(stackEnv.registryUrl);
  let producer: Producer;

  beforeAll(async () => {
    await codec.register(COMMAND_TOPIC, COMMAND_SCHEMA_FILE);
    producer = createProducer(kafka);
    await producer.connect();
  });
  afterAll(() => producer?.disconnect());

  /** Payment ids that all hash to one partition. */
  function idsOnOnePartition(count: number): string[] {
    const first = randomUUID();
    const target = partitionFor(first, partitions);
    const ids = [first];
    while (ids.length < count) {
      const id = randomUUID();
      if (partitionFor(id, partitions) === target) ids.push(id);
    }
    return ids;
  }

  function lifecycle(paymentId: string, token: string): PaymentCommand[] {
    const base = { paymentId, issuedAt: new Date(), idempotencyKey: null, merchantId: TEST_MERCHANT_ID };
    return [
      {
        ...base,
        commandId: randomUUID(),
        type: "create",
        body: {
          order_id: nextOrderId(),
          amount: "7.00",
          amount_minor: 700,
          currency: "USD",
          psp: "stripe",
          capture_method: "manual",
          payment_method: { type: "card", token },
          customer_id: null,
          description: null,
          metadata: {},
        },
      },
      { ...base, commandId: randomUUID(), type: "confirm", body: { payment_method: null } },
      { ...base, commandId: randomUUID(), type: "capture", body: { amount_minor: null } },
      {
        ...base,
        commandId: randomUUID(),
        type: "refund",
        body: { refund_id: randomUUID(), amount_minor: null, reason: null },
      },
    ];
  }

  it("create → confirm → capture → refund of 24 payments on one partition, interleaved, each in order", async () => {
    const ids = idsOnOnePartition(24);
    // Every third authorization is slow, so payments overtake one another inside the partition.
    const flows = ids.map((id, i) => lifecycle(id, i % 3 === 0 ? "pm_sim_slow" : "pm_card_visa"));
    const interleaved = [0, 1, 2, 3].flatMap((step) => flows.map((f) => f[step] as PaymentCommand));
    await producer.send({
      topic: COMMAND_TOPIC,
      messages: interleaved.map((c) => ({
        key: c.paymentId,
        value: encodeCommand(codec, COMMAND_TOPIC, c),
        headers: { command_type: c.type, command_id: c.commandId },
      })),
    });

    const statuses = async () =>
      (
        await testDb().query<{ payment_id: string; status: string }>(
          "SELECT payment_id, status FROM payments WHERE payment_id = ANY($1::uuid[])",
          [ids],
        )
      ).rows;
    await waitUntil(
      "every payment refunded",
      async () => (await statuses()).filter((r) => r.status === "refunded").length === ids.length,
      60_000,
    ).catch(async (err) => {
      throw new Error(`${err.message}: ${JSON.stringify(await statuses())}`);
    });

    const replies = await testDb().query<{ command_type: string; result: string; n: number }>(
      `SELECT command_type, result, count(*)::int AS n FROM processed_commands
        WHERE payment_id = ANY($1::uuid[]) GROUP BY 1, 2 ORDER BY 1`,
      [ids],
    );
    expect(replies.rows.filter((r) => r.result.startsWith("rejected"))).toEqual([]);
    expect(replies.rows.reduce((n, r) => n + r.n, 0)).toBe(ids.length * 4);

    // Parallel, not merely in order: the slow authorizations of one partition overlapped in time.
    const slow = await testDb().query<{ started_at: Date; finished_at: Date }>(
      `SELECT started_at, finished_at FROM payment_attempts
        WHERE payment_id = ANY($1::uuid[]) AND operation = 'authorize' ORDER BY started_at`,
      [ids.filter((_, i) => i % 3 === 0)],
    );
    const firstFinished = Math.min(...slow.rows.map((r) => r.finished_at.getTime()));
    const startedBefore = slow.rows.filter((r) => r.started_at.getTime() < firstFinished).length;
    expect(startedBefore).toBe(slow.rows.length);
  }, 90_000);
});
