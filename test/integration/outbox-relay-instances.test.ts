import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KafkaEventPublisher } from "../../core/adapters/kafka-event-publisher.ts";
import { createProducer, type Producer } from "../../core/infra/kafka.ts";
import { logger } from "../../core/infra/logger.ts";
import { createPool, type Pool } from "../../db/pool.ts";
import type { OutboxEvent } from "../../db/repositories/outbox-repo.ts";
import { startOutboxRelay } from "../../processors/outbox-relay.ts";
import { closeTestDb, testDb } from "../helpers/db.ts";
import { ensureReadyTopics, insertOutbox, RecordCollector } from "../helpers/outbox-records.ts";
import { stackEnv, testKafka } from "../helpers/stack-env.ts";

// Several relays over one outbox (here: three in this process, plus the run's service): one leader
// publishes, so every row reaches Kafka once, in commit order per key.
const TOPIC = `test.relay-instances.${randomUUID().slice(0, 8)}.v1`;
const ROWS = 120;
const KEYS = 6;
let producer: Producer;
let pools: Pool[] = [];
let relays: Array<{ stop(): Promise<void> }> = [];
let collector: RecordCollector;
const ids: string[] = [];

beforeAll(async () => {
  await ensureReadyTopics([TOPIC]);
  collector = new RecordCollector([TOPIC]);
  await collector.start();
  producer = createProducer(testKafka("test-relay-instances"));
  await producer.connect();
  pools = Array.from({ length: 3 }, () => createPool(stackEnv.databaseUrl, 2));
  relays = pools.map((pool) =>
    startOutboxRelay({
      pool,
      publisher: new KafkaEventPublisher(producer),
      logger,
      pollMs: 20,
      batchSize: 7,
      retentionMs: 86_400_000,
      leaseTtlMs: 7_000,
      leaseRenewMs: 2_000,
      followerPollMs: 1_000,
      retentionSweepMs: 60_000,
      errorBackoffMs: 500,
    }),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(relays.map((r) => r.stop()));
  await Promise.all(pools.map((p) => p.end()));
  await producer?.disconnect();
  await collector?.stop();
  await testDb().query("DELETE FROM payment_outbox WHERE id = ANY($1::uuid[])", [ids]);
  await closeTestDb();
});

describe("outbox relay with several instances", () => {
  it("publishes every row exactly once, in commit order per key", async () => {
    for (let i = 0; i < ROWS; i++) {
      const row: OutboxEvent = {
        id: randomUUID(),
        aggregateId: `agg-${i % KEYS}`,
        type: "probe",
        topic: TOPIC,
        payload: Buffer.from(String(i)),
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        occurredAt: new Date(),
        publisher: "relay",
      };
      ids.push(row.id);
      await insertOutbox(testDb(), [row]);
    }
    await collector.waitFor(ids, { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 1_000));

    for (const id of ids) expect(collector.records(id), id).toHaveLength(1);
    for (let k = 0; k < KEYS; k++) {
      const sequence = ids
        .filter((_, i) => i % KEYS === k)
        .map((id) => collector.records(id)[0])
        .map((r) => ({ offset: r?.offset ?? -1n, n: Number(r?.value?.toString()) }));
      const byOffset = [...sequence].sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
      expect(byOffset.map((s) => s.n)).toEqual(sequence.map((s) => s.n));
    }
    const { rows } = await testDb().query(
      "SELECT count(*)::int AS n FROM payment_outbox WHERE id = ANY($1::uuid[]) AND published_at IS NULL",
      [ids],
    );
    expect(rows[0].n).toBe(0);
  }, 60_000);
});
