import { describe, expect, it } from "vitest";
import { flowDecision, type PartitionFlow } from "../../processors/parallel-consumer/flow-control.ts";

const bounds = { maxInFlight: 100, partitionMaxInFlight: 40 };
const partition = (id: string, inFlight: number, over: Partial<PartitionFlow> = {}): PartitionFlow => ({
  id,
  inFlight,
  paused: false,
  fetched: true,
  ...over,
});

describe("flowDecision", () => {
  it("pauses a partition that reaches its own bound, and only that one", () => {
    expect(flowDecision(bounds, [partition("a", 40), partition("b", 10)])).toEqual({
      pause: ["a"],
      resume: [],
    });
  });

  it("pauses every fetched partition when the global bound is reached", () => {
    const partitions = [partition("a", 35), partition("b", 35), partition("c", 30), partition("d", 0)];
    expect(flowDecision(bounds, partitions).pause).toEqual(["a", "b", "c", "d"]);
  });

  it("leaves a partition that has not fetched since its assignment to pause on its first batch", () => {
    const partitions = [partition("a", 100), partition("b", 0, { fetched: false })];
    expect(flowDecision(bounds, partitions).pause).toEqual(["a"]);
  });

  it("resumes only below both low-water marks, so it does not flap", () => {
    const paused = { paused: true };
    expect(flowDecision(bounds, [partition("a", 30, paused)]).resume).toEqual([]);
    expect(flowDecision(bounds, [partition("a", 20, paused)]).resume).toEqual(["a"]);
    const busyElsewhere = [partition("a", 5, paused), partition("b", 46)];
    expect(flowDecision(bounds, busyElsewhere).resume).toEqual([]);
  });
});
