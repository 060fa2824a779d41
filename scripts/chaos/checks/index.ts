import { checkOutcomeEvents } from "./events.ts";
import { checkHttpAnswers } from "./http.ts";
import type { Observations, Violation } from "./observations.ts";
import { checkPspAgainstLedger } from "./psp-ledger.ts";
import { checkIdempotentReplays } from "./replays.ts";
import { checkNothingUnresolved } from "./unresolved.ts";

export function runChecks(o: Observations): Violation[] {
  return [
    ...checkPspAgainstLedger(o),
    ...checkNothingUnresolved(o),
    ...checkOutcomeEvents(o),
    ...checkHttpAnswers(o),
    ...checkIdempotentReplays(o),
  ];
}
