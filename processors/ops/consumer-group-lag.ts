import { Gauge } from "prom-client";
import {
  type Admin,
  createAdmin,
  KAFKA_ISOLATION_LEVEL,
  type KafkaSettings,
} from "../../core/infra/kafka.ts";
import type { Logger } from "../../core/infra/logger.ts";
import type { LagOf } from "./consumer-health.ts";
import { sharedRead } from "./shared-read.ts";

export interface WatchedGroup {
  groupId: string;
  topic: string;
}

interface GroupLag extends WatchedGroup {
  partitions: Array<{ partition: number; lag: number }>;
}

const ADMIN_TIMEOUT_MS = 3_000;

/**
 * Messages behind the end of each partition (high watermark minus the group's committed offset), as the
 * broker sees the group: it keeps growing while no member consumes, unlike a lag measured by the
 * consumer when it fetches. A partition the group never committed counts all it retains (the consumers
 * start from the beginning).
 */
export function partitionLags(
  ends: ReadonlyArray<{ partition: number; high: string; low: string }>,
  committed: ReadonlyArray<{ partition: number; offset: string }>,
): Array<{ partition: number; lag: number }> {
  const byPartition = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  return ends
    .map(({ partition, high, low }) => {
      const offset = byPartition.get(partition) ?? -1;
      const from = offset < 0 ? Number(low) : offset;
      return { partition, lag: Math.max(0, Number(high) - from) };
    })
    .sort((a, b) => a.partition - b.partition);
}

const monitors = new Set<() => Promise<GroupLag[]>>();

new Gauge({
  name: "kafka_consumer_group_lag",
  help: "Messages between a consumer group's committed offset and the end of the partition, per group, topic and partition (Kafka admin API)",
  labelNames: ["group", "topic", "partition"] as const,
  async collect() {
    const results = await Promise.all([...monitors].map((read) => read().catch(() => [])));
    this.reset();
    for (const { groupId, topic, partitions } of results.flat())
      for (const { partition, lag } of partitions)
        this.set({ group: groupId, topic, partition: String(partition) }, lag);
  },
});

export interface GroupLagWatch {
  /** Reads the lag now (at most every minIntervalMs); rejects when Kafka does not answer. */
  refresh(): Promise<void>;
  /** From the last read, undefined when it failed or the partition is not watched. */
  lagOf: LagOf;
  stop(): Promise<void>;
}

/**
 * Exports the lag of `groups` through one admin client of `kafka` (a principal allowed to describe
 * those groups and topics), read at most every `minIntervalMs` at scrape time.
 */
export function watchConsumerGroupLag(
  kafka: KafkaSettings,
  groups: readonly WatchedGroup[],
  logger: Logger,
  minIntervalMs = 5_000,
): GroupLagWatch {
  let admin: Admin | null = null;
  let latest: GroupLag[] | null = null;
  let connecting: Promise<Admin> | null = null;
  const connected = () => {
    connecting ??= (async () => {
      const client = createAdmin(kafka);
      await client.connect();
      admin = client;
      return client;
    })().catch((err) => {
      connecting = null;
      throw err;
    });
    return connecting;
  };
  const read = sharedRead(async () => {
    const client = await connected();
    return Promise.all(
      groups.map(async (g) => {
        const [ends, committed] = await Promise.all([
          client.fetchTopicOffsets(g.topic, {
            timeout: ADMIN_TIMEOUT_MS,
            isolationLevel: KAFKA_ISOLATION_LEVEL.READ_COMMITTED,
          }),
          client.fetchOffsets({ groupId: g.groupId, topics: [g.topic], timeout: ADMIN_TIMEOUT_MS }),
        ]);
        const offsets = committed.find((t) => t.topic === g.topic)?.partitions ?? [];
        return { ...g, partitions: partitionLags(ends, offsets) };
      }),
    );
  }, minIntervalMs);
  let warned = false;
  const monitor = () =>
    read().then(
      (lags) => {
        latest = lags;
        return lags;
      },
      (err: Error) => {
        latest = null;
        if (!warned) logger.warn({ err: err.message }, "consumer group lag unavailable");
        warned = true;
        throw err;
      },
    );
  monitors.add(monitor);
  return {
    refresh: () => monitor().then(() => undefined),
    lagOf: (groupId, topic, partition) =>
      latest
        ?.find((g) => g.groupId === groupId && g.topic === topic)
        ?.partitions.find((p) => p.partition === partition)?.lag,
    async stop() {
      monitors.delete(monitor);
      await connecting?.catch(() => null);
      await (admin as Admin | null)?.disconnect();
    },
  };
}
