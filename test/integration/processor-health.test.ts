import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, createProducer } from "../../core/infra/kafka.ts";
import { logger } from "../../core/infra/logger.ts";
import { watchConsumerGroupLag } from "../../processors/ops/consumer-group-lag.ts";
import { stalledConsumers } from "../../processors/ops/consumer-health.ts";
import { startParallelConsumer } from "../../processors/parallel-consumer/parallel-consumer.ts";
import { api } from "../helpers/api.ts";
import { testKafka } from "../helpers/stack-env.ts";
import { waitUntil } from "../helpers/wait.ts";

const kafka = testKafka("test-processor-health");
const topic = `test.processor-health.${randomUUID()}`;
const groupId = `test-processor-health-${randomUUID()}`;
const admin = createAdmin(kafka);
// The shared test service's processor ops listener (global-setup: PAYMENTS_TEST_PROCESSOR_PORT).
const processorOpsUrl = `http://127.0.0.1:${process.env.PAYMENTS_TEST_PROCESSOR_PORT ?? "19464"}`;

beforeAll(async () => {
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: -1 }] });
});
afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

describe("processor health means progress", () => {
  it("a consumer whose handlers hang fails once the stall timeout passes; done and idle, it passes", async () => {
    const STALL_MS = 400;
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const consumer = await startParallelConsumer({
      kafka,
      topic,
      groupId,
      logger,
      limits: {
        concurrency: 4,
        maxInFlight: 64,
        partitionMaxInFlight: 32,
        revokeTimeoutMs: 1_000,
        commitIntervalMs: 100,
        redeliveryBackoff: { minMs: 100, maxMs: 10_000 },
      },
      handle: () => released,
    });
    const lag = watchConsumerGroupLag(kafka, [{ groupId, topic }], logger, 100);
    const stalled = async () => {
      await lag.refresh().catch(() => undefined);
      return stalledConsumers([consumer.activity()], lag.lagOf, Date.now(), STALL_MS);
    };
    try {
      const producer = createProducer(kafka);
      await producer.connect();
      await producer.send({
        topic,
        messages: [
          { key: "a", value: "1" },
          { key: "b", value: "2" },
        ],
      });
      await producer.disconnect();
      await waitUntil("both messages fetched and hanging", () => consumer.activity().inFlight === 2, 30_000);
      await waitUntil("the stall to be reported", async () => (await stalled()).length > 0, 10_000);
      expect((await stalled())[0]).toMatch(
        new RegExp(`^${topic.replaceAll(".", "\\.")} \\(${groupId}\\): 2 in flight`),
      );

      release();
      await waitUntil("the handlers to finish", () => consumer.activity().inFlight === 0, 10_000);
      // Committed and idle: past the stall timeout it stays healthy, with no lag on its partition.
      await waitUntil(
        "the group's lag to reach 0",
        async () => {
          await lag.refresh();
          return lag.lagOf(groupId, topic, 0) === 0;
        },
        10_000,
      );
      const idleSince = consumer.activity().lastActivityAt;
      await waitUntil("the stall timeout to pass", () => Date.now() - idleSince > STALL_MS, 5_000);
      expect(await stalled()).toEqual([]);
    } finally {
      release();
      await lag.stop();
      await consumer.stop();
    }
  }, 60_000);

  it("the running service's processor is live and ready, with PostgreSQL and Kafka up", async () => {
    expect(await api.get("/healthz", { baseUrl: processorOpsUrl })).toMatchObject({
      status: 200,
      body: { status: "ok" },
    });
    expect(await api.get("/readyz", { baseUrl: processorOpsUrl })).toMatchObject({
      status: 200,
      body: { status: "ready", checks: { postgres: "up", kafka: "up" } },
    });
  });
});
