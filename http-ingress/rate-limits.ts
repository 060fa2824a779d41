import { createHash } from "node:crypto";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { errors } from "../core/domain/errors.ts";
import type { Config } from "../core/infra/config.ts";
import type { Pool } from "../db/pool.ts";

export interface RateLimits {
  /** Throws 429 (with Retry-After seconds on the error) when the key spent its budget. */
  perKey(keyId: string): Promise<void>;
  /** Throws 429 when this token was confirmed too often lately for this merchant. */
  confirmVelocity(merchantId: string, token: string): Promise<void>;
}

/**
 * Per-key budgets in PostgreSQL, so they hold across ingress processes. A process takes points in
 * chunks (a twentieth of the budget) and spends them locally, so a busy key costs about twenty
 * statements per second per process instead of one per request; the price is that a process may
 * sit on an unspent chunk when the window turns (docs/security.md).
 */
export function rateLimitsFrom(
  pool: Pool,
  o: Pick<
    Config,
    "API_KEY_RATE_LIMIT_PER_SEC" | "CONFIRM_VELOCITY_PER_TOKEN" | "CONFIRM_VELOCITY_WINDOW_SEC"
  >,
): RateLimits {
  const store = {
    storeClient: pool,
    tableName: "rate_limits",
    tableCreated: true,
    clearExpiredByTimeout: true,
  };
  const keyBudget = new RateLimiterPostgres({
    ...store,
    keyPrefix: "key",
    points: o.API_KEY_RATE_LIMIT_PER_SEC,
    duration: 1,
  });
  const velocity = new RateLimiterPostgres({
    ...store,
    keyPrefix: "confirm_token",
    points: o.CONFIRM_VELOCITY_PER_TOKEN,
    duration: o.CONFIRM_VELOCITY_WINDOW_SEC,
  });
  const chunk = Math.max(1, Math.floor(o.API_KEY_RATE_LIMIT_PER_SEC / 20));
  const leases = new Map<string, { points: number; until: number }>();

  return {
    async perKey(keyId) {
      const now = Date.now();
      const lease = leases.get(keyId);
      if (lease && lease.until > now && lease.points > 0) {
        lease.points -= 1;
        return;
      }
      const res = await consume(keyBudget, keyId, chunk, "Too many requests for this API key");
      leases.set(keyId, { points: chunk - 1, until: now + res.msBeforeNext });
    },
    async confirmVelocity(merchantId, token) {
      const digest = createHash("sha256").update(token).digest("hex");
      await consume(
        velocity,
        `${merchantId}:${digest}`,
        1,
        "Too many confirmations with this payment method",
      );
    },
  };
}

async function consume(limiter: RateLimiterPostgres, key: string, points: number, message: string) {
  try {
    return await limiter.consume(key, points);
  } catch (err) {
    if (err instanceof RateLimiterRes)
      throw errors.rateLimited(message, Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
    throw err;
  }
}
