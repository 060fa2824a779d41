import { Gauge } from "prom-client";
import {
  type Admin,
  type Consumer,
  createAdmin,
  createOffsetReader,
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

/**
 * Partition ends as the admin reports them. Around a broker failure or a leader election it can report
 * -1 or -1001 for a partition without an error (its listOffsets drops per-partition errors): that read
 * fails rather than show a lag of 0 (or a spike).
 */
export function checkedEnds<E extends { partition: number; high: string; low: string }>(
  topic: string,
  ends: readonly E[],
): readonly E[] {
  const bad = ends.find((e) => !(Number(e.high) >= 0 && Number(e.low) >= 0));
  if (bad)
    throw new Error(`the ends of ${topic} partition ${bad.partition} are unknown (${bad.low}..${bad.high})`);
  return ends;
}

/**
 * A group's committed offsets as the consumer reports them: it gives a committed offset of 0 as null,
 * and a partition it could not read without its number (that read fails).
 */
export function committedOffsets(
  topic: string,
  committed: ReadonlyArray<{ partition?: number; offset: string | null }>,
): Array<{ partition: number; offset: string }> {
  return committed.map(({ partition, offset }) => {
    if (typeof partition !== "number") throw new Error(`the committed offsets of ${topic} are unknown`);
    return { partition, offset: offset ?? "0" };
  });
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
 * Exports the lag of `groups` as `kafka` (a principal allowed to describe those groups and topics)
 * sees it, read at most every `minIntervalMs` at scrape time. Partition ends come from an admin client;
 * committed offsets from a consumer per group that never subscribes (so never joins the group), not
 * from the admin's fetchOffsets: librdkafka's admin path for group offsets crashes the process when a
 * coordinator moves or a broker dies (deploy/librdkafka/README.md), its consumer path does not.
 */
export function watchConsumerGroupLag(
  kafka: KafkaSettings,
  groups: readonly WatchedGroup[],
  logger: Logger,
  minIntervalMs = 5_000,
): GroupLagWatch {
  const clients: Array<Admin | Consumer> = [];
  let latest: GroupLag[] | null = null;
  let connecting: Promise<{ admin: Admin; readers: Map<string, Consumer> }> | null = null;
  const connected = () => {
    connecting ??= (async () => {
      const admin = createAdmin(kafka);
      clients.push(admin);
      await admin.connect();
      const readers = new Map<string, Consumer>();
      for (const groupId of new Set(groups.map((g) => g.groupId))) {
        const reader = createOffsetReader(kafka, groupId);
        clients.push(reader);
        await reader.connect();
        readers.set(groupId, reader);
      }
      return { admin, readers };
    })().catch(async (err) => {
      connecting = null;
      await disconnectAll();
      throw err;
    });
    return connecting;
  };
  const disconnectAll = async () => {
    for (const client of clients.splice(0)) await client.disconnect().catch(() => undefined);
  };
  // One group at a time: `committed` blocks one of libuv's four worker threads (shared with fs, dns and
  // crypto) for as long as the coordinator does not answer.
  const read = sharedRead(async () => {
    const { admin, readers } = await connected();
    const lags: GroupLag[] = [];
    for (const g of groups) {
      const ends = checkedEnds(
        g.topic,
        await admin.fetchTopicOffsets(g.topic, {
          timeout: ADMIN_TIMEOUT_MS,
          isolationLevel: KAFKA_ISOLATION_LEVEL.READ_COMMITTED,
        }),
      );
      const reader = readers.get(g.groupId) as Consumer;
      const committed = await reader.committed(
        ends.map(({ partition }) => ({ topic: g.topic, partition })),
        ADMIN_TIMEOUT_MS,
      );
      lags.push({ ...g, partitions: partitionLags(ends, committedOffsets(g.topic, committed)) });
    }
    return lags;
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
      await disconnectAll();
    },
  };
}
