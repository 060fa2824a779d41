import { describe, expect, it } from "vitest";
import { AdmissionControl } from "../../http-ingress/admission.ts";

/** A clock the test moves by hand, so each adaptation window is exact. */
function clocked(o: Partial<ConstructorParameters<typeof AdmissionControl>[0]> = {}) {
  let t = 0;
  const control = new AdmissionControl({
    targetMs: 100,
    minLimit: 4,
    maxLimit: 40,
    windowMs: 250,
    now: () => t,
    ...o,
  });
  return { control, advance: (ms: number) => (t += ms) };
}

/** A fast, unqueued window (baseline 20 ms: the target stays at its 100 ms floor), then slow ones. */
function driveDown(control: AdmissionControl, advance: (ms: number) => number) {
  const fast = control.tryEnter("new");
  advance(20);
  control.leave(fast as { started: number });
  advance(240);
  for (let i = 0; i < 12; i++) {
    const t = control.tryEnter("new");
    advance(300);
    control.leave(t as { started: number });
  }
}

describe("admission control", () => {
  it("admits new work up to the limit, work on existing payments up to twice that, and sheds the rest", () => {
    const { control } = clocked({ maxLimit: 3 });
    const tickets = [1, 2, 3].map(() => control.tryEnter("new"));
    expect(tickets.every((t) => t !== null)).toBe(true);
    expect(control.tryEnter("new")).toBeNull();
    expect(control.tryEnter("continuation")).not.toBeNull();
    expect(control.tryEnter("continuation")).not.toBeNull();
    expect(control.tryEnter("continuation")).not.toBeNull();
    expect(control.tryEnter("continuation")).toBeNull();
    expect(control.admitted).toBe(6);
  });

  it("frees a slot when an admitted request leaves", () => {
    const { control } = clocked({ maxLimit: 1 });
    const first = control.tryEnter("new");
    expect(first).not.toBeNull();
    expect(control.tryEnter("new")).toBeNull();
    control.leave(first as { started: number });
    expect(control.tryEnter("new")).not.toBeNull();
  });

  it("shrinks the limit while admitted requests are slower than the target, never below the minimum", () => {
    const { control, advance } = clocked();
    const limits: number[] = [];
    for (let window = 0; window < 3; window++) {
      const t = control.tryEnter("new");
      advance(260); // unqueued, at 260 ms: twice that is above the 100 ms floor of the target
      control.leave(t as { started: number });
    }
    expect(control.limit).toBe(40);
    for (let window = 0; window < 20; window++) {
      const t = control.tryEnter("new");
      advance(600); // each request takes 600 ms against a 520 ms target
      control.leave(t as { started: number });
      limits.push(control.limit);
    }
    expect(limits[0]).toBe(32); // 40 × 0.8
    expect(limits[1]).toBe(25);
    expect(Math.min(...limits)).toBe(4);
    expect(limits.at(-1)).toBe(4);
  });

  it("grows the limit again once latency is under target and the limit is what holds requests back", () => {
    const { control, advance } = clocked({ maxLimit: 40 });
    driveDown(control, advance);
    expect(control.limit).toBe(4);
    const seen = new Set<number>();
    for (let window = 0; window < 40; window++) {
      const first = control.tryEnter("new"); // rolls the window: the limit is final for this one
      const held = [first, ...Array.from({ length: control.limit - 1 }, () => control.tryEnter("new"))];
      expect(control.tryEnter("new")).toBeNull(); // the limit binds
      advance(50); // 50 ms against a 100 ms target
      for (const t of held) control.leave(t as { started: number });
      advance(200);
      seen.add(control.limit);
    }
    control.tryEnter("new");
    expect(control.limit).toBe(40);
    expect(seen.has(5)).toBe(true); // one step at a time at first: 4 + 1 + floor(4 / 20)
  });

  it("does not grow while the limit is not reached: idle capacity is no evidence", () => {
    const { control, advance } = clocked();
    driveDown(control, advance);
    const low = control.limit;
    for (let window = 0; window < 10; window++) {
      const t = control.tryEnter("new");
      advance(50);
      control.leave(t as { started: number });
      advance(200);
    }
    control.tryEnter("new");
    expect(control.limit).toBe(low);
  });
});
