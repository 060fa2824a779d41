import { randomUUID } from "node:crypto";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimDueAttempts } from "../../db/repositories/attempts-repo.ts";
import { privateDatabase } from "../helpers/private-database.ts";

let db: { pool: pg.Pool; drop(): Promise<void> };
beforeAll(async () => {
  db = await privateDatabase("janitor_selection");
}, 60_000);
afterAll(() => db?.drop());

async function openAttempt(operation: string, status: string, dueSecondsAgo: number): Promise<string> {
  const paymentId = randomUUID();
  const attemptId = randomUUID();
  await db.pool.query(
    "INSERT INTO payment_index (payment_id, partition_key, order_id, merchant_id) VALUES ($1, current_date, 1, 'mer_tests')",
    [paymentId],
  );
  await db.pool.query(
    `INSERT INTO payment_attempts (attempt_id, payment_id, command_id, operation, psp, amount, currency, status,
       started_at, next_sync_at)
     VALUES ($1, $2, $3, $4, 'stripe', 1.00, 'USD', $5, now() - interval '2 hours',
       now() - make_interval(secs => $6))`,
    [attemptId, paymentId, randomUUID(), operation, status, dueSecondsAgo],
  );
  return attemptId;
}

describe("the janitor's selection of open attempts", () => {
  it("takes every operation, oldest due first, and 50 stuck captures cannot starve an authorization", async () => {
    const captures: string[] = [];
    for (let i = 0; i < 55; i++) captures.push(await openAttempt("capture", "unknown", 600 + i));
    const refund = await openAttempt("refund", "accepted", 30);
    const cancel = await openAttempt("cancel", "pending", 20);
    const authorize = await openAttempt("authorize", "unknown", 10);
    const parked = await openAttempt("authorize", "parked", 5);
    const notDue = await openAttempt("authorize", "unknown", -60);
    const closed = await openAttempt("authorize", "succeeded", 100);

    const first = await claimDueAttempts(db.pool, 50, 60_000);
    expect(first).toHaveLength(50);
    expect(new Set(first.map((a) => a.operation))).toEqual(new Set(["capture"]));
    // The claim pushed them out of the way: the next run sees the rest, whatever their operation.
    const second = await claimDueAttempts(db.pool, 50, 60_000);
    const ids = second.map((a) => a.attemptId);
    expect(ids).toHaveLength(9);
    expect(ids).toEqual(expect.arrayContaining([refund, cancel, authorize, parked]));
    expect(ids).not.toContain(notDue);
    expect(ids).not.toContain(closed);
    expect(await claimDueAttempts(db.pool, 50, 60_000)).toEqual([]);
  });

  it("lets two janitors share the work without taking the same attempt", async () => {
    const mine: string[] = [];
    for (let i = 0; i < 20; i++) mine.push(await openAttempt("refund", "unknown", 1));
    const [a, b] = await Promise.all([
      claimDueAttempts(db.pool, 15, 60_000),
      claimDueAttempts(db.pool, 15, 60_000),
    ]);
    const taken = [...a, ...b].map((x) => x.attemptId);
    expect(new Set(taken).size).toBe(taken.length);
    expect(new Set(taken)).toEqual(new Set(mine));
  });
});
