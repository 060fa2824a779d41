import type { Payment } from "../../core/domain/payment.ts";
import type { Queryable } from "../pool.ts";
import { type Attempt, type AttemptRow, toAttempt } from "./attempts-repo.ts";
import { type PaymentRow, toPayment } from "./payments-repo.ts";

const ATTEMPT_COLUMNS: ReadonlyArray<keyof AttemptRow> = [
  "attempt_id",
  "payment_id",
  "command_id",
  "operation",
  "psp",
  "status",
  "refund_id",
  "psp_reference",
  "amount",
  "currency",
  "sync_count",
  "started_at",
  "give_up_at",
];

/**
 * Row locks on a payment and one of its attempts, in one round trip (payment first, then attempt, the
 * order every settlement takes them in). Null when either is missing.
 */
export async function lockPaymentAndAttempt(
  db: Queryable,
  paymentId: string,
  attemptId: string,
): Promise<{ payment: Payment; attempt: Attempt } | null> {
  const { rows } = await db.query<PaymentRow & Record<string, unknown>>({
    name: "payment_attempt_lock",
    text: `SELECT p.*, ${ATTEMPT_COLUMNS.map((c) => `a.${c} AS a_${c}`).join(", ")}
           FROM payment_index i
           JOIN payments p ON p.payment_id = i.payment_id AND p.partition_key = i.partition_key
           JOIN payment_attempts a ON a.attempt_id = $2 AND a.payment_id = i.payment_id
           WHERE i.payment_id = $1
           FOR UPDATE OF p, a`,
    values: [paymentId, attemptId],
  });
  const row = rows[0];
  if (!row) return null;
  const attempt = Object.fromEntries(ATTEMPT_COLUMNS.map((c) => [c, row[`a_${c}`]])) as unknown as AttemptRow;
  return { payment: toPayment(row), attempt: toAttempt(attempt) };
}
