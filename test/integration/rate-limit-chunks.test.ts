import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createPool } from "../../db/pool.ts";
import { rateLimitsFrom } from "../../http-ingress/rate-limits.ts";
import { stackEnv } from "../helpers/stack-env.ts";

const pool = createPool(stackEnv.databaseUrl, 4);
afterAll(() => pool.end());

const limits = {
  API_KEY_RATE_LIMIT_PER_SEC: 100,
  CONFIRM_VELOCITY_PER_TOKEN: 20,
  CONFIRM_VELOCITY_WINDOW_SEC: 3600,
};

describe("per-key budget shared by many ingress processes", () => {
  it("lets forty quiet processes serve one request each from a budget of 100/s", async () => {
    const keyId = `key_chunks_${randomUUID()}`;
    // One limiter per process, all on the same PostgreSQL counter, as forty ingress pods would be.
    const processes = Array.from({ length: 40 }, () => rateLimitsFrom(pool, limits));
    const answers = await Promise.allSettled(processes.map((p) => p.perKey(keyId)));
    expect(answers.filter((a) => a.status === "rejected")).toEqual([]);
  });
});
