import type { Observations, Violation } from "./observations.ts";

/** Every request got an answer, and no 5xx other than a 503 that says when to retry. */
export function checkHttpAnswers(o: Observations): Violation[] {
  const violations: Violation[] = [];
  for (const x of o.exchanges) {
    const what = `${x.label}: ${x.method} ${x.path}`;
    if (x.status === null) violations.push({ check: "http", detail: `${what}: no answer (${x.error})` });
    else if (x.status >= 500 && !(x.status === 503 && x.retryAfter))
      violations.push({
        check: "http",
        detail: `${what}: ${x.status}${x.status === 503 ? " without Retry-After" : ""} ${brief(x.body)}`,
      });
  }
  return violations;
}

export function brief(body: unknown): string {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return (text ?? "").slice(0, 160);
}
