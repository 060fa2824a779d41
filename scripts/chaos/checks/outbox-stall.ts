import type { FaultOutcome } from "../faults.ts";
import type { Violation } from "./observations.ts";

/** A frozen relay leader must lose its lease within 10 s (issue 6, item 8), so events keep flowing. */
export const OUTBOX_STALL_LIMIT_MS = 10_000;
// Slack for the relay's poll interval and this campaign's 500 ms sampling.
const SLACK_MS = 2_000;

export function checkOutboxStalls(
  faults: Array<Pick<FaultOutcome, "detail" | "outboxStallMs">>,
): Violation[] {
  return faults
    .filter((f) => (f.outboxStallMs ?? 0) > OUTBOX_STALL_LIMIT_MS + SLACK_MS)
    .map((f) => ({
      check: "outbox",
      detail: `${f.detail}: the outbox stalled ${((f.outboxStallMs ?? 0) / 1000).toFixed(1)} s (a frozen leader must lose its lease within ${OUTBOX_STALL_LIMIT_MS / 1000} s)`,
    }));
}
