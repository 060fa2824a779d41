import { describe, expect, it } from "vitest";
import {
  KeyOrderedScheduler,
  type SchedulerOptions,
} from "../../processors/parallel-consumer/key-ordered-scheduler.ts";

interface Item {
  key: string;
  n: number;
  live?: boolean;
}

/** A handler each test finishes by hand, recording what ran, in what order, and how many at once. */
function harness(over: Partial<SchedulerOptions<Item>> = {}) {
  const started: string[] = [];
  const done: string[] = [];
  const pending = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  let active = 0;
  let maxActive = 0;
  const name = (i: Item) => `${i.key}${i.n}`;
  const scheduler = new KeyOrderedScheduler<Item>({
    concurrency: 10,
    keyOf: (i) => i.key,
    isLive: (i) => i.live !== false,
    run: (i) => {
      started.push(name(i));
      active += 1;
      maxActive = Math.max(maxActive, active);
      return new Promise<void>((resolve, reject) => pending.set(name(i), { resolve, reject })).finally(() => {
        active -= 1;
      });
    },
    onDone: (i) => done.push(name(i)),
    onRetry: () => undefined,
    backoffMs: () => 5,
    ...over,
  });
  const settle = async (id: string, error?: Error) => {
    const p = pending.get(id);
    if (!p) throw new Error(`${id} is not running (running: ${[...pending.keys()]})`);
    pending.delete(id);
    if (error) p.reject(error);
    else p.resolve();
    await tick();
  };
  return { scheduler, started, done, settle, running: () => [...pending.keys()], maxActive: () => maxActive };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe("KeyOrderedScheduler", () => {
  it("runs one key's items one at a time in order, and different keys in parallel", async () => {
    const h = harness();
    for (const item of [
      { key: "a", n: 1 },
      { key: "b", n: 1 },
      { key: "a", n: 2 },
      { key: "c", n: 1 },
      { key: "a", n: 3 },
    ])
      h.scheduler.push(item);
    await tick();
    expect(h.running()).toEqual(["a1", "b1", "c1"]);
    await h.settle("b1");
    await h.settle("c1");
    expect(h.running()).toEqual(["a1"]);
    await h.settle("a1");
    await h.settle("a2");
    await h.settle("a3");
    expect(h.done).toEqual(["b1", "c1", "a1", "a2", "a3"]);
    expect(h.maxActive()).toBe(3);
  });

  it("lets a slow key hold up nobody else", async () => {
    const h = harness();
    h.scheduler.push({ key: "slow", n: 1 });
    for (let n = 1; n <= 5; n++) h.scheduler.push({ key: `fast${n}`, n });
    await tick();
    for (let n = 1; n <= 5; n++) await h.settle(`fast${n}${n}`);
    expect(h.done).toHaveLength(5);
    expect(h.running()).toEqual(["slow1"]);
  });

  it("never runs more than `concurrency` handlers, and starts waiting keys as slots free up", async () => {
    const h = harness({ concurrency: 2 });
    for (const key of ["a", "b", "c", "d"]) h.scheduler.push({ key, n: 1 });
    await tick();
    expect(h.running()).toEqual(["a1", "b1"]);
    await h.settle("b1");
    expect(h.running()).toEqual(["a1", "c1"]);
    await h.settle("a1");
    await h.settle("c1");
    await h.settle("d1");
    expect(h.maxActive()).toBe(2);
    expect(h.scheduler.size).toBe(0);
  });

  it("retries a failed item before anything behind it on its key, without blocking other keys", async () => {
    const retries: number[] = [];
    const h = harness({ onRetry: (_i, _e, attempt) => retries.push(attempt) });
    h.scheduler.push({ key: "a", n: 1 });
    h.scheduler.push({ key: "a", n: 2 });
    h.scheduler.push({ key: "b", n: 1 });
    await tick();
    await h.settle("a1", new Error("database down"));
    expect(h.running()).toEqual(["b1"]);
    await h.settle("b1");
    await tick(10);
    expect(h.running()).toEqual(["a1"]);
    await h.settle("a1", new Error("database still down"));
    await tick(10);
    await h.settle("a1");
    await h.settle("a2");
    expect(retries).toEqual([1, 2]);
    expect(h.started).toEqual(["a1", "b1", "a1", "a1", "a2"]);
    expect(h.done).toEqual(["b1", "a1", "a2"]);
  });

  it("starts nothing that is no longer live, and waits (bounded) for what is running", async () => {
    const h = harness();
    const revoked: Item = { key: "a", n: 1 };
    const queued: Item = { key: "a", n: 2 };
    h.scheduler.push(revoked);
    h.scheduler.push(queued);
    h.scheduler.push({ key: "b", n: 1 });
    await tick();
    revoked.live = false;
    queued.live = false;
    h.scheduler.sweep();
    const mine = (i: Item) => i.key === "a";
    expect(await h.scheduler.whenIdle(mine, 20)).toBe(false);
    const idle = h.scheduler.whenIdle(mine, 1_000);
    await h.settle("a1");
    expect(await idle).toBe(true);
    await tick();
    expect(h.started).not.toContain("a2");
    expect(h.running()).toEqual(["b1"]);
    expect(h.scheduler.size).toBe(1);
  });

  it("drops a failed item whose partition was revoked instead of retrying it", async () => {
    const h = harness();
    const item: Item = { key: "a", n: 1 };
    h.scheduler.push(item);
    await tick();
    item.live = false;
    await h.settle("a1", new Error("database down"));
    await tick(10);
    expect(h.started).toEqual(["a1"]);
    expect(h.done).toEqual([]);
    expect(h.scheduler.size).toBe(0);
  });
});
