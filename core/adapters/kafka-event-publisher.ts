import type { Producer } from "../infra/kafka.ts";
import type { EventPublisher, OutboundRecord } from "../ports/event-publisher.ts";

/** Sends with the idempotent, acks=all producer; resolves once the broker acknowledged every record. */
export class KafkaEventPublisher implements EventPublisher {
  constructor(private readonly producer: Producer) {}

  async publish(records: readonly OutboundRecord[]): Promise<void> {
    const byTopic = new Map<string, OutboundRecord[]>();
    for (const r of records) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
    await this.producer.sendBatch({
      topicMessages: [...byTopic].map(([topic, rs]) => ({
        topic,
        messages: rs.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
      })),
    });
  }
}
