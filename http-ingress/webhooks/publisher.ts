import type { AvroCodec } from "../../core/infra/avro-codec.ts";
import type { Producer } from "../../core/infra/kafka.ts";
import { encodeWebhookDelivery, type WebhookDelivery } from "../../core/infra/webhook-codec.ts";
import type { WebhookPublisher } from "./intake.ts";

/**
 * payment.webhooks.v1: key = our payment id when the event names it, else the PSP's reference; headers
 * `id` (the PSP event id), `eventType` and `traceparent`, as asyncapi.yaml documents.
 */
export class KafkaWebhookPublisher implements WebhookPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly codec: AvroCodec,
    private readonly topic: string,
    private readonly timeoutMs: number,
  ) {}

  async publish(deliveries: WebhookDelivery[], traceparent: string): Promise<void> {
    const sent = this.producer.send({
      topic: this.topic,
      messages: deliveries.map((d) => ({
        key: d.paymentId ?? d.event.pspReference,
        value: encodeWebhookDelivery(this.codec, this.topic, d),
        headers: { id: d.event.eventId, eventType: d.event.type, traceparent },
      })),
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no Kafka ack within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      await Promise.race([sent, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}
