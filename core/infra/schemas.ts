import type { AvroCodec } from "./avro-codec.ts";
import { COMMAND_SCHEMA_FILE, EVENT_SCHEMA_FILES, WEBHOOK_SCHEMA_FILE } from "./topics.ts";

/** Registers every schema this service writes; idempotent, so each process does it at start-up. */
export async function registerSchemas(
  codec: AvroCodec,
  topics: { COMMAND_TOPIC: string; WEBHOOK_TOPIC: string },
): Promise<void> {
  await codec.register(topics.COMMAND_TOPIC, COMMAND_SCHEMA_FILE);
  await codec.register(topics.WEBHOOK_TOPIC, WEBHOOK_SCHEMA_FILE);
  for (const [topic, file] of Object.entries(EVENT_SCHEMA_FILES)) {
    await codec.register(topic, file);
  }
}

export function serviceTopics(config: {
  COMMAND_TOPIC: string;
  COMMAND_DLQ_TOPIC: string;
  COMMAND_TOPIC_PARTITIONS: number;
  COMMAND_DLQ_TOPIC_PARTITIONS: number;
  ORDER_CREATED_TOPIC: string;
  WEBHOOK_TOPIC: string;
}) {
  return [
    { topic: config.ORDER_CREATED_TOPIC, numPartitions: config.COMMAND_TOPIC_PARTITIONS },
    { topic: config.COMMAND_TOPIC, numPartitions: config.COMMAND_TOPIC_PARTITIONS },
    { topic: config.WEBHOOK_TOPIC, numPartitions: config.COMMAND_TOPIC_PARTITIONS },
    { topic: config.COMMAND_DLQ_TOPIC, numPartitions: config.COMMAND_DLQ_TOPIC_PARTITIONS },
    ...Object.keys(EVENT_SCHEMA_FILES).map((topic) => ({
      topic,
      numPartitions: config.COMMAND_TOPIC_PARTITIONS,
    })),
  ];
}
