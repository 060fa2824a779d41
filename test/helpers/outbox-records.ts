import { randomUUID } from "node:crypto";
import type pg from "pg";
import {
  type Consumer,
  createAdmin,
  createConsumer,
  ensureTopics,
  type IHeaders,
} from "../../core/infra/kafka.ts";
import type { OutboxEvent, OutboxRow } from "../../db/repositories/outbox-repo.ts";
import { findOutboxRows, insertOutboxEvents } from "../../db/repositories/outbox-repo.ts";
import { testKafka } from "./stack-env.ts";

/** Kafka Connect's REST API of the local stack (`CONNECT_PORT`, default 8083). */
export const connectUrl = process.env.CONNECT_URL ?? `http://127.0.0.1:${process.env.CONNECT_PORT ?? "8083"}`;
export const CONNECTOR_NAME = "payment-outbox";

/** One Kafka record exactly as a consumer sees it, plus where and when it arrived. */
export interface SeenRecord {
  topic: string;
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  /** Header values as the raw bytes on the wire (kafka-javascript reads a null value as an empty Buffer). */
  headers: Record<string, Buffer[]>;
  timestamp: number;
  receivedAt: number;
}

function rawHeaders(headers: IHeaders | undefined): Record<string, Buffer[]> {
  const out: Record<string, Buffer[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    out[name] = values
      .filter((v) => v !== undefined)
      .map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v))));
  }
  return out;
}

/** Header map as strings, the shape `toRecord` (processors/outbox-relay.ts) gives the producer. */
export function headerStrings(r: SeenRecord): Record<string, string> {
  return Object.fromEntries(
    Object.entries(r.headers).map(([k, v]) => [k, v.map((b) => b.toString("utf8")).join(",")]),
  );
}

/**
 * Creates the topics if needed (12 partitions, like the broker's auto-creation) and waits until every
 * partition has a leader. A consumer that subscribes to a topic before that only sees it after its next
 * metadata refresh (librdkafka: 5 minutes).
 */
export async function ensureReadyTopics(topics: readonly string[], timeoutMs = 30_000): Promise<void> {
  const settings = testKafka("test-outbox-topics");
  await ensureTopics(
    settings,
    topics.map((topic) => ({ topic, numPartitions: 12 })),
  );
  const admin = createAdmin(settings);
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const meta = await admin.fetchTopicMetadata({ topics: [...topics] }).catch(() => null);
      const ready =
        meta?.length === topics.length &&
        meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (ready) return;
      if (Date.now() > deadline)
        throw new Error(`topics ${topics.join(", ")} have no leader after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads topics from the beginning with a fresh consumer group and indexes every record by its `id`
 * header (the outbox event id). Each arrival is kept, so duplicates stay visible.
 */
export class RecordCollector {
  private readonly byId = new Map<string, SeenRecord[]>();
  private consumer: Consumer | undefined;
  private waiters: Array<() => void> = [];
  total = 0;

  constructor(private readonly topics: string[]) {}

  /** Subscribes and resolves once the group join assigned partitions of every topic. */
  async start(timeoutMs = 30_000): Promise<void> {
    await ensureReadyTopics(this.topics);
    this.consumer = createConsumer(testKafka("test-outbox-records"), `test-outbox-records-${randomUUID()}`, {
      maxBatchSize: 1000,
      fromBeginning: true,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const receivedAt = Date.now();
        const headers = rawHeaders(message.headers);
        const id = headers.id?.[0]?.toString("utf8");
        if (!id) return;
        const list = this.byId.get(id) ?? [];
        list.push({
          topic,
          partition,
          offset: BigInt(message.offset),
          key: message.key ?? null,
          value: message.value ?? null,
          headers,
          timestamp: Number(message.timestamp),
          receivedAt,
        });
        this.byId.set(id, list);
        this.total++;
        for (const w of this.waiters.splice(0)) w();
      },
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const assigned = new Set(this.assignment().map((a) => a.topic));
      if (this.topics.every((t) => assigned.has(t))) return;
      if (Date.now() > deadline)
        throw new Error(`consumer not assigned ${this.topics.join(", ")} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  /** Partitions currently assigned (empty until the group join completed). */
  assignment(): Array<{ topic: string; partition: number }> {
    return this.consumer?.assignment() ?? [];
  }

  records(id: string): SeenRecord[] {
    return this.byId.get(id) ?? [];
  }

  /** Resolves once every id has at least `count` records; rejects after the timeout naming what is missing. */
  async waitFor(ids: readonly string[], opts: { count?: number; timeoutMs?: number } = {}): Promise<void> {
    const count = opts.count ?? 1;
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    for (;;) {
      const missing = ids.filter((id) => this.records(id).length < count);
      if (missing.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          `${missing.length}/${ids.length} outbox events not seen on Kafka, e.g. ${missing.slice(0, 3).join(", ")}`,
        );
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/**
 * Inserts outbox rows in one transaction with the writer's own code; resolves after COMMIT.
 * `markPublished` ids get published_at set in the same transaction (so no running relay takes them).
 */
export async function insertOutbox(
  pool: pg.Pool,
  events: readonly OutboxEvent[],
  opts: { markPublished?: readonly string[] } = {},
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await insertOutboxEvents(client, events);
    if (opts.markPublished?.length) {
      await client.query("UPDATE payment_outbox SET published_at = now() WHERE id = ANY($1::uuid[])", [
        opts.markPublished,
      ]);
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** The rows as the relay reads them (`fetchUnpublished`'s shape), for `toRecord`. */
export function readOutboxRows(pool: pg.Pool, ids: readonly string[]): Promise<OutboxRow[]> {
  return findOutboxRows(pool, ids);
}

/**
 * "RUNNING RUNNING" when the connector (the outbox's unless named) and its task run; null if Connect
 * does not answer.
 */
export async function connectorState(name = CONNECTOR_NAME): Promise<string | null> {
  try {
    const res = await fetch(`${connectUrl}/connectors/${name}/status`, {
      signal: AbortSignal.timeout(2_000),
    });
    if (!res.ok) return `HTTP ${res.status}`;
    const s = (await res.json()) as { connector: { state: string }; tasks: Array<{ state: string }> };
    return [s.connector.state, ...s.tasks.map((t) => t.state)].join(" ");
  } catch {
    return null;
  }
}
