import type { KafkaMessage, Producer } from "../core/infra/kafka.ts";
import { dlqTotal } from "../core/infra/metrics.ts";
import { isSealed } from "../core/security/envelope.ts";
import { openText, sealText } from "../core/security/field-crypto.ts";

// The series exists from the start at 0, so the first dead letter is an increase a rule can see.
dlqTotal.inc({ reason: "malformed" }, 0);

export interface DeadLetterSource {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/**
 * Parks a message on the DLQ with the reason and its origin in headers. The value is sealed as it is
 * (`enc:v1:…` of its base64): a poison message may be an old command with a token, or an order with a
 * token, a customer id or a card number in the wrong field, and none of that may reach a disk in clear.
 * `openDeadLetterValue` gives the original bytes back to whoever holds the KEK.
 */
export async function deadLetter(
  producer: Producer,
  dlqTopic: string,
  source: DeadLetterSource,
  reason: string,
  detail: string,
): Promise<void> {
  dlqTotal.inc({ reason });
  const value = source.message.value;
  await producer.send({
    topic: dlqTopic,
    messages: [
      {
        key: source.message.key,
        value: value ? Buffer.from(sealText(value.toString("base64"))) : null,
        headers: {
          ...(source.message.headers ?? {}),
          dlq_reason: reason,
          dlq_error: detail.slice(0, 1000),
          dlq_source_topic: source.topic,
          dlq_source_partition: String(source.partition),
          dlq_source_offset: source.message.offset,
          dlq_at: new Date().toISOString(),
          dlq_value: "sealed",
        },
      },
    ],
  });
}

/** The original value of a dead letter; one written before sealing comes back as it is. */
export function openDeadLetterValue(value: Buffer | null | undefined): Buffer | null {
  if (!value) return null;
  const text = value.toString("utf8");
  return isSealed(text) ? Buffer.from(openText(text), "base64") : value;
}
