import {
  type AutopayOrder,
  type Fault,
  type FaultKind,
  type PaymentScript,
  type PlanOptions,
  PSPS,
  type RunPlan,
  type Step,
} from "./plan-types.ts";
import { Prng } from "./prng.ts";

const CURRENCIES: ReadonlyArray<readonly [string, number]> = [
  ["USD", 6],
  ["EUR", 3],
  ["JPY", 1],
];

/** Everything a run does, from its seed alone: traffic, autopay orders and the fault schedule. */
export function buildPlan(seed: number, options: PlanOptions): RunPlan {
  const root = new Prng(seed);
  const processors = root.fork("processors").int(2, 3);
  const traffic = root.fork("payments");
  const payments = Array.from({ length: options.payments }, (_, i) => paymentScript(traffic, i, options));
  const orderRng = root.fork("orders");
  const orders = Array.from({ length: options.orders }, (_, i) => autopayOrder(orderRng, i, options));
  const faults = faultSchedule(root.fork("faults"), options, processors);
  return { seed, processors, trafficMs: options.trafficMs, payments, orders, faults };
}

function amountFor(rng: Prng): number {
  // Mostly below the fraud fallback limit (50 000 minor units), some above it.
  return rng.chance(0.85) ? rng.int(5, 400) * 100 + rng.int(0, 99) : rng.int(600, 1500) * 100;
}

function paymentScript(rng: Prng, index: number, o: PlanOptions): PaymentScript {
  const captureMethod = rng.chance(0.5) ? "manual" : "automatic";
  const amountMinor = amountFor(rng);
  const script: PaymentScript = {
    index,
    startMs: rng.int(0, Math.floor(o.trafficMs * 0.8)),
    psp: rng.pick(PSPS),
    currency: rng.weighted(CURRENCIES),
    amountMinor,
    captureMethod,
    token: rng.weighted(o.tokens),
    replayCreate: rng.chance(0.15),
    steps: [],
  };
  script.steps = stepsFor(rng, script);
  return script;
}

function step(rng: Prng, kind: Step["kind"], amountMinor: number | null = null): Step {
  return { kind, amountMinor, replay: rng.chance(0.15), twin: rng.chance(0.06), delayMs: rng.int(0, 1500) };
}

/** What a client does after creating the payment; some steps are meant to be refused (409). */
function stepsFor(rng: Prng, p: PaymentScript): Step[] {
  if (rng.chance(0.05)) return [step(rng, "cancel")];
  const steps = [step(rng, "confirm")];
  let captured = p.captureMethod === "automatic" ? p.amountMinor : 0;
  if (p.captureMethod === "manual") {
    const roll = rng.float();
    if (roll < 0.55) {
      captured = rng.chance(0.7) ? p.amountMinor : rng.int(1, p.amountMinor - 1);
      steps.push(step(rng, "capture", captured === p.amountMinor ? null : captured));
    } else if (roll < 0.8) {
      steps.push(step(rng, "cancel"));
    }
  } else if (rng.chance(0.08)) {
    steps.push(step(rng, "cancel"));
  }
  if (captured > 0 && rng.chance(0.5)) {
    const first = rng.chance(0.4) ? null : rng.int(1, captured);
    steps.push(step(rng, "refund", first));
    const left = first === null ? 0 : captured - first;
    if (rng.chance(0.3)) steps.push(step(rng, "refund", left > 0 && rng.chance(0.7) ? left : captured + 1));
  }
  return steps;
}

function autopayOrder(rng: Prng, index: number, o: PlanOptions): AutopayOrder {
  return {
    index,
    startMs: rng.int(0, Math.floor(o.trafficMs * 0.8)),
    psp: rng.chance(0.2) ? null : rng.pick(PSPS),
    currency: rng.weighted(CURRENCIES),
    amountMinor: amountFor(rng),
    token: rng.weighted(o.tokens),
    duplicate: rng.chance(0.25),
  };
}

/** Faults on one resource never overlap: one broker down at a time, one PostgreSQL restart, … */
export function resourceOf(f: Pick<Fault, "kind" | "target">): string {
  switch (f.kind) {
    case "processor-kill":
    case "processor-stop":
    case "relay-leader-kill":
    case "relay-leader-stop":
      return "processors";
    case "broker-kill":
      return "kafka";
    case "pg-restart":
      return "postgres";
    case "psp-stall":
    case "webhook-loss":
      return `psp:${String(f.target)}`;
    case "fraud-down":
      return "fraud";
  }
}

function faultOf(rng: Prng, kind: FaultKind, processors: number, brokers: number): Omit<Fault, "atMs"> {
  const base = { kind, target: null, mode: null } as Omit<Fault, "atMs">;
  switch (kind) {
    case "processor-kill":
      return { ...base, target: rng.int(0, processors - 1), durationMs: rng.int(1_000, 8_000) };
    case "processor-stop":
      return { ...base, target: rng.int(0, processors - 1), durationMs: rng.int(2_000, 15_000) };
    case "relay-leader-kill":
      return { ...base, durationMs: rng.int(1_000, 8_000) };
    case "relay-leader-stop":
      // Often longer than the 10 s within which a frozen leader must lose its lease (issue 6, item 8).
      return { ...base, durationMs: rng.int(5_000, 20_000) };
    case "broker-kill":
      return { ...base, target: rng.int(1, brokers), durationMs: rng.int(3_000, 15_000) };
    case "pg-restart":
      return { ...base, mode: rng.chance(0.5) ? "fast" : "immediate", durationMs: rng.int(500, 5_000) };
    case "psp-stall":
      return { ...base, target: rng.pick(PSPS), durationMs: rng.int(2_000, 8_000) };
    case "fraud-down":
      return { ...base, durationMs: rng.int(2_000, 10_000) };
    case "webhook-loss":
      return { ...base, target: rng.pick(PSPS), durationMs: rng.int(3_000, 15_000) };
  }
}

export function faultSchedule(rng: Prng, o: PlanOptions, processors: number): Fault[] {
  if (o.faultKinds.length === 0) return [];
  const count = rng.int(o.faults.min, o.faults.max);
  const faults: Fault[] = [];
  for (let i = 0; i < count; i++) {
    const fault = faultOf(rng, rng.pick(o.faultKinds), processors, o.brokers);
    let atMs = rng.int(500, Math.max(500, o.trafficMs - 2_000));
    // Pushed past any fault already planned on the same resource (atMs only grows, so this ends).
    for (;;) {
      const clash = faults.find(
        (other) =>
          resourceOf(other) === resourceOf(fault) &&
          atMs < other.atMs + other.durationMs + 1_000 &&
          other.atMs < atMs + fault.durationMs + 1_000,
      );
      if (!clash) break;
      atMs = clash.atMs + clash.durationMs + 1_000;
    }
    faults.push({ ...fault, atMs });
  }
  return faults.sort((a, b) => a.atMs - b.atMs);
}

/** "broker-kill(2)@3.1s/8.0s": the schedule as printed in a run's line. */
export function describeFault(f: Fault): string {
  const detail = f.kind === "pg-restart" ? f.mode : f.target;
  const target = detail === null ? "" : `(${detail})`;
  return `${f.kind}${target}@${(f.atMs / 1000).toFixed(1)}s/${(f.durationMs / 1000).toFixed(1)}s`;
}
