import type { Observations, Violation } from "./observations.ts";

/**
 * Every request got an answer, and no 5xx other than a 503 that says when to retry. The same bad
 * answer to the client's retries of one request counts once, with how often it came.
 */
export function checkHttpAnswers(o: Observations): Violation[] {
  const found = new Map<string, number>();
  for (const x of o.exchanges) {
    const what = `${x.label}: ${x.method} ${x.path}`;
    let detail: string | null = null;
    if (x.status === null) detail = `${what}: no answer (${x.error})`;
    else if (x.status >= 500 && !(x.status === 503 && x.retryAfter))
      detail = `${what}: ${x.status}${x.status === 503 ? " without Retry-After" : ""} ${brief(x.body)}`;
    if (detail) found.set(detail, (found.get(detail) ?? 0) + 1);
  }
  return [...found].map(([detail, n]) => ({ check: "http", detail: n > 1 ? `${detail} (×${n})` : detail }));
}

export function brief(body: unknown): string {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return (text ?? "").slice(0, 160);
}
