import type { ConsumerActivity } from "../parallel-consumer/parallel-consumer.ts";

/** Messages behind on a partition as the broker last reported it; undefined when unknown. */
export type LagOf = (groupId: string, topic: string, partition: number) => number | undefined;

/**
 * Why a processor's consumers are stuck, if they are: one has work (messages in flight, or a lag on a
 * partition it holds) and has neither finished, retried nor fetched anything for `stallMs`. A consumer
 * with nothing to do is healthy however long it idles; so is one whose lag is unknown (Kafka out of
 * reach: a restart would not bring it back) unless messages it already fetched are stuck.
 */
export function stalledConsumers(
  consumers: readonly ConsumerActivity[],
  lagOf: LagOf,
  now: number,
  stallMs: number,
): string[] {
  return consumers.flatMap((c) => {
    const idleMs = now - c.lastActivityAt;
    if (idleMs < stallMs) return [];
    const lag = c.partitions.reduce((n, p) => n + (lagOf(c.groupId, c.topic, p) ?? 0), 0);
    if (c.inFlight === 0 && lag === 0) return [];
    return [
      `${c.topic} (${c.groupId}): ${c.inFlight} in flight, ${lag} behind, no progress for ${Math.round(idleMs / 1000)} s`,
    ];
  });
}
