import { describe, expect, it } from "vitest";
import { parseArgs } from "../../scripts/chaos/args.ts";
import { buildPlan, describeFault, faultSchedule, resourceOf } from "../../scripts/chaos/plan.ts";
import { FAULT_KINDS, type PlanOptions } from "../../scripts/chaos/plan-types.ts";
import { Prng } from "../../scripts/chaos/prng.ts";
import { campaignTokens } from "../../scripts/chaos/tokens.ts";

const options: PlanOptions = {
  payments: 16,
  orders: 4,
  trafficMs: 25_000,
  faults: { min: 2, max: 4 },
  faultKinds: FAULT_KINDS,
  tokens: campaignTokens(false),
  brokers: 3,
};

describe("Prng", () => {
  it("gives the same sequence for the same seed and another for another seed", () => {
    const draw = (seed: number) =>
      Array.from(
        { length: 8 },
        (
          (rng) => () =>
            rng.nextUint32()
        )(new Prng(seed)),
      );
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it("keeps int() within its bounds, both ends reachable", () => {
    const rng = new Prng(1);
    const seen = new Set(Array.from({ length: 500 }, () => rng.int(3, 6)));
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
  });

  it("derives a fork from the seed alone, not from draws made before", () => {
    const a = new Prng(42);
    const b = new Prng(42);
    b.nextUint32();
    b.float();
    expect(a.fork("faults").nextUint32()).toBe(b.fork("faults").nextUint32());
    expect(a.fork("faults").nextUint32()).not.toBe(a.fork("orders").nextUint32());
  });

  it("honours weights: a zero weight is never picked", () => {
    const rng = new Prng(3);
    const picks = Array.from({ length: 300 }, () =>
      rng.weighted([
        ["a", 1],
        ["never", 0],
        ["b", 3],
      ] as const),
    );
    expect(picks).not.toContain("never");
    expect(picks.filter((p) => p === "b").length).toBeGreaterThan(picks.filter((p) => p === "a").length);
  });
});

describe("buildPlan", () => {
  it("is a function of the seed: same seed, same plan", () => {
    expect(buildPlan(11, options)).toEqual(buildPlan(11, options));
    expect(buildPlan(11, options)).not.toEqual(buildPlan(12, options));
  });

  it("draws traffic independently of the fault options", () => {
    const without = buildPlan(5, { ...options, faultKinds: [] });
    const withFaults = buildPlan(5, options);
    expect(without.payments).toEqual(withFaults.payments);
    expect(without.faults).toEqual([]);
  });

  it("plans between 2 and 3 processors, the requested traffic, and fault counts within range", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const plan = buildPlan(seed, options);
      expect(plan.processors).toBeGreaterThanOrEqual(2);
      expect(plan.processors).toBeLessThanOrEqual(3);
      expect(plan.payments).toHaveLength(16);
      expect(plan.orders).toHaveLength(4);
      expect(plan.faults.length).toBeGreaterThanOrEqual(2);
      expect(plan.faults.length).toBeLessThanOrEqual(4);
    }
  });

  it("never refunds or captures more than it could, except the one deliberate over-refund", () => {
    for (let seed = 1; seed <= 50; seed++) {
      for (const p of buildPlan(seed, options).payments) {
        for (const s of p.steps) {
          if (s.kind === "capture" && s.amountMinor !== null)
            expect(s.amountMinor).toBeLessThan(p.amountMinor);
          if (s.kind === "refund" && s.amountMinor !== null)
            expect(s.amountMinor).toBeLessThanOrEqual(p.amountMinor + 1);
        }
        expect(p.steps.filter((s) => s.kind === "refund").length).toBeLessThanOrEqual(2);
      }
    }
  });
});

describe("faultSchedule", () => {
  it("never overlaps two faults on one resource (one broker down at a time, one PostgreSQL restart)", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const faults = faultSchedule(new Prng(seed), { ...options, faults: { min: 6, max: 8 } }, 3);
      for (const [i, a] of faults.entries()) {
        for (const b of faults.slice(i + 1)) {
          if (resourceOf(a) !== resourceOf(b)) continue;
          const apart = b.atMs >= a.atMs + a.durationMs || a.atMs >= b.atMs + b.durationMs;
          expect(apart, `${describeFault(a)} / ${describeFault(b)}`).toBe(true);
        }
      }
    }
  });

  it("targets existing processors and brokers", () => {
    for (let seed = 1; seed <= 100; seed++) {
      for (const f of faultSchedule(new Prng(seed), { ...options, faults: { min: 4, max: 4 } }, 2)) {
        if (f.kind === "processor-kill" || f.kind === "processor-stop") expect([0, 1]).toContain(f.target);
        if (f.kind === "broker-kill") expect([1, 2, 3]).toContain(f.target);
        if (f.kind === "pg-restart") expect(["fast", "immediate"]).toContain(f.mode);
      }
    }
  });

  it("prints a fault with its target, start and duration", () => {
    expect(
      describeFault({ kind: "broker-kill", atMs: 3_100, durationMs: 8_000, target: 2, mode: null }),
    ).toBe("broker-kill(2)@3.1s/8.0s");
    expect(
      describeFault({ kind: "pg-restart", atMs: 500, durationMs: 1_000, target: null, mode: "immediate" }),
    ).toBe("pg-restart(immediate)@0.5s/1.0s");
  });
});

describe("parseArgs", () => {
  it("reads seed, runs and ranges", () => {
    const a = parseArgs(["--seed=9", "--runs=3", "--faults=1..2", "--fault-kinds=broker-kill,pg-restart"]);
    expect(a).toMatchObject({
      seed: 9,
      runs: 3,
      faults: { min: 1, max: 2 },
      faultKinds: ["broker-kill", "pg-restart"],
    });
  });

  it("refuses unknown arguments and fault kinds", () => {
    expect(() => parseArgs(["--sede=1"])).toThrow(/unknown argument/);
    expect(() => parseArgs(["--fault-kinds=meteor"])).toThrow(/unknown fault kind/);
    expect(() => parseArgs(["--faults=3..1"])).toThrow(/empty range/);
  });
});
