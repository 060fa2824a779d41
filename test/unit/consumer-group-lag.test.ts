import { describe, expect, it } from "vitest";
import { checkedEnds, committedOffsets, partitionLags } from "../../processors/ops/consumer-group-lag.ts";

describe("consumer-group lag from partition ends and committed offsets", () => {
  const ends = [
    { partition: 1, high: "40", low: "10" },
    { partition: 0, high: "7", low: "0" },
  ];

  it("is the end minus the committed offset, and everything retained where the group never committed", () => {
    expect(partitionLags(ends, [{ partition: 1, offset: "35" }])).toEqual([
      { partition: 0, lag: 7 },
      { partition: 1, lag: 5 },
    ]);
    expect(partitionLags(ends, [{ partition: 1, offset: "-1001" }])).toEqual([
      { partition: 0, lag: 7 },
      { partition: 1, lag: 30 },
    ]);
  });

  it("takes the consumer's null as a committed offset of 0, not as 'never committed'", () => {
    const committed = committedOffsets("t", [
      { partition: 1, offset: null },
      { partition: 0, offset: "7" },
    ]);
    expect(committed).toEqual([
      { partition: 1, offset: "0" },
      { partition: 0, offset: "7" },
    ]);
    expect(partitionLags(ends, committed)).toEqual([
      { partition: 0, lag: 0 },
      { partition: 1, lag: 40 },
    ]);
  });

  it("fails the read when the consumer could not read a partition", () => {
    expect(() => committedOffsets("t", [{ offset: "3" }])).toThrow(/committed offsets of t are unknown/);
  });

  it.each([
    ["a high of -1", { partition: 2, high: "-1", low: "0" }],
    ["a low of -1001", { partition: 2, high: "5", low: "-1001" }],
  ])("fails the read on %s (a failed lookup reported as a number) instead of showing a lag", (_, bad) => {
    expect(checkedEnds("t", ends)).toBe(ends);
    expect(() => checkedEnds("t", [...ends, bad])).toThrow(/the ends of t partition 2 are unknown/);
  });
});
