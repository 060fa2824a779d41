import { randomUUID } from "node:crypto";
import { AvroCodec } from "../../core/infra/avro-codec.ts";
import { type Consumer, createConsumer, headerString, type IHeaders } from "../../core/infra/kafka.ts";
import { EVENT_TOPICS } from "../../core/infra/topics.ts";
import { stackEnv, testKafka } from "./stack-env.ts";

export interface ReadEvent<T = Record<string, unknown>> {
  topic: string;
  key: string;
  eventId: string | undefined;
  headers: IHeaders;
  raw: Buffer;
  value: T;
}

interface RawEvent {
  topic: string;
  key: string;
  headers: IHeaders;
  raw: Buffer;
}

/**
 * Reads the outcome topics from Kafka (a fresh consumer group, from the beginning) and decodes values
 * through the schema registry, exactly as a downstream consumer would.
 */
export class EventLog {
  private readonly byKey = new Map<string, RawEvent[]>();
  private readonly codec = new AvroCodec(stackEnv.registryUrl);
  private consumer: Consumer | undefined;

  async start(topics: string[] = Object.values(EVENT_TOPICS)): Promise<void> {
    this.consumer = createConsumer(testKafka("test-event-log"), `test-event-log-${randomUUID()}`, {
      maxBatchSize: 500,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        const key = message.key?.toString() ?? "";
        const list = this.byKey.get(key) ?? [];
        list.push({ topic, key, headers: message.headers ?? {}, raw: message.value ?? Buffer.alloc(0) });
        this.byKey.set(key, list);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  /** Waits until `count` events for the payment are on `topic` (or any topic), then returns them decoded. */
  async waitFor<T = Record<string, unknown>>(
    paymentId: string,
    opts: { topic?: string; count?: number; timeoutMs?: number } = {},
  ): Promise<ReadEvent<T>[]> {
    const count = opts.count ?? 1;
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    for (;;) {
      const found = (this.byKey.get(paymentId) ?? []).filter((e) => !opts.topic || e.topic === opts.topic);
      if (found.length >= count) return Promise.all(found.map((e) => this.decode<T>(e)));
      if (Date.now() > deadline) {
        throw new Error(
          `waited ${opts.timeoutMs ?? 30_000} ms for ${count} event(s) of ${paymentId}${opts.topic ? ` on ${opts.topic}` : ""}; saw ${found.length}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Everything seen so far for a payment, without waiting. */
  async seen<T = Record<string, unknown>>(paymentId: string): Promise<ReadEvent<T>[]> {
    return Promise.all((this.byKey.get(paymentId) ?? []).map((e) => this.decode<T>(e)));
  }

  private async decode<T>(e: RawEvent): Promise<ReadEvent<T>> {
    return { ...e, eventId: headerString(e.headers, "id"), value: await this.codec.decode<T>(e.raw) };
  }
}
