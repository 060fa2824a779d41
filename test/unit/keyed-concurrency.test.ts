import { describe, expect, it } from "vitest";
import { forEachKeyInOrder } from "../../processors/keyed-concurrency.ts";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("forEachKeyInOrder", () => {
  it("keeps each key's order while running keys in parallel", async () => {
    const items = [
      { key: "a", n: 1 },
      { key: "b", n: 1 },
      { key: "a", n: 2 },
      { key: "b", n: 2 },
      { key: "a", n: 3 },
    ];
    const seen: string[] = [];
    let active = 0;
    let maxActive = 0;
    await forEachKeyInOrder(
      items,
      (i) => i.key,
      8,
      async (i) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await tick(i.key === "a" ? 5 : 1);
        seen.push(`${i.key}${i.n}`);
        active -= 1;
      },
    );
    expect(seen.filter((s) => s.startsWith("a"))).toEqual(["a1", "a2", "a3"]);
    expect(seen.filter((s) => s.startsWith("b"))).toEqual(["b1", "b2"]);
    expect(maxActive).toBe(2);
  });

  it("waits for every key before surfacing a failure", async () => {
    const done: string[] = [];
    const run = forEachKeyInOrder(
      ["x", "y"],
      (k) => k,
      2,
      async (k) => {
        if (k === "x") throw new Error("boom");
        await tick(20);
        done.push(k);
      },
    );
    await expect(run).rejects.toThrow("boom");
    expect(done).toEqual(["y"]);
  });
});
