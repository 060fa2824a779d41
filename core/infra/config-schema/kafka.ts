import { z } from "zod";
import { kafkaSecurityEnvShape } from "../kafka-security.ts";
import { positiveInt, section, setting } from "./setting.ts";

export const kafkaSection = section({
  title: "Kafka and the schema registry",
  intro: "Topic names and partition counts: docs/adr (topics) and asyncapi.yaml.",
  shape: {
    KAFKA_BROKERS: setting(z.string().default("127.0.0.1:9092"), {
      description: "Bootstrap brokers, `host:port,host:port`.",
    }),
    KAFKA_CLIENT_ID: setting(z.string().default("payment-service"), {
      description: "client.id prefix of every Kafka client.",
    }),
    KAFKA_REPLICATION_FACTOR: setting(
      z.coerce
        .number()
        .int()
        .refine(
          (n) => n === -1 || n >= 1,
          "KAFKA_REPLICATION_FACTOR is -1 (the broker's default) or at least 1",
        )
        .default(-1),
      {
        description:
          "Replication factor of the topics the service creates when they are missing. -1: the broker's default.replication.factor (1 on the dev node, 3 on a cluster). Topics provisioned by an operator (Strimzi KafkaTopic) are left as they are.",
        type: "integer: -1 or ≥ 1",
      },
    ),
    SCHEMA_REGISTRY_URL: setting(z.string().url().default("http://127.0.0.1:8081/apis/ccompat/v7"), {
      description: "Confluent-compatible schema registry (Apicurio's ccompat API in the stack).",
      production: "must be https",
    }),
    COMMAND_TOPIC: setting(z.string().default("payment.commands.v1"), {
      description: "Payment commands, key payment_id.",
    }),
    COMMAND_DLQ_TOPIC: setting(z.string().default("payment.commands.dlq.v1"), {
      description: "Commands and webhook events that failed terminally, with reason headers.",
    }),
    COMMAND_TOPIC_PARTITIONS: setting(positiveInt.default(12), {
      description:
        "Partitions of the command, webhook, order.created and outcome-event topics the service creates: the ceiling on processor parallelism.",
    }),
    COMMAND_DLQ_TOPIC_PARTITIONS: setting(positiveInt.default(1), {
      description: "Partitions of the dead-letter topic the service creates.",
    }),
    PROCESSOR_GROUP_ID: setting(z.string().default("payment-processors"), {
      description: "Consumer group of the command consumers.",
    }),
    ORDER_CREATED_TOPIC: setting(z.string().default("order.created.v1"), {
      description: "Orders to pay automatically (autopay).",
    }),
    ORDER_GROUP_ID: setting(z.string().default("payment-autopay"), {
      description: "Consumer group of the autopay consumer.",
    }),
    AUTOPAY_MERCHANT_ID: setting(
      z
        .string()
        .regex(/^mer_[a-z0-9_]{1,60}$/)
        .default("mer_default"),
      { description: "The merchant autopay payments belong to (order.created names no merchant)." },
    ),
    WEBHOOK_TOPIC: setting(z.string().default("payment.webhooks.v1"), {
      description: "Verified PSP webhook events, from the ingress to the webhook processor.",
    }),
    WEBHOOK_GROUP_ID: setting(z.string().default("payment-webhooks"), {
      description: "Consumer group of the webhook consumers.",
    }),
  },
});

export const kafkaSecuritySection = section({
  title: "Kafka client security",
  intro:
    "One principal per role (deploy/kafka/acls.conf): ingress, processor, relay, admin (tools). Outside production an unset credential falls back to the local stack's DEV DEFAULT user of the role (core/infra/kafka-security.ts).",
  shape: kafkaSecurityEnvShape,
});

export const consumerSection = section({
  title: "Command and webhook consumers",
  intro:
    "processors/parallel-consumer: keys in parallel, each key in order, offsets committed after the PostgreSQL commit.",
  shape: {
    PROCESSOR_CONCURRENCY: setting(positiveInt.default(64), {
      description: "Handlers running at once (different keys).",
    }),
    PROCESSOR_DB_BATCHES: setting(positiveInt.default(4), {
      description:
        "Database batches of one kind in flight at once (group commits, intake reads, claims); commands reaching that step meanwhile wait and go in the next batch (db/natural-batches.ts). 1 gives the largest batches.",
    }),
    PROCESSOR_DB_BATCH_MAX: setting(positiveInt.default(32), {
      description: "Commands in one database batch at most.",
    }),
    PROCESSOR_MAX_IN_FLIGHT: setting(positiveInt.default(256), {
      description: "Messages fetched and not finished, in all; past it, partitions pause.",
    }),
    PROCESSOR_PARTITION_MAX_IN_FLIGHT: setting(positiveInt.default(128), {
      description: "Messages fetched and not finished, per partition; past it, that partition pauses.",
    }),
    PROCESSOR_REVOKE_TIMEOUT_MS: setting(positiveInt.default(10_000), {
      description:
        "How long a revoked partition's running handlers are waited for before the rebalance goes on.",
    }),
    PROCESSOR_COMMIT_INTERVAL_MS: setting(positiveInt.default(250), {
      description: "How often completed offsets are committed.",
    }),
    PROCESSOR_HANDLER_RETRIES: setting(positiveInt.default(4), {
      description:
        "In-process retries of a command or webhook handler that threw, before the error is classified (transient: redelivered with backoff; terminal: DLQ).",
    }),
    PROCESSOR_HANDLER_MIN_BACKOFF_MS: setting(positiveInt.default(100), {
      description: "First wait between those retries; it doubles each time.",
    }),
    PROCESSOR_HANDLER_MAX_BACKOFF_MS: setting(positiveInt.default(2_000), {
      description: "Longest wait between those retries.",
    }),
    PROCESSOR_REDELIVERY_MIN_BACKOFF_MS: setting(positiveInt.default(100), {
      description:
        "First wait before a message whose handler failed transiently runs again (its key stays blocked, other keys go on); it doubles each time.",
    }),
    PROCESSOR_REDELIVERY_MAX_BACKOFF_MS: setting(positiveInt.default(10_000), {
      description: "Longest wait before such a message runs again.",
    }),
  },
});
