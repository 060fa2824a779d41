import { describe, expect, it } from "vitest";
import { type LagOf, stalledConsumers } from "../../processors/ops/consumer-health.ts";
import type { ConsumerActivity } from "../../processors/parallel-consumer/parallel-consumer.ts";

const NOW = 1_000_000;
const STALL_MS = 120_000;
const consumer = (over: Partial<ConsumerActivity>): ConsumerActivity => ({
  topic: "payment.commands.v1",
  groupId: "payment-processors",
  lastActivityAt: NOW - 1_000,
  inFlight: 0,
  partitions: [0, 1],
  ...over,
});
const lags =
  (byPartition: Record<number, number>): LagOf =>
  (_group, _topic, partition) =>
    byPartition[partition];

describe("stalledConsumers", () => {
  it("passes a consumer that moved recently, whatever it holds", () => {
    expect(stalledConsumers([consumer({ inFlight: 50 })], lags({ 0: 900 }), NOW, STALL_MS)).toEqual([]);
  });

  it("passes a consumer idle for long with nothing in flight and no lag on its partitions", () => {
    const idle = consumer({ lastActivityAt: NOW - 3_600_000 });
    // Lag on a partition another pod holds is that pod's business.
    expect(stalledConsumers([idle], lags({ 0: 0, 1: 0, 7: 5_000 }), NOW, STALL_MS)).toEqual([]);
  });

  it("fails a consumer whose fetched messages have not moved for the stall timeout", () => {
    const stuck = consumer({ lastActivityAt: NOW - STALL_MS, inFlight: 3 });
    expect(stalledConsumers([stuck], lags({}), NOW, STALL_MS)).toEqual([
      "payment.commands.v1 (payment-processors): 3 in flight, 0 behind, no progress for 120 s",
    ]);
  });

  it("fails a consumer that stopped fetching while its partitions fill up", () => {
    const deaf = consumer({ lastActivityAt: NOW - 300_000 });
    expect(stalledConsumers([deaf], lags({ 0: 40, 1: 2 }), NOW, STALL_MS)).toEqual([
      "payment.commands.v1 (payment-processors): 0 in flight, 42 behind, no progress for 300 s",
    ]);
  });

  it("does not fail on an unknown lag (Kafka out of reach): a restart would not bring Kafka back", () => {
    const quiet = consumer({ lastActivityAt: NOW - 300_000 });
    expect(stalledConsumers([quiet], () => undefined, NOW, STALL_MS)).toEqual([]);
  });
});
