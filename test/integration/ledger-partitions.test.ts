import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { closeTestDb, testDb } from "../helpers/db.ts";

const insert = async (paymentId: string, partitionKey: string) => {
  const db = testDb();
  await db.query(
    "INSERT INTO payment_index (payment_id, partition_key, order_id, merchant_id) VALUES ($1, $2, 1, 'mer_tests')",
    [paymentId, partitionKey],
  );
  await db.query(
    `INSERT INTO payments (payment_id, partition_key, order_id, amount, currency, status, capture_method, psp, merchant_id)
     VALUES ($1, $2, 1, 12.34, 'USD', 'requires_confirmation', 'automatic', 'stripe', 'mer_tests')`,
    [paymentId, partitionKey],
  );
  const { rows } = await db.query(
    "SELECT tableoid::regclass::text AS part FROM payments WHERE payment_id = $1",
    [paymentId],
  );
  return rows[0].part as string;
};

function monthBoundary(): { lastDay: string; firstDay: string } {
  const now = new Date();
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const last = new Date(first.getTime() - 86_400_000);
  return { lastDay: last.toISOString().slice(0, 10), firstDay: first.toISOString().slice(0, 10) };
}

afterAll(closeTestDb);

describe("payments ledger partitions", () => {
  it("has monthly partitions for at least the next 3 months", async () => {
    const { rows } = await testDb().query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'payments'::regclass ORDER BY 1`,
    );
    const names = rows.map((r) => r.relname as string);
    const now = new Date();
    for (let ahead = 0; ahead <= 3; ahead++) {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + ahead, 1));
      expect(names).toContain(
        `payments_${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, "0")}`,
      );
    }
  });

  it("routes rows on either side of a month boundary to their own partitions", async () => {
    const { lastDay, firstDay } = monthBoundary();
    const before = await insert(randomUUID(), lastDay);
    const after = await insert(randomUUID(), firstDay);
    expect(before).toBe(`payments_${lastDay.slice(0, 4)}_${lastDay.slice(5, 7)}`);
    expect(after).toBe(`payments_${firstDay.slice(0, 4)}_${firstDay.slice(5, 7)}`);
  });

  it("refuses a row whose month has no partition rather than misfiling it", async () => {
    await expect(insert(randomUUID(), "2999-01-15")).rejects.toThrow(/no partition/);
  });

  it("rejects an over-refund at the database level, whatever the code does", async () => {
    const id = randomUUID();
    await insert(id, new Date().toISOString().slice(0, 10));
    await testDb().query("UPDATE payments SET amount_captured = 12.34 WHERE payment_id = $1", [id]);
    await expect(
      testDb().query("UPDATE payments SET amount_refunded = 12.35 WHERE payment_id = $1", [id]),
    ).rejects.toThrow(/refunds_within_captured/);
  });
});
