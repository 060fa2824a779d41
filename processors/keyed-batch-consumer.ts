import { type Consumer, createConsumer, type KafkaMessage, type KafkaSettings } from "../core/infra/kafka.ts";
import { batchDuration, batchSize, consumerLag } from "../core/infra/metrics.ts";
import { forEachKeyInOrder } from "./keyed-concurrency.ts";

export interface KeyedBatchConsumerOptions {
  kafka: KafkaSettings;
  topic: string;
  groupId: string;
  /** Keys of one batch handled at the same time. */
  concurrency: number;
  partitionsConcurrently: number;
  handle(topic: string, partition: number, message: KafkaMessage): Promise<void>;
}

/**
 * A batch is one partition's messages. Keys run in parallel, each key's messages in order. eachBatch
 * resolves only after every message was handled (committed to PostgreSQL, or dead-lettered), and only
 * then is the offset stored for commit. A throw redelivers the batch.
 */
export async function startKeyedBatchConsumer(o: KeyedBatchConsumerOptions): Promise<Consumer> {
  const consumer = createConsumer(o.kafka, o.groupId);
  await consumer.connect();
  await consumer.subscribe({ topics: [o.topic] });
  await consumer.run({
    partitionsConsumedConcurrently: o.partitionsConcurrently,
    eachBatch: async ({ batch }) => {
      const end = batchDuration.startTimer();
      batchSize.observe(batch.messages.length);
      consumerLag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag()));
      await forEachKeyInOrder(
        batch.messages,
        (m) => m.key?.toString() ?? "",
        o.concurrency,
        (m) => o.handle(batch.topic, batch.partition, m),
      );
      end();
    },
  });
  return consumer;
}
