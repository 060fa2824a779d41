/** Requests this slow are always logged at info. */
const SLOW_SECONDS = 1;

/**
 * The level of a request's access log line: info for every error (4xx, 5xx), every slow request and
 * 1 in `sample` of the rest; debug for the others. The line costs a synchronous write per request at
 * info, a measurable share of the ingress's CPU under load (docs/benchmarks.md); the audit log keeps
 * every mutation regardless.
 */
export function accessLogSampler(sample: number): (status: number, seconds: number) => "info" | "debug" {
  let seen = 0;
  return (status, seconds) => {
    if (status >= 400 || seconds >= SLOW_SECONDS) return "info";
    seen = (seen + 1) % sample;
    return seen === 0 ? "info" : "debug";
  };
}
