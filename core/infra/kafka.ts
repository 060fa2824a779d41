import { createRequire } from "node:module";
import type { KafkaJS as KafkaJSTypes } from "@confluentinc/kafka-javascript";

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
}

function kafka(settings: KafkaSettings) {
  return new KafkaJS.Kafka({
    kafkaJS: {
      brokers: settings.brokers.split(","),
      clientId: settings.clientId,
      logLevel: KafkaJS.logLevel.ERROR,
    },
  });
}

/** Idempotent producer, acks from all in-sync replicas: a resolved send is durable and not duplicated by retries. */
export function createProducer(settings: KafkaSettings): Producer {
  return kafka(settings).producer({
    "linger.ms": 2,
    "compression.type": "lz4",
    kafkaJS: { idempotent: true, acks: -1 },
  });
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

export async function ensureTopics(
  settings: KafkaSettings,
  topics: ReadonlyArray<{ topic: string; numPartitions: number }>,
): Promise<void> {
  const admin = createAdmin(settings);
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      await admin
        .createTopics({ topics: missing.map((t) => ({ ...t, replicationFactor: 1 })) })
        .catch((err) => {
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
