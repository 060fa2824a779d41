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
 * chunks and spends them locally, so a busy key costs about twenty statements per second per process
 * instead of one per request. A chunk is twice what the process spent from its last one, between one
 * point and a twentieth of the budget: a process that sees a key rarely takes one point at a time, so
 * many quiet processes cannot use up a key's budget by holding chunks they never spend. The price: a
 * busy process can end a one-second window with part of a chunk unspent (docs/security.md).
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
  const maxChunk = Math.max(1, Math.floor(o.API_KEY_RATE_LIMIT_PER_SEC / 20));
  const leases = new Map<string, { left: number; spent: number; until: number }>();

  return {
    async perKey(keyId) {
      const now = Date.now();
      const lease = leases.get(keyId);
      if (lease && lease.until > now && lease.left > 0) {
        lease.left -= 1;
        lease.spent += 1;
        return;
      }
      const size = Math.min(maxChunk, Math.max(1, (lease?.spent ?? 0) * 2));
      const res = await consume(keyBudget, keyId, size, "Too many requests for this API key");
      leases.set(keyId, { left: size - 1, spent: 1, until: now + res.msBeforeNext });
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
