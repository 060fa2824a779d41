import { createRequire } from "node:module";
import type { KafkaJS as KafkaJSTypes } from "@confluentinc/kafka-javascript";
import { type KafkaSecurity, rdkafkaSecurityProperties } from "./kafka-security.ts";

// The package is CommonJS with a native binding; load it through require so ESM interop stays simple.
const require = createRequire(import.meta.url);
const { KafkaJS } = require("@confluentinc/kafka-javascript") as { KafkaJS: typeof KafkaJSTypes };

export type Producer = KafkaJSTypes.Producer;
export type Consumer = KafkaJSTypes.Consumer;
export type Admin = KafkaJSTypes.Admin;
export type KafkaMessage = KafkaJSTypes.KafkaMessage;
export type IHeaders = KafkaJSTypes.IHeaders;

export interface KafkaSettings {
  brokers: string;
  clientId: string;
  /** Who the client authenticates as, over what (kafka-security.ts: kafkaSettingsFor / kafkaSecurityFor). */
  security: KafkaSecurity;
}

export function kafka(settings: KafkaSettings, logLevel: number = KafkaJS.logLevel.ERROR) {
  return new KafkaJS.Kafka({
    ...rdkafkaSecurityProperties(settings.security),
    kafkaJS: { brokers: settings.brokers.split(","), clientId: settings.clientId, logLevel },
  });
}

export const KAFKA_LOG_LEVEL = KafkaJS.logLevel;
export const KAFKA_ISOLATION_LEVEL = KafkaJS.IsolationLevel;

/**
 * Idempotent producer, acks from all in-sync replicas: a resolved send is durable and not duplicated by
 * retries. `deliveryTimeoutMs` bounds how long librdkafka keeps trying (message.timeout.ms, which also
 * caps the request timeout of a produce in flight): past it the delivery report fails and the message
 * is never sent later. Without it librdkafka keeps a message for 5 minutes, long after a caller was told
 * it failed.
 */
export function createProducer(
  settings: KafkaSettings,
  options: { deliveryTimeoutMs?: number } = {},
): Producer {
  const bounded =
    options.deliveryTimeoutMs === undefined ? {} : { "message.timeout.ms": options.deliveryTimeoutMs };
  return kafka(settings).producer({
    "linger.ms": 2,
    "compression.type": "lz4",
    ...bounded,
    kafkaJS: { idempotent: true, acks: -1 },
  });
}

/** What a failed send means for the message: surely not written, or maybe written. */
export type SendFailure = "not_sent" | "unknown";

// librdkafka errors after which the message is surely not in the log: it was refused before it was
// enqueued or sent, or the broker refused to append it. Anything else (a timeout while a request was in
// flight, a lost connection, a fatal idempotence error) may have been written.
const NOT_SENT_CODES = new Set([
  -184, // ERR__QUEUE_FULL: refused by produce(), never enqueued
  -188, // ERR__UNKNOWN_TOPIC
  -190, // ERR__UNKNOWN_PARTITION
  -152, // ERR__PURGE_QUEUE: purged before it was sent
  2, // ERR_INVALID_MSG (corrupt message)
  3, // ERR_UNKNOWN_TOPIC_OR_PART
  10, // ERR_MSG_SIZE_TOO_LARGE
  18, // ERR_RECORD_LIST_TOO_LARGE
  19, // ERR_NOT_ENOUGH_REPLICAS: refused before the append
  29, // ERR_TOPIC_AUTHORIZATION_FAILED
  31, // ERR_CLUSTER_AUTHORIZATION_FAILED
  87, // ERR_INVALID_RECORD
]);

export function classifySendFailure(err: unknown): SendFailure {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "number" && NOT_SENT_CODES.has(code) ? "not_sent" : "unknown";
}

/**
 * Offsets are stored only when eachBatch resolves (after the PostgreSQL commit) and committed by
 * librdkafka in the background; a crash redelivers at most the last interval, which handlers dedupe.
 */
export function createConsumer(
  settings: KafkaSettings,
  groupId: string,
  options: { fromBeginning?: boolean; maxBatchSize?: number } = {},
): Consumer {
  return kafka(settings).consumer({
    "js.consumer.max.batch.size": options.maxBatchSize ?? 64,
    "partition.assignment.strategy": "cooperative-sticky",
    kafkaJS: {
      groupId,
      fromBeginning: options.fromBeginning ?? true,
      autoCommit: true,
      autoCommitInterval: 500,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    },
  });
}

/**
 * A consumer of `groupId` that reads the group's committed offsets (`committed`) and nothing else: it
 * never subscribes, so it never joins the group, and never commits.
 */
export function createOffsetReader(settings: KafkaSettings, groupId: string): Consumer {
  return kafka(settings).consumer({ kafkaJS: { groupId, autoCommit: false } });
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** Called from the consumer's rebalance callback; the rebalance completes only once these resolve. */
export interface RebalanceListener {
  assigned(partitions: TopicPartition[]): void;
  /** `lost`: the group already gave the partitions away (session timeout), so nothing can be committed. */
  revoked(partitions: TopicPartition[], lost: boolean): Promise<void>;
}

const REVOKE_PARTITIONS = -174;

/**
 * A consumer that never commits on its own: the caller commits explicit offsets (commitOffsets with a
 * list). The library still stores each delivered batch's offset, but with auto-commit off nothing
 * commits stored offsets.
 */
export function createManualCommitConsumer(
  settings: KafkaSettings,
  groupId: string,
  listener: RebalanceListener,
  options: { maxBatchSize?: number } = {},
): Consumer {
  return kafka(settings).consumer({
    "js.consumer.max.batch.size": options.maxBatchSize ?? 64,
    "partition.assignment.strategy": "cooperative-sticky",
    rebalance_cb: async (
      err: { code: number },
      assignment: TopicPartition[],
      fns: { assignmentLost(): boolean },
    ) => {
      const partitions = assignment.map(({ topic, partition }) => ({ topic, partition }));
      if (err.code === REVOKE_PARTITIONS) await listener.revoked(partitions, fns.assignmentLost());
      else listener.assigned(partitions);
    },
    kafkaJS: {
      groupId,
      fromBeginning: true,
      autoCommit: false,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    },
  });
}

export function createAdmin(settings: KafkaSettings): Admin {
  return kafka(settings).admin();
}

/** Creates the missing topics; `replicationFactor` -1 (the default) is the broker's default.replication.factor. */
export async function ensureTopics(
  settings: KafkaSettings,
  topics: ReadonlyArray<{ topic: string; numPartitions: number }>,
  { replicationFactor = -1 }: { replicationFactor?: number } = {},
): Promise<void> {
  const admin = createAdmin(settings);
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing.map((t) => ({ ...t, replicationFactor })) }).catch((err) => {
        if (!String(err?.message ?? err).includes("already exists")) throw err;
      });
    }
  } finally {
    await admin.disconnect();
  }
}

export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
