import { describe, expect, it } from "vitest";
import { mayRelease, mustHold } from "../../processors/parallel-consumer/flow-control.ts";

const bounds = { maxInFlight: 100, partitionMaxInFlight: 40 };

describe("fetch hold", () => {
  it("holds when the batch's partition reaches its own bound, with the total under its bound", () => {
    expect(mustHold(bounds, 50, 40)).toBe(true);
    expect(mustHold(bounds, 50, 39)).toBe(false);
  });

  it("holds when the total reaches the global bound, whatever the partition holds", () => {
    expect(mustHold(bounds, 100, 0)).toBe(true);
    expect(mustHold(bounds, 99, 0)).toBe(false);
  });

  it("releases only once both counts are back to half their bound", () => {
    expect(mayRelease(bounds, 51, 10)).toBe(false);
    expect(mayRelease(bounds, 50, 21)).toBe(false);
    expect(mayRelease(bounds, 50, 20)).toBe(true);
  });
});
