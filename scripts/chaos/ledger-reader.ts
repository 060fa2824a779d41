import type { Currency } from "../../core/domain/currency.ts";
import { minorFromNumeric } from "../../core/domain/money.ts";
import type { Pool } from "../../db/pool.ts";
import type { LedgerPayment, LedgerRefund, OpenAttempt, OpenReview } from "./checks/observations.ts";
import type { Psp } from "./plan-types.ts";

/** Reads the run-private database directly (every row in it belongs to the run). */
export async function readPayments(pool: Pool): Promise<LedgerPayment[]> {
  const { rows } = await pool.query(
    `SELECT payment_id, order_id, psp, currency, status, amount, amount_capturable, amount_captured,
            amount_refunded, amount_refund_pending, needs_review, failure_reason FROM payments`,
  );
  return rows.map((r) => {
    const minor = (v: string) => minorFromNumeric(v, r.currency as Currency);
    return {
      paymentId: r.payment_id,
      orderId: String(r.order_id),
      psp: r.psp as Psp,
      currency: r.currency,
      status: r.status,
      amountMinor: minor(r.amount),
      capturableMinor: minor(r.amount_capturable),
      capturedMinor: minor(r.amount_captured),
      refundedMinor: minor(r.amount_refunded),
      refundPendingMinor: minor(r.amount_refund_pending),
      needsReview: r.needs_review,
      failureReason: r.failure_reason,
    };
  });
}

export async function readRefunds(pool: Pool): Promise<LedgerRefund[]> {
  const { rows } = await pool.query(
    `SELECT r.refund_id, r.payment_id, r.amount, r.status, p.currency
       FROM refunds r JOIN payments p ON p.payment_id = r.payment_id`,
  );
  return rows.map((r) => ({
    refundId: r.refund_id,
    paymentId: r.payment_id,
    amountMinor: minorFromNumeric(r.amount, r.currency as Currency),
    status: r.status,
  }));
}

export async function readOpenAttempts(pool: Pool): Promise<OpenAttempt[]> {
  const { rows } = await pool.query(
    "SELECT payment_id, operation, status FROM payment_attempts WHERE status IN ('pending', 'unknown', 'parked', 'accepted')",
  );
  return rows.map((r) => ({ paymentId: r.payment_id, operation: r.operation, status: r.status }));
}

/**
 * Open rows of a manual review queue, if the schema has one: any table named like '%review%' with
 * payment_id and resolved_at columns (its reason column, if any, is read too). null without one.
 */
export async function readOpenReviews(pool: Pool): Promise<OpenReview[] | null> {
  const { rows: tables } = await pool.query<{ table_name: string; has_reason: boolean }>(
    `SELECT c.table_name, bool_or(c.column_name = 'reason') AS has_reason
       FROM information_schema.columns c
      WHERE c.table_schema = 'public' AND c.table_name LIKE '%review%'
      GROUP BY c.table_name
     HAVING bool_or(c.column_name = 'payment_id') AND bool_or(c.column_name = 'resolved_at')`,
  );
  const table = tables[0];
  if (!table) return null;
  const reason = table.has_reason ? "reason::text" : "NULL::text";
  const { rows } = await pool.query(
    `SELECT payment_id::text AS payment_id, ${reason} AS reason FROM "${table.table_name}" WHERE resolved_at IS NULL`,
  );
  return rows.map((r) => ({ paymentId: r.payment_id, reason: r.reason }));
}

/** Outbox rows not yet shipped, and the ids of all rows (to match against what Kafka delivered). */
export async function readOutbox(pool: Pool): Promise<{ unpublished: number; ids: string[] }> {
  const { rows } = await pool.query<{ id: string; published: boolean }>(
    "SELECT id::text, published_at IS NOT NULL AS published FROM payment_outbox",
  );
  return { unpublished: rows.filter((r) => !r.published).length, ids: rows.map((r) => r.id) };
}

/**
 * Webhook events the ingress published to Kafka that no processor has applied yet: waiting in the
 * topic (behind a rebalance, say) or parked until their payment's PSP call is over. Any of them may
 * still move a payment.
 */
export async function countUnappliedWebhooks(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM processed_psp_events WHERE published_at IS NOT NULL AND processed_at IS NULL",
  );
  return rows[0]?.n ?? 0;
}
