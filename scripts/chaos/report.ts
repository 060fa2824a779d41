import type { Violation } from "./checks/observations.ts";
import type { FaultOutcome } from "./faults.ts";
import { describeFault } from "./plan.ts";
import type { RunPlan } from "./plan-types.ts";
import type { DbBatches } from "./service.ts";
import { isFaultToken } from "./tokens.ts";

export interface RunResult {
  seed: number;
  tag: string;
  plan: RunPlan;
  durationMs: number;
  faults: FaultOutcome[];
  ops: { requests: number; orders: number; replays: number };
  /** The live processors' database batches at the end of the traffic (ADR 0013 §9). */
  dbBatches?: DbBatches;
  violations: Violation[];
}

export const passed = (r: RunResult) => r.violations.length === 0;

function countBy<T>(items: T[], key: (item: T) => string): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k}:${n}`).join(",");
}

/** The run's one line: seed, verdict, time, faults injected, operations, violations by check. */
export function runLine(r: RunResult): string {
  const tokens = [...r.plan.payments.map((p) => p.token), ...r.plan.orders.map((o) => o.token)]
    .filter(isFaultToken)
    .map((t) => t.replace(/^pm_sim_/, ""));
  const faults = r.plan.faults.map(describeFault).join(" ");
  const verdict = passed(r) ? "PASS" : "FAIL";
  const violations = passed(r) ? "0" : `${r.violations.length} (${countBy(r.violations, (v) => v.check)})`;
  return [
    `seed=${r.seed} ${verdict} ${(r.durationMs / 1000).toFixed(0)}s processors=${r.plan.processors}`,
    `faults=[${faults}]`,
    `psp-faults=[${countBy(tokens, (t) => t)}]`,
    `ops=${r.ops.requests} http, ${r.ops.orders} orders, ${r.ops.replays} replays`,
    `db-batches=[${Object.entries(r.dbBatches ?? {})
      .map(([kind, b]) => `${kind}:${b.shared}/${b.batches} shared,${b.commands} cmds`)
      .join(" ")}]`,
    `violations=${violations}`,
  ].join(" ");
}

/** One line per violation, for the log; the first `limit` of them. */
export function violationLines(r: RunResult, limit = 40): string[] {
  const lines = r.violations
    .slice(0, limit)
    .map((v) => `  seed=${r.seed} ${v.check}${v.paymentId ? ` ${v.paymentId}` : ""}: ${v.detail}`);
  if (r.violations.length > limit) lines.push(`  seed=${r.seed} … ${r.violations.length - limit} more`);
  return lines;
}

export const summaryLine = (results: RunResult[]) =>
  `${results.filter(passed).length} passed, ${results.filter((r) => !passed(r)).length} failed`;
