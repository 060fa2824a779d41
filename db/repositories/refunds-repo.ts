import type { Currency } from "../../core/domain/currency.ts";
import { minorFromNumeric, numericFromMinor } from "../../core/domain/money.ts";
import type { Refund } from "../../core/domain/payment.ts";
import type { Queryable } from "../pool.ts";

interface RefundRow {
  refund_id: string;
  payment_id: string;
  amount: string;
  reason: string | null;
  status: Refund["status"];
  created_at: Date;
  processed_at: Date | null;
}

const toRefund = (r: RefundRow, currency: Currency): Refund => ({
  refundId: r.refund_id,
  paymentId: r.payment_id,
  amount: minorFromNumeric(r.amount, currency),
  currency,
  reason: r.reason,
  status: r.status,
  createdAt: r.created_at,
  processedAt: r.processed_at,
});

export async function insertRefund(db: Queryable, r: Refund): Promise<void> {
  await db.query({
    name: "refund_insert",
    // The refund belongs to its payment's merchant.
    text: `INSERT INTO refunds (refund_id, payment_id, amount, reason, status, created_at, processed_at, merchant_id)
           SELECT $1,$2,$3,$4,$5,$6,$7, merchant_id FROM payment_index WHERE payment_id = $2`,
    values: [
      r.refundId,
      r.paymentId,
      numericFromMinor(r.amount, r.currency),
      r.reason,
      r.status,
      r.createdAt,
      r.processedAt,
    ],
  });
}

export async function findRefund(
  db: Queryable,
  refundId: string,
  currency: Currency,
): Promise<Refund | null> {
  const { rows } = await db.query<RefundRow>({
    name: "refund_by_id",
    text: "SELECT * FROM refunds WHERE refund_id = $1",
    values: [refundId],
  });
  return rows[0] ? toRefund(rows[0], currency) : null;
}

export async function settleRefund(
  db: Queryable,
  refundId: string,
  status: "succeeded" | "failed",
  currency: Currency,
): Promise<Refund> {
  const { rows } = await db.query<RefundRow>({
    name: "refund_settle",
    text: "UPDATE refunds SET status = $2, processed_at = now() WHERE refund_id = $1 RETURNING *",
    values: [refundId, status],
  });
  if (!rows[0]) throw new Error(`refund ${refundId} vanished`);
  return toRefund(rows[0], currency);
}

export async function findRefundPaymentId(db: Queryable, refundId: string): Promise<string | null> {
  const { rows } = await db.query<{ payment_id: string }>({
    name: "refund_payment_id",
    text: "SELECT payment_id FROM refunds WHERE refund_id = $1",
    values: [refundId],
  });
  return rows[0]?.payment_id ?? null;
}
