import type { Currency } from "../../core/domain/currency.ts";
import { numericFromMinor } from "../../core/domain/money.ts";
import type { Queryable } from "../pool.ts";

export type AttemptOperation = "authorize" | "capture" | "cancel" | "refund";
export type AttemptStatus = "pending" | "succeeded" | "failed" | "unknown";

export interface Attempt {
  attemptId: string;
  paymentId: string;
  commandId: string;
  operation: AttemptOperation;
  psp: string;
  status: AttemptStatus;
  refundId: string | null;
  pspReference: string | null;
  startedAt: Date;
}

interface AttemptRow {
  attempt_id: string;
  payment_id: string;
  command_id: string;
  operation: AttemptOperation;
  psp: string;
  status: AttemptStatus;
  refund_id: string | null;
  psp_reference: string | null;
  started_at: Date;
}

const toAttempt = (r: AttemptRow): Attempt => ({
  attemptId: r.attempt_id,
  paymentId: r.payment_id,
  commandId: r.command_id,
  operation: r.operation,
  psp: r.psp,
  status: r.status,
  refundId: r.refund_id,
  pspReference: r.psp_reference,
  startedAt: r.started_at,
});

export async function insertAttempt(
  db: Queryable,
  a: {
    attemptId: string;
    paymentId: string;
    commandId: string;
    operation: AttemptOperation;
    psp: string;
    amount: bigint | null;
    currency: Currency;
    refundId?: string;
    pspReference?: string | null;
  },
): Promise<void> {
  await db.query({
    name: "attempt_insert",
    text: `INSERT INTO payment_attempts (attempt_id, payment_id, command_id, operation, psp, amount, currency, refund_id,
             psp_reference, status)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'pending')`,
    values: [
      a.attemptId,
      a.paymentId,
      a.commandId,
      a.operation,
      a.psp,
      a.amount === null ? null : numericFromMinor(a.amount, a.currency),
      a.currency,
      a.refundId ?? null,
      a.pspReference ?? null,
    ],
  });
}

/** The attempt a command already started: a redelivered command resumes it with the same PSP idempotency key. */
export async function findAttemptForCommand(
  db: Queryable,
  commandId: string,
  operation: AttemptOperation,
): Promise<Attempt | null> {
  const { rows } = await db.query<AttemptRow>({
    name: "attempt_by_command",
    text: "SELECT * FROM payment_attempts WHERE command_id = $1 AND operation = $2",
    values: [commandId, operation],
  });
  return rows[0] ? toAttempt(rows[0]) : null;
}

export async function findOpenAttempts(db: Queryable, paymentId: string): Promise<Attempt[]> {
  const { rows } = await db.query<AttemptRow>({
    name: "attempts_open_for_payment",
    text: "SELECT * FROM payment_attempts WHERE payment_id = $1 AND status IN ('pending','unknown') ORDER BY started_at",
    values: [paymentId],
  });
  return rows.map(toAttempt);
}

/** Attempts whose outcome nobody knows, old enough that no live handler is still waiting on them. */
export async function findStaleOpenAttempts(
  db: Queryable,
  olderThanMs: number,
  limit: number,
): Promise<Attempt[]> {
  const { rows } = await db.query<AttemptRow>({
    name: "attempts_stale_open",
    text: `SELECT * FROM payment_attempts WHERE status IN ('pending','unknown')
           AND started_at < now() - make_interval(secs => $1 / 1000.0)
           AND (next_sync_at IS NULL OR next_sync_at <= now())
           ORDER BY started_at LIMIT $2`,
    values: [olderThanMs, limit],
  });
  return rows.map(toAttempt);
}

export async function finishAttempt(
  db: Queryable,
  attemptId: string,
  result: {
    status: AttemptStatus;
    pspReference?: string | null;
    pspStatus?: string | null;
    pspCode?: string | null;
    pspMessage?: string | null;
    httpStatus?: number | null;
    requests: number;
  },
): Promise<void> {
  await db.query({
    name: "attempt_finish",
    text: `UPDATE payment_attempts SET status=$2::varchar, psp_reference=COALESCE($3, psp_reference), psp_status=$4,
             psp_code=$5, psp_message=$6, http_status=$7, requests=requests+$8,
             finished_at=CASE WHEN $2::varchar IN ('succeeded','failed') THEN now() END,
             duration_ms=(EXTRACT(EPOCH FROM now() - started_at) * 1000)::int
           WHERE attempt_id=$1`,
    values: [
      attemptId,
      result.status,
      result.pspReference ?? null,
      result.pspStatus ?? null,
      result.pspCode ?? null,
      result.pspMessage?.slice(0, 1000) ?? null,
      result.httpStatus ?? null,
      result.requests,
    ],
  });
}

export async function lockAttempt(db: Queryable, attemptId: string): Promise<Attempt | null> {
  const { rows } = await db.query<AttemptRow>({
    name: "attempt_lock",
    text: "SELECT * FROM payment_attempts WHERE attempt_id = $1 FOR UPDATE",
    values: [attemptId],
  });
  return rows[0] ? toAttempt(rows[0]) : null;
}

/** A sync that learned nothing backs off exponentially, so one stuck payment cannot flood the PSP. */
export async function postponeSync(
  db: Queryable,
  attemptId: string,
  baseMs: number,
  maxMs: number,
): Promise<number> {
  const { rows } = await db.query<{ sync_count: number }>({
    name: "attempt_postpone_sync",
    text: `UPDATE payment_attempts SET sync_count = sync_count + 1,
             next_sync_at = now() + make_interval(secs => LEAST($2 * power(2, sync_count), $3) / 1000.0)
           WHERE attempt_id = $1 RETURNING sync_count`,
    values: [attemptId, baseMs, maxMs],
  });
  return rows[0]?.sync_count ?? 0;
}

export async function findAttempt(db: Queryable, attemptId: string): Promise<Attempt | null> {
  const { rows } = await db.query<AttemptRow>({
    name: "attempt_by_id",
    text: "SELECT * FROM payment_attempts WHERE attempt_id = $1",
    values: [attemptId],
  });
  return rows[0] ? toAttempt(rows[0]) : null;
}

/** Our refund behind a PSP refund reference (the refund attempt records it once the PSP answered). */
export async function findRefundIdByPspReference(
  db: Queryable,
  paymentId: string,
  pspRefundReference: string,
): Promise<string | null> {
  const { rows } = await db.query<{ refund_id: string | null }>({
    name: "attempt_refund_by_psp_reference",
    text: `SELECT refund_id FROM payment_attempts
           WHERE payment_id = $1 AND operation = 'refund' AND psp_reference = $2 LIMIT 1`,
    values: [paymentId, pspRefundReference],
  });
  return rows[0]?.refund_id ?? null;
}
