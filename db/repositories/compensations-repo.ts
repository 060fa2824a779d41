import type { CompensationAction } from "../../core/domain/compensation.ts";
import type { Currency } from "../../core/domain/currency.ts";
import { minorFromNumeric, numericFromMinor } from "../../core/domain/money.ts";
import type { Queryable } from "../pool.ts";

export interface Compensation {
  compensationId: string;
  paymentId: string;
  psp: string;
  pspReference: string;
  action: CompensationAction;
  amountMinor: bigint;
  currency: Currency;
  reason: string;
  status: "pending" | "succeeded" | "failed";
  checks: number;
}

interface Row {
  compensation_id: string;
  payment_id: string;
  psp: string;
  psp_reference: string;
  action: CompensationAction;
  amount: string;
  currency: string;
  reason: string;
  status: Compensation["status"];
  checks: number;
}

const toCompensation = (r: Row): Compensation => ({
  compensationId: r.compensation_id,
  paymentId: r.payment_id,
  psp: r.psp,
  pspReference: r.psp_reference,
  action: r.action,
  amountMinor: minorFromNumeric(r.amount, r.currency as Currency),
  currency: r.currency as Currency,
  reason: r.reason,
  status: r.status,
  checks: r.checks,
});

/** Records a compensation once per PSP reference; false when it was already recorded. */
export async function insertCompensation(
  db: Queryable,
  c: Omit<Compensation, "status" | "checks">,
): Promise<boolean> {
  const { rowCount } = await db.query({
    name: "compensation_insert",
    text: `INSERT INTO payment_compensations (compensation_id, payment_id, psp, psp_reference, action, amount, currency,
             reason, status)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'pending') ON CONFLICT (psp, psp_reference) DO NOTHING`,
    values: [
      c.compensationId,
      c.paymentId,
      c.psp,
      c.pspReference,
      c.action,
      numericFromMinor(c.amountMinor, c.currency),
      c.currency,
      c.reason,
    ],
  });
  return rowCount === 1;
}

/** Due compensations, claimed for `leaseMs` so that two janitors never carry out the same one at once. */
export async function claimDueCompensations(
  db: Queryable,
  limit: number,
  leaseMs: number,
): Promise<Compensation[]> {
  const { rows } = await db.query<Row>({
    name: "compensations_claim_due",
    text: `UPDATE payment_compensations c SET next_check_at = now() + make_interval(secs => $2 / 1000.0)
           FROM (SELECT compensation_id FROM payment_compensations
                 WHERE status = 'pending' AND next_check_at <= now()
                 ORDER BY next_check_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
           WHERE c.compensation_id = due.compensation_id RETURNING c.*`,
    values: [limit, leaseMs],
  });
  return rows.map(toCompensation);
}

export async function lockCompensation(db: Queryable, compensationId: string): Promise<Compensation | null> {
  const { rows } = await db.query<Row>({
    name: "compensation_lock",
    text: "SELECT * FROM payment_compensations WHERE compensation_id = $1 FOR UPDATE",
    values: [compensationId],
  });
  return rows[0] ? toCompensation(rows[0]) : null;
}

export async function settleCompensation(
  db: Queryable,
  compensationId: string,
  status: "succeeded" | "failed",
  pspAnswer: string,
): Promise<void> {
  await db.query({
    name: "compensation_settle",
    text: `UPDATE payment_compensations SET status = $2, psp_answer = $3, settled_at = now(), checks = checks + 1
           WHERE compensation_id = $1`,
    values: [compensationId, status, pspAnswer.slice(0, 1000)],
  });
}

/** No answer yet: look again later; returns how many checks it has had. */
export async function postponeCompensation(
  db: Queryable,
  compensationId: string,
  nextCheckMs: number,
  pspAnswer: string,
): Promise<number> {
  const { rows } = await db.query<{ checks: number }>({
    name: "compensation_postpone",
    text: `UPDATE payment_compensations SET checks = checks + 1, psp_answer = $3,
             next_check_at = now() + make_interval(secs => $2 / 1000.0)
           WHERE compensation_id = $1 RETURNING checks`,
    values: [compensationId, nextCheckMs, pspAnswer.slice(0, 1000)],
  });
  return rows[0]?.checks ?? 0;
}
