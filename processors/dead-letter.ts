import type { KafkaMessage, Producer } from "../core/infra/kafka.ts";
import { dlqTotal } from "../core/infra/metrics.ts";

export interface DeadLetterSource {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/** Parks a message on the DLQ unchanged, with the reason and its origin in headers. */
export async function deadLetter(
  producer: Producer,
  dlqTopic: string,
  source: DeadLetterSource,
  reason: string,
  detail: string,
): Promise<void> {
  dlqTotal.inc({ reason });
  await producer.send({
    topic: dlqTopic,
    messages: [
      {
        key: source.message.key,
        value: source.message.value,
        headers: {
          ...(source.message.headers ?? {}),
          dlq_reason: reason,
          dlq_error: detail.slice(0, 1000),
          dlq_source_topic: source.topic,
          dlq_source_partition: String(source.partition),
          dlq_source_offset: source.message.offset,
          dlq_at: new Date().toISOString(),
        },
      },
    ],
  });
}
