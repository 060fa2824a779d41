import { describe, expect, it } from "vitest";
import { PartitionOffsets } from "../../processors/parallel-consumer/partition-offsets.ts";

function fetched(...offsets: number[]): PartitionOffsets {
  const tracker = new PartitionOffsets();
  for (const o of offsets) expect(tracker.received(BigInt(o))).toBe(true);
  return tracker;
}

describe("PartitionOffsets", () => {
  it("commits up to the last contiguous finished message, plus one", () => {
    const t = fetched(10, 11, 12);
    expect(t.commitPoint()).toBeNull();
    t.complete(10n);
    expect(t.commitPoint()).toBe(11n);
    t.complete(11n);
    t.complete(12n);
    expect(t.commitPoint()).toBe(13n);
    expect(t.inFlight).toBe(0);
  });

  it("never commits past an unfinished message when later ones finish first", () => {
    const t = fetched(10, 11, 12, 13);
    t.complete(12n);
    t.complete(13n);
    t.complete(11n);
    expect(t.commitPoint()).toBeNull();
    expect(t.inFlight).toBe(4);
    t.complete(10n);
    expect(t.commitPoint()).toBe(14n);
  });

  it("follows the fetched sequence across offset gaps (compaction, transaction markers)", () => {
    const t = fetched(5, 8, 9);
    t.complete(5n);
    expect(t.commitPoint()).toBe(6n);
    t.complete(9n);
    expect(t.commitPoint()).toBe(6n);
    t.complete(8n);
    expect(t.commitPoint()).toBe(10n);
  });

  it("offers a commit point once, until more finishes", () => {
    const t = fetched(1, 2);
    t.complete(1n);
    t.markCommitted(2n);
    expect(t.commitPoint()).toBeNull();
    t.complete(2n);
    expect(t.commitPoint()).toBe(3n);
  });

  it("refuses a message it already tracks, so it is never run twice", () => {
    const t = fetched(1, 2);
    expect(t.received(2n)).toBe(false);
    expect(t.received(1n)).toBe(false);
    expect(t.received(3n)).toBe(true);
  });

  it("at revocation, leaves only the finished prefix committable", () => {
    const t = fetched(1, 2, 3, 4, 5);
    for (const o of [1n, 2n, 4n]) t.complete(o);
    // 3 is still running and 5 is queued when the partition is revoked: both go to the next owner.
    expect(t.commitPoint()).toBe(3n);
  });

  it("keeps its bookkeeping small over a long run", () => {
    const t = new PartitionOffsets();
    for (let o = 0n; o < 5_000n; o++) {
      t.received(o);
      t.complete(o);
    }
    expect(t.inFlight).toBe(0);
    expect(t.commitPoint()).toBe(5_000n);
  });
});
