import { brief } from "./http.ts";
import type { Observations, Violation } from "./observations.ts";

/** Deep equality of JSON values. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Refusals before the request could run leave no trace under the key (as at Stripe), so sending it
 * again runs it: http-ingress/middleware/idempotency.ts.
 */
const REFUSED_BEFORE_RUNNING = new Set([400, 404, 413, 415, 422]);

/**
 * A request re-sent with the same Idempotency-Key after the run settled returns the first answer
 * (status and body) and says it is a replay. A first 202 may become the eventual outcome instead,
 * including a 503 with Retry-After (the processor refused it, nothing was done).
 */
export function checkIdempotentReplays(o: Observations): Violation[] {
  const violations: Violation[] = [];
  for (const r of o.replays) {
    const add = (detail: string) => violations.push({ check: "replay", detail: `${r.label}: ${detail}` });
    const { first, again } = r;
    if (again.status === null) {
      add(`replay got no answer (${again.error})`);
      continue;
    }
    if (first.status !== null && REFUSED_BEFORE_RUNNING.has(first.status) && !again.replayed) continue;
    if (first.status === 202) {
      // A 202 is provisional: the replay gives the eventual outcome, or runs again when that outcome was
      // a processor's 503 (nothing done). A refusal with Retry-After is an answer; any other 5xx is not.
      const refusal = again.status === 503 && again.retryAfter !== null;
      if (again.status >= 500 && !refusal) add(`first 202, replay ${again.status} ${brief(again.body)}`);
      continue;
    }
    if (again.status !== first.status || !sameJson(first.body, again.body)) {
      add(`first ${first.status} ${brief(first.body)} / replay ${again.status} ${brief(again.body)}`);
    } else if (!again.replayed) {
      add(`replay ${again.status} without Idempotent-Replayed: the request ran again`);
    }
  }
  return violations;
}
