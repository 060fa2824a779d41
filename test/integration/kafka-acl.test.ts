import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, createProducer, type KafkaSettings, kafka } from "../../core/infra/kafka.ts";
import {
  type KafkaSecurity,
  kafkaSecurityFor,
  parseKafkaSecurityEnv,
} from "../../core/infra/kafka-security.ts";
import { stackEnv, testKafka } from "../helpers/stack-env.ts";
import { waitUntil } from "../helpers/wait.ts";

// The service's own principals, resolved exactly as the service resolves them (env, else DEV DEFAULT).
const env = parseKafkaSecurityEnv(process.env);
const ingress = kafkaSecurityFor(env, "ingress", false);
const processor = kafkaSecurityFor(env, "processor", false);
const unauthenticated: KafkaSecurity = { protocol: "PLAINTEXT", ssl: {} };
const badPassword: KafkaSecurity = {
  ...ingress,
  sasl: {
    mechanism: env.KAFKA_SASL_MECHANISM,
    username: ingress.sasl?.username ?? "ingress",
    password: "wrong",
  },
};

// The run's command topic, and one of its own under the same prefixed ACL (payment.commands.) that
// only this test writes to, so that what landed can be counted exactly.
const COMMAND_TOPIC = process.env.COMMAND_TOPIC ?? "payment.commands.v1";
const ACL_TOPIC = `payment.commands.acl-${randomUUID().slice(0, 8)}.v1`;
const admin = createAdmin(testKafka("test-kafka-acl-admin"));

/** Connects as `security` and sends one command-shaped record; resolves with the error, if any. */
async function produceAs(security: KafkaSecurity, topic: string): Promise<{ code?: number } | null> {
  const settings: KafkaSettings = { brokers: stackEnv.kafkaBrokers, clientId: "test-kafka-acl", security };
  const producer = createProducer(settings, { deliveryTimeoutMs: 5_000 });
  try {
    await producer.connect();
    await producer.send({ topic, messages: [{ key: randomUUID(), value: "acl probe" }] });
    return null;
  } catch (err) {
    return err as { code?: number };
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/**
 * Reads ACL_TOPIC from the start as `security` in `groupId`. The client library only logs a consume
 * error (and retries), so its log lines are kept: they show why nothing arrives.
 */
function readAs(security: KafkaSecurity, groupId: string) {
  const seen = { records: 0, errors: [] as string[] };
  const logger = {
    error: (message: string) => seen.errors.push(message),
    warn: (message: string) => seen.errors.push(message),
    info: () => undefined,
    debug: () => undefined,
    namespace: () => logger,
    setLogLevel: () => undefined,
  };
  const settings = { brokers: stackEnv.kafkaBrokers, clientId: "test-kafka-acl-reader", security };
  const consumer = kafka(settings).consumer({ kafkaJS: { groupId, fromBeginning: true, logger } });
  const started = (async () => {
    await consumer.connect();
    await consumer.subscribe({ topics: [ACL_TOPIC] });
    await consumer.run({
      eachMessage: async () => {
        seen.records++;
      },
    });
  })();
  return { seen, started, stop: () => consumer.disconnect() };
}

const recordsIn = async (topic: string) =>
  (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);

beforeAll(async () => {
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: ACL_TOPIC, numPartitions: 1, replicationFactor: -1 }] });
});

afterAll(async () => {
  await admin.deleteTopics({ topics: [ACL_TOPIC] }).catch(() => undefined);
  await admin.disconnect();
});

describe("Kafka authentication and ACLs on the command topics", () => {
  it("let the ingress principal write a command", async () => {
    expect(await produceAs(ingress, ACL_TOPIC)).toBeNull();
    expect(await recordsIn(ACL_TOPIC)).toBe(1);
  });

  it.each([ACL_TOPIC, COMMAND_TOPIC])("refuse a producer that does not authenticate (%s)", async (topic) => {
    const err = await produceAs(unauthenticated, topic);
    expect(err).not.toBeNull();
    // The SASL listener drops a client that skips the handshake: librdkafka's broker transport failure.
    expect(err?.code).toBe(-195);
  });

  it("refuse the ingress user with a wrong password", async () => {
    const err = await produceAs(badPassword, ACL_TOPIC);
    expect(err).not.toBeNull();
    expect(err?.code).toBe(-195);
  }, 60_000);

  it.each([ACL_TOPIC, COMMAND_TOPIC])(
    "refuse the processor principal writing a command (%s)",
    async (topic) => {
      const err = await produceAs(processor, topic);
      expect(err?.code).toBe(29); // TOPIC_AUTHORIZATION_FAILED: authenticated, but no Write ACL
    },
  );

  it("let the processor principal read commands, and not the ingress principal", async () => {
    const run = randomUUID().slice(0, 8);
    const asProcessor = readAs(processor, `payment-processors-acl-${run}`);
    // A group the ingress may use (autopay's), so that only the topic ACL stands in the way.
    const asIngress = readAs(ingress, `payment-autopay-acl-${run}`);
    try {
      await Promise.all([asProcessor.started, asIngress.started]);
      await waitUntil(
        "the processor principal to read the command",
        () => asProcessor.seen.records === 1,
        30_000,
      );
      await waitUntil(
        "the broker to refuse the ingress principal's fetch",
        () => asIngress.seen.errors.some((e) => e.includes("Topic authorization failed")),
        30_000,
      );
      expect(asIngress.seen.records).toBe(0);
    } finally {
      await Promise.all([asProcessor.stop(), asIngress.stop()]);
    }
  });

  it("leave only the ingress principal's record on the topic", async () => {
    expect(await recordsIn(ACL_TOPIC)).toBe(1);
  });
});
