import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createProducer, ensureTopics } from "../../core/infra/kafka.ts";
import { logger } from "../../core/infra/logger.ts";
import {
  type ParallelConsumer,
  startParallelConsumer,
} from "../../processors/parallel-consumer/parallel-consumer.ts";
import { testKafka } from "../helpers/stack-env.ts";
import { waitUntil } from "../helpers/wait.ts";

const kafka = testKafka("test-rebalance");
const run = randomUUID().slice(0, 8);
const TOPIC = `test.parallel-consumer.${run}`;
const PARTITIONS = 4;
const MESSAGES = 240;
const HANDLER_MS = 250;

interface Handled {
  owner: "a" | "b";
  partition: number;
  offset: number;
  key: string;
  value: string;
  startedAt: number;
}

const handled: Handled[] = [];
const consumers: ParallelConsumer[] = [];
afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop()));
});

function start(owner: "a" | "b"): Promise<ParallelConsumer> {
  return startParallelConsumer({
    kafka,
    topic: TOPIC,
    groupId: `test-rebalance-${run}`,
    logger,
    // Only the revocation commits: any offset committed after it would hide a missing drain.
    limits: {
      concurrency: 4,
      maxInFlight: 64,
      partitionMaxInFlight: 32,
      revokeTimeoutMs: 10_000,
      commitIntervalMs: 600_000,
      redeliveryBackoff: { minMs: 100, maxMs: 10_000 },
    },
    handle: async (_topic, partition, message) => {
      const entry = {
        owner,
        partition,
        offset: Number(message.offset),
        key: message.key?.toString() ?? "",
        value: message.value?.toString() ?? "",
        startedAt: Date.now(),
      };
      handled.push(entry);
      await new Promise((r) => setTimeout(r, HANDLER_MS));
    },
  });
}

describe("parallel consumer across a rebalance", () => {
  it("stops work on revoked partitions, commits what finished, and the new owner picks up the rest", async () => {
    await ensureTopics(kafka, [{ topic: TOPIC, numPartitions: PARTITIONS }]);
    const producer = createProducer(kafka);
    await producer.connect();
    // 24 keys, 10 messages each; a key's messages carry their sequence number.
    const messages = Array.from({ length: MESSAGES }, (_, i) => ({
      key: `key-${i % 24}`,
      value: String(Math.floor(i / 24)),
    }));
    await producer.send({ topic: TOPIC, messages });
    await producer.disconnect();

    consumers.push(await start("a"));
    await waitUntil("consumer a under way", () => handled.length >= 30, 30_000);
    consumers.push(await start("b"));
    await waitUntil("consumer b took over partitions", () => handled.some((h) => h.owner === "b"), 30_000);
    await waitUntil("every message handled", () => new Set(handled.map(id)).size === MESSAGES, 60_000);

    const moved = [...new Set(handled.filter((h) => h.owner === "b").map((h) => h.partition))];
    expect(moved.length).toBeGreaterThan(0);
    for (const partition of moved) {
      const onPartition = handled.filter((h) => h.partition === partition);
      const byA = onPartition.filter((h) => h.owner === "a");
      const byB = onPartition.filter((h) => h.owner === "b");
      // The old owner started nothing once the new one had begun: never two owners at work at once.
      const bStarted = Math.min(...byB.map((h) => h.startedAt));
      expect(byA.filter((h) => h.startedAt >= bStarted)).toEqual([]);
      // What the old owner finished was committed at revocation, so the new owner redid none of it.
      const doneByA = new Set(byA.map((h) => h.offset));
      expect(byB.filter((h) => doneByA.has(h.offset))).toEqual([]);
    }
    // Per key, every message in order, each exactly once.
    for (let k = 0; k < 24; k++) {
      const sequence = handled.filter((h) => h.key === `key-${k}`).map((h) => Number(h.value));
      expect(sequence).toEqual([...Array(10).keys()]);
    }
  }, 120_000);
});

const id = (h: Handled) => `${h.partition}/${h.offset}`;
