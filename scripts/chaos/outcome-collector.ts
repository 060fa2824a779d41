import { randomUUID } from "node:crypto";
import { AvroCodec } from "../../core/infra/avro-codec.ts";
import { headerString } from "../../core/infra/kafka.ts";
import { EVENT_TOPICS } from "../../core/infra/topics.ts";
import type { CampaignEnv } from "./campaign-env.ts";
import type { EventKind, SeenEvent } from "./checks/observations.ts";
import { quietConsumer } from "./kafka-clients.ts";

const KIND_BY_TOPIC = new Map<string, EventKind>(
  Object.entries(EVENT_TOPICS).map(([kind, topic]) => [topic, kind as EventKind]),
);

interface Raw {
  kind: EventKind;
  eventId: string | undefined;
  value: Buffer;
}

/**
 * Reads the outcome topics of the campaign's cluster for the whole campaign (one fresh group, from
 * the beginning), as a downstream consumer would; runs pick their payments out by key.
 */
export class OutcomeCollector {
  private readonly byKey = new Map<string, Raw[]>();
  private readonly ids = new Set<string>();
  private readonly codec: AvroCodec;
  private consumer: ReturnType<typeof quietConsumer> | null = null;

  constructor(private readonly e: CampaignEnv) {
    this.codec = new AvroCodec(e.registryUrl);
  }

  async start(): Promise<void> {
    this.consumer = quietConsumer(
      this.e.kafkaBootstrap,
      "chaos-outcomes",
      `chaos-outcomes-w4-${randomUUID()}`,
    );
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: Object.values(EVENT_TOPICS) });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const kind = KIND_BY_TOPIC.get(topic);
        if (!kind) return;
        const key = message.key?.toString() ?? "";
        const eventId = headerString(message.headers, "id");
        if (eventId) this.ids.add(eventId);
        const list = this.byKey.get(key) ?? [];
        list.push({ kind, eventId, value: message.value ?? Buffer.alloc(0) });
        this.byKey.set(key, list);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  hasEvent(id: string): boolean {
    return this.ids.has(id);
  }

  /** Every event seen for these payments, decoded through the registry. */
  async eventsOf(paymentIds: Iterable<string>): Promise<SeenEvent[]> {
    const seen: SeenEvent[] = [];
    for (const paymentId of paymentIds) {
      for (const raw of this.byKey.get(paymentId) ?? []) {
        const value = await this.codec.decode<Record<string, unknown>>(raw.value);
        seen.push({
          paymentId,
          eventId: raw.eventId,
          kind: raw.kind,
          refundId: typeof value.refund_id === "string" ? value.refund_id : null,
          sequence: sequenceOf(value),
        });
      }
    }
    return seen;
  }
}

/** The per-payment sequence, if the schema has the field (plain or as an Avro union). */
function sequenceOf(value: Record<string, unknown>): number | null {
  const raw = value.sequence;
  const unwrapped = raw !== null && typeof raw === "object" ? Object.values(raw as object)[0] : raw;
  if (typeof unwrapped === "number") return unwrapped;
  if (typeof unwrapped === "bigint") return Number(unwrapped);
  return null;
}
