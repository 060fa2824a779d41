/** Timings of the attempt lifecycle (ADR 0008), from config. */
export interface AttemptLifecycle {
  /** A pending attempt whose handler died is first looked at this long after it opened. */
  pendingCheckMs: number;
  /** First check of an attempt whose answer is unknown (timeout, 5xx): at most 60 s (issue PAY-05). */
  unknownCheckMs: number;
  /** Checks of an accepted attempt (refund pending, capture received) while its webhook is awaited. */
  acceptedCheckMs: number;
  /** A parked authorization is re-sent this often (about the breaker's reset time)… */
  parkRetryMs: number;
  /** …until this long after it was first parked; then the payment fails with psp_unavailable. */
  parkDeadlineMs: number;
  /** Longest pause between two checks of one attempt. */
  maxBackoffMs: number;
  /** An attempt still open after this many checks, or this long, goes to manual review. */
  reviewAfterChecks: number;
  reviewAfterMs: number;
}

/** Exponential backoff between janitor checks: base, 2·base, 4·base … capped. */
export function nextCheckMs(lifecycle: AttemptLifecycle, baseMs: number, checksSoFar: number): number {
  return Math.min(baseMs * 2 ** Math.min(checksSoFar, 20), lifecycle.maxBackoffMs);
}
