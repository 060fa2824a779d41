import { errors } from "../../core/domain/errors.ts";
import type { Config } from "../../core/infra/config.ts";
import type { AppMiddleware } from "../context.ts";

interface Bucket {
  tokens: number;
  refilledAt: number;
}

const SWEEP_THRESHOLD = 10_000;
const EXEMPT = new Set(["/healthz", "/readyz", "/metrics"]);

/** The per-client budget of the config: INGRESS_RATE_LIMIT_PER_SEC, a burst of twice that unless set. */
export function clientRateLimit(
  config: Pick<Config, "INGRESS_RATE_LIMIT_PER_SEC" | "INGRESS_RATE_LIMIT_BURST">,
): { perSecond: number; burst: number } {
  const perSecond = config.INGRESS_RATE_LIMIT_PER_SEC;
  return { perSecond, burst: config.INGRESS_RATE_LIMIT_BURST ?? perSecond * 2 };
}

/** Token bucket per client IP, in memory: a guard against a runaway client, not a quota system. */
export function rateLimit(options: { perSecond: number; burst: number }): AppMiddleware {
  const buckets = new Map<string, Bucket>();
  return async (ctx, next) => {
    if (EXEMPT.has(ctx.path)) return next();
    const now = performance.now();
    const bucket = buckets.get(ctx.ip) ?? { tokens: options.burst, refilledAt: now };
    bucket.tokens = Math.min(
      options.burst,
      bucket.tokens + ((now - bucket.refilledAt) / 1000) * options.perSecond,
    );
    bucket.refilledAt = now;
    if (bucket.tokens < 1) {
      throw errors.rateLimited("Too many requests from this client", 1);
    }
    bucket.tokens -= 1;
    buckets.set(ctx.ip, bucket);
    if (buckets.size > SWEEP_THRESHOLD) sweep(buckets, now, options.burst / options.perSecond);
    return next();
  };
}

/** Forgets buckets that have refilled completely; they carry no information any more. */
function sweep(buckets: Map<string, Bucket>, now: number, refillSeconds: number): void {
  for (const [ip, bucket] of buckets) {
    if ((now - bucket.refilledAt) / 1000 > refillSeconds) buckets.delete(ip);
  }
}
