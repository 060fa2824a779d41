import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createConsumer, createProducer, headerString, type Producer } from "../../core/infra/kafka.ts";
import { openDeadLetterValue } from "../../processors/dead-letter.ts";
import { createPayment } from "../helpers/flows.ts";
import { testKafka } from "../helpers/stack-env.ts";

const kafka = testKafka("test-dlq");
// The topics of the run's service (its environment names them when runs share a machine).
const COMMAND_TOPIC = process.env.COMMAND_TOPIC ?? "payment.commands.v1";
const DLQ_TOPIC = process.env.COMMAND_DLQ_TOPIC ?? "payment.commands.dlq.v1";
let producer: Producer | undefined;
afterAll(() => producer?.disconnect());

async function readDlq(key: string, timeoutMs: number) {
  const consumer = createConsumer(kafka, `test-dlq-${randomUUID()}`);
  const found: Array<Record<string, string | undefined>> = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [DLQ_TOPIC] });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.key?.toString() !== key) return;
      found.push({
        reason: headerString(message.headers, "dlq_reason"),
        error: headerString(message.headers, "dlq_error"),
        topic: headerString(message.headers, "dlq_source_topic"),
        value: openDeadLetterValue(message.value)?.toString(),
      });
    },
  });
  const deadline = Date.now() + timeoutMs;
  while (found.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await consumer.disconnect();
  return found;
}

describe("poison commands", () => {
  it("go to the DLQ with reason headers, and processing moves on", async () => {
    producer = createProducer(kafka);
    await producer.connect();
    const key = randomUUID();
    await producer.send({ topic: COMMAND_TOPIC, messages: [{ key, value: "not avro at all" }] });

    const dead = await readDlq(key, 30_000);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      reason: "malformed",
      topic: COMMAND_TOPIC,
      value: "not avro at all",
    });
    expect(dead[0]?.error).toBeTruthy();

    const after = await createPayment();
    expect(after.body.status).toBe("requires_confirmation");
  });
});
