import {
  type Consumer,
  createManualCommitConsumer,
  type KafkaMessage,
  type KafkaSettings,
  type TopicPartition,
} from "../../core/infra/kafka.ts";
import type { Logger } from "../../core/infra/logger.ts";
import {
  batchSize,
  consumerLag,
  handlerRetries,
  messageDuration,
  messagesInFlight,
  pausedPartitions,
} from "../../core/infra/metrics.ts";
import { mayRelease, mustHold } from "./flow-control.ts";
import { KeyOrderedScheduler } from "./key-ordered-scheduler.ts";
import type { ParallelConsumerLimits } from "./limits.ts";
import { PartitionOffsets } from "./partition-offsets.ts";

export interface ParallelConsumerOptions {
  kafka: KafkaSettings;
  topic: string;
  groupId: string;
  limits: ParallelConsumerLimits;
  logger: Logger;
  /** Resolves once the message is finished (committed to PostgreSQL, or dead-lettered); a throw retries it. */
  handle(topic: string, partition: number, message: KafkaMessage): Promise<void>;
}

export interface ParallelConsumer {
  stop(): Promise<void>;
  /** What the consumer holds and when it last moved, for the processor's health (processors/ops/consumer-health.ts). */
  activity(): ConsumerActivity;
}

export interface ConsumerActivity {
  topic: string;
  groupId: string;
  /** When a handler last finished or was scheduled for a retry, or a batch was fetched (Date.now()). */
  lastActivityAt: number;
  /** Messages fetched and not finished. */
  inFlight: number;
  /** The partitions assigned to this consumer. */
  partitions: number[];
}

interface Assigned extends TopicPartition {
  id: string;
  offsets: PartitionOffsets;
  revoked: boolean;
}

interface Job {
  owner: Assigned;
  message: KafkaMessage;
  offset: bigint;
  key: string;
  fetchedAt: number;
}

const partitionId = (tp: TopicPartition) => `${tp.topic}/${tp.partition}`;

/** The longest one hold of the fetch loop lasts before the library gets to poll again. */
const HOLD_SLICE_MS = 250;

/**
 * Fetching is decoupled from processing, as in Confluent's Parallel Consumer (key-ordered mode): fetched
 * messages go to key-ordered queues, so one slow message holds up only its own key, never its partition.
 * Offsets are committed per partition up to the last contiguous finished message. Backpressure holds the
 * fetch loop (flow-control.ts). A revoked partition starts nothing new, its running handlers are waited for (bounded), what
 * finished is committed and the rest is dropped, to be redelivered to the new owner.
 */
export async function startParallelConsumer(o: ParallelConsumerOptions): Promise<ParallelConsumer> {
  const log = o.logger.child({ topic: o.topic, group: o.groupId });
  const assigned = new Map<string, Assigned>();
  let stopping = false;
  let commitInFlight: Promise<void> = Promise.resolve();
  let lastActivityAt = Date.now();
  /** Set while the fetch loop is held: the batch's partition, and how to let the loop go on. */
  let hold: { owner: Assigned; release: () => void } | null = null;

  const scheduler = new KeyOrderedScheduler<Job>({
    concurrency: o.limits.concurrency,
    keyOf: (job) => job.key,
    isLive: (job) => !job.owner.revoked && !stopping,
    run: (job) => o.handle(job.owner.topic, job.owner.partition, job.message),
    onDone: (job) => {
      lastActivityAt = Date.now();
      job.owner.offsets.complete(job.offset);
      messageDuration.observe({ topic: o.topic }, (Date.now() - job.fetchedAt) / 1000);
      checkHold();
      updateGauges();
    },
    onRetry: (job, err, attempt, delayMs) => {
      // Failing and retrying (PostgreSQL down, say) is not being stuck: a restart would not help.
      lastActivityAt = Date.now();
      handlerRetries.inc({ topic: o.topic });
      log.warn(
        { err: (err as Error)?.message, partition: job.owner.partition, offset: job.message.offset, attempt },
        `message failed; retrying in ${delayMs} ms`,
      );
    },
    backoffMs: (attempt) => {
      const { minMs, maxMs } = o.limits.redeliveryBackoff;
      return Math.min(minMs * 2 ** (attempt - 1), maxMs);
    },
  });

  const consumer: Consumer = createManualCommitConsumer(o.kafka, o.groupId, {
    assigned(partitions) {
      // New partitions are new work: the stall clock starts now, not at the last message of an idle spell.
      lastActivityAt = Date.now();
      for (const tp of partitions) {
        const id = partitionId(tp);
        if (assigned.has(id)) continue;
        const offsets = new PartitionOffsets();
        assigned.set(id, { ...tp, id, offsets, revoked: false });
      }
    },
    async revoked(partitions, lost) {
      const gone = partitions.flatMap((tp) => assigned.get(partitionId(tp)) ?? []);
      for (const p of gone) {
        p.revoked = true;
        assigned.delete(p.id);
      }
      checkHold();
      scheduler.sweep();
      const mine = (job: Job) => gone.includes(job.owner);
      const drained = await scheduler.whenIdle(mine, lost ? 0 : o.limits.revokeTimeoutMs);
      if (!drained)
        log.warn({ partitions: gone.map((p) => p.partition), lost }, "revoked with handlers running");
      if (!lost) await commit(gone);
      updateGauges();
    },
  });

  /** Commits what became committable; one commit at a time, so offsets reach the broker in order. */
  function commit(partitions: Iterable<Assigned>): Promise<void> {
    const points = [...partitions].flatMap((p) => {
      const offset = p.offsets.commitPoint();
      return offset === null ? [] : [{ p, offset }];
    });
    if (points.length === 0) return commitInFlight;
    commitInFlight = commitInFlight.then(async () => {
      try {
        await consumer.commitOffsets(
          points.map(({ p, offset }) => ({ topic: p.topic, partition: p.partition, offset: String(offset) })),
        );
        for (const { p, offset } of points) p.offsets.markCommitted(offset);
      } catch (err) {
        log.warn({ err }, "offset commit failed; retrying on the next tick");
      }
    });
    return commitInFlight;
  }

  const totalInFlight = () => [...assigned.values()].reduce((n, p) => n + p.offsets.inFlight, 0);

  /** Lets a held fetch loop go on once the counts are low enough, or its partition is gone, or we stop. */
  function checkHold(): void {
    if (!hold) return;
    const { owner, release } = hold;
    if (stopping || owner.revoked || mayRelease(o.limits, totalInFlight(), owner.offsets.inFlight)) {
      hold = null;
      release();
    }
  }

  function updateGauges(): void {
    const partitions = [...assigned.values()];
    messagesInFlight.set(
      { topic: o.topic },
      partitions.reduce((n, p) => n + p.offsets.inFlight, 0),
    );
    pausedPartitions.set({ topic: o.topic }, hold ? partitions.length : 0);
  }

  await consumer.connect();
  await consumer.subscribe({ topics: [o.topic] });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const owner = assigned.get(partitionId(batch));
      // Not ours any more (or shutting down): never committed, so redelivered to whoever owns it.
      if (!owner || stopping) return;
      lastActivityAt = Date.now();
      batchSize.observe(batch.messages.length);
      consumerLag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag()));
      const fetchedAt = Date.now();
      for (const message of batch.messages) {
        const offset = BigInt(message.offset);
        if (!owner.offsets.received(offset)) continue;
        // A keyless message keeps its partition's order.
        const key = message.key?.toString() ?? `\u0000${owner.id}`;
        scheduler.push({ owner, message, offset, key, fetchedAt });
      }
      if (mustHold(o.limits, totalInFlight(), owner.offsets.inFlight)) {
        // No further batch (of any partition) until enough of what we hold has finished, or for one
        // slice at most: the library serves rebalances and heartbeats only between batches, so a hold
        // that outlasted slow handlers would keep a new member from ever getting its partitions. Each
        // slice lets at most one more batch in.
        await new Promise<void>((release) => {
          const entry = {
            owner,
            release: () => {
              clearTimeout(slice);
              release();
            },
          };
          const slice = setTimeout(() => {
            if (hold === entry) hold = null;
            release();
          }, HOLD_SLICE_MS);
          hold = entry;
          updateGauges();
          checkHold();
        });
      }
      updateGauges();
    },
  });
  const ticker = setInterval(() => void commit(assigned.values()), o.limits.commitIntervalMs);

  return {
    activity: () => {
      const partitions = [...assigned.values()];
      return {
        topic: o.topic,
        groupId: o.groupId,
        lastActivityAt,
        inFlight: partitions.reduce((n, p) => n + p.offsets.inFlight, 0),
        partitions: partitions.map((p) => p.partition).sort((a, b) => a - b),
      };
    },
    async stop() {
      clearInterval(ticker);
      stopping = true;
      checkHold();
      scheduler.sweep();
      const drained = await scheduler.whenIdle(() => true, o.limits.revokeTimeoutMs);
      if (!drained) log.warn("stopping with handlers still running");
      await commit(assigned.values());
      assigned.clear();
      await consumer.disconnect();
    },
  };
}
