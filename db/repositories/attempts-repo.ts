import type { AttemptOperation, AttemptStatus } from "../../core/domain/attempt-outcome.ts";
import type { Currency } from "../../core/domain/currency.ts";
import { minorFromNumeric, numericFromMinor } from "../../core/domain/money.ts";
import { activeTraceparent } from "../../core/infra/tracing/spans.ts";
import type { Queryable } from "../pool.ts";
import type { Statement } from "../statement.ts";
import { write } from "../write-behind.ts";

export type { AttemptOperation, AttemptStatus };

const OPEN = "('pending','unknown','parked','accepted')";

export interface Attempt {
  attemptId: string;
  paymentId: string;
  commandId: string;
  operation: AttemptOperation;
  psp: string;
  status: AttemptStatus;
  refundId: string | null;
  pspReference: string | null;
  /** Minor units asked for (capture, refund); null when the operation has no amount of its own. */
  amount: bigint | null;
  syncCount: number;
  startedAt: Date;
  giveUpAt: Date | null;
}

export interface AttemptRow {
  attempt_id: string;
  payment_id: string;
  command_id: string;
  operation: AttemptOperation;
  psp: string;
  status: AttemptStatus;
  refund_id: string | null;
  psp_reference: string | null;
  amount: string | null;
  currency: string;
  sync_count: number;
  started_at: Date;
  give_up_at: Date | null;
}

export const toAttempt = (r: AttemptRow): Attempt => ({
  attemptId: r.attempt_id,
  paymentId: r.payment_id,
  commandId: r.command_id,
  operation: r.operation,
  psp: r.psp,
  status: r.status,
  refundId: r.refund_id,
  pspReference: r.psp_reference,
  amount: r.amount === null ? null : minorFromNumeric(r.amount, r.currency as Currency),
  syncCount: r.sync_count,
  startedAt: r.started_at,
  giveUpAt: r.give_up_at,
});

export interface NewAttempt {
  attemptId: string;
  paymentId: string;
  commandId: string;
  operation: AttemptOperation;
  psp: string;
  amount: bigint | null;
  currency: Currency;
  refundId?: string;
  pspReference?: string | null;
  /** When the janitor first looks, should the call's own handler die: longer than a call with its retries. */
  firstCheckMs: number;
}

export async function insertAttempt(db: Queryable, a: NewAttempt): Promise<void> {
  await db.query(insertAttemptStatement(a));
}

export function insertAttemptStatement(a: NewAttempt): Statement {
  return {
    name: "attempt_insert",
    text: `INSERT INTO payment_attempts (attempt_id, payment_id, command_id, operation, psp, amount, currency, refund_id,
             psp_reference, status, next_sync_at, traceparent)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'pending', now() + make_interval(secs => $10 / 1000.0), $11)`,
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
      a.firstCheckMs,
      activeTraceparent(),
    ],
  };
}

/** The attempt a command already started: a redelivered command resumes it with the same PSP idempotency key. */
export async function findAttemptForCommand(
  db: Queryable,
  commandId: string,
  operation: AttemptOperation,
): Promise<Attempt | null> {
  const { rows } = await db.query<AttemptRow>({
    name: "attempt_by_command",
    text: "SELECT * FROM payment_attempts WHERE command_id = $1 AND operation = $2 ORDER BY started_at DESC LIMIT 1",
    values: [commandId, operation],
  });
  return rows[0] ? toAttempt(rows[0]) : null;
}

export async function findOpenAttempts(db: Queryable, paymentId: string): Promise<Attempt[]> {
  const { rows } = await db.query<AttemptRow>({
    name: "attempts_open_for_payment",
    text: `SELECT * FROM payment_attempts WHERE payment_id = $1 AND status IN ${OPEN} ORDER BY started_at`,
    values: [paymentId],
  });
  return rows.map(toAttempt);
}

/**
 * Takes the open attempts whose check is due, oldest due first, whatever their operation, and pushes
 * their next check `leaseMs` ahead so that another janitor does not take them meanwhile (a janitor that
 * dies mid-sync leaves them due again once the lease is over).
 */
export async function claimDueAttempts(db: Queryable, limit: number, leaseMs: number): Promise<Attempt[]> {
  const { rows } = await db.query<AttemptRow>({
    name: "attempts_claim_due",
    text: `UPDATE payment_attempts a SET next_sync_at = now() + make_interval(secs => $2 / 1000.0)
           FROM (SELECT attempt_id FROM payment_attempts
                 WHERE status IN ${OPEN} AND next_sync_at <= now()
                 ORDER BY next_sync_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
           WHERE a.attempt_id = due.attempt_id
           RETURNING a.*`,
    values: [limit, leaseMs],
  });
  return rows.map(toAttempt).sort((x, y) => x.startedAt.getTime() - y.startedAt.getTime());
}

/** A check that failed on our side (database, crash of the call): the attempt is due again soon. */
export async function rescheduleCheck(db: Queryable, attemptId: string, inMs: number): Promise<void> {
  await db.query({
    name: "attempt_reschedule_check",
    text: `UPDATE payment_attempts SET next_sync_at = now() + make_interval(secs => $2 / 1000.0)
           WHERE attempt_id = $1 AND status IN ${OPEN}`,
    values: [attemptId, inMs],
  });
}

/** Keeps an attempt open in `status` and says when it is looked at next. */
export async function keepAttemptOpen(
  db: Queryable,
  attemptId: string,
  open: {
    status: "unknown" | "parked" | "accepted";
    nextCheckMs: number;
    pspReference?: string | null;
    pspMessage?: string | null;
    httpStatus?: number | null;
    requests: number;
    /** Parked attempts: give up this long after the first park. */
    giveUpAfterMs?: number;
    countSync?: boolean;
  },
): Promise<void> {
  await write(db, {
    name: "attempt_keep_open",
    text: `UPDATE payment_attempts SET status=$2::varchar, psp_reference=COALESCE($3, psp_reference),
             psp_message=COALESCE($4, psp_message), http_status=COALESCE($5, http_status), requests=requests+$6,
             next_sync_at = now() + make_interval(secs => $7 / 1000.0),
             give_up_at = CASE WHEN $8::float8 IS NULL THEN give_up_at
                               ELSE COALESCE(give_up_at, now() + make_interval(secs => $8 / 1000.0)) END,
             sync_count = sync_count + CASE WHEN $9 THEN 1 ELSE 0 END,
             duration_ms=(EXTRACT(EPOCH FROM now() - started_at) * 1000)::int
           WHERE attempt_id=$1`,
    values: [
      attemptId,
      open.status,
      open.pspReference ?? null,
      open.pspMessage?.slice(0, 1000) ?? null,
      open.httpStatus ?? null,
      open.requests,
      open.nextCheckMs,
      open.giveUpAfterMs ?? null,
      open.countSync ?? false,
    ],
  });
}

/** Open attempts by operation, and the age of the oldest, for the unresolved-attempt metrics. */
export async function openAttemptStats(
  db: Queryable,
): Promise<Array<{ operation: AttemptOperation; count: number; oldestSeconds: number }>> {
  const { rows } = await db.query<{ operation: AttemptOperation; count: string; oldest: string }>({
    name: "attempts_open_stats",
    text: `SELECT operation, count(*) AS count, EXTRACT(EPOCH FROM now() - min(started_at))::text AS oldest
           FROM payment_attempts WHERE status IN ${OPEN} GROUP BY operation`,
  });
  return rows.map((r) => ({
    operation: r.operation,
    count: Number(r.count),
    oldestSeconds: Number(r.oldest),
  }));
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
  await write(db, {
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

export async function findAttempt(db: Queryable, attemptId: string): Promise<Attempt | null> {
  const { rows } = await db.query<AttemptRow>({
    name: "attempt_by_id",
    text: "SELECT * FROM payment_attempts WHERE attempt_id = $1",
    values: [attemptId],
  });
  return rows[0] ? toAttempt(rows[0]) : null;
}

/** The payment each attempt belongs to, in the order asked (null for an attempt we do not know). */
export async function findPaymentIdsOfAttempts(
  db: Queryable,
  attemptIds: readonly string[],
): Promise<Array<string | null>> {
  const { rows } = await db.query<{ payment_id: string | null }>({
    name: "attempts_payment_ids",
    text: `SELECT a.payment_id FROM unnest($1::uuid[]) WITH ORDINALITY AS r(attempt_id, ord)
           LEFT JOIN payment_attempts a ON a.attempt_id = r.attempt_id ORDER BY r.ord`,
    values: [attemptIds],
  });
  return rows.map((r) => r.payment_id);
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

/** The trace that opened the payment's latest attempt: what a webhook about the payment links to. */
export async function latestAttemptTraceparent(db: Queryable, paymentId: string): Promise<string | null> {
  const { rows } = await db.query<{ traceparent: string | null }>({
    name: "attempt_latest_traceparent",
    text: `SELECT traceparent FROM payment_attempts WHERE payment_id = $1 AND traceparent IS NOT NULL
           ORDER BY started_at DESC LIMIT 1`,
    values: [paymentId],
  });
  return rows[0]?.traceparent ?? null;
}

/** An attempt as the ops console's timeline tells it: what we asked the PSP, and what it answered. */
export interface AttemptHistory extends Attempt {
  currency: string;
  pspStatus: string | null;
  pspCode: string | null;
  pspMessage: string | null;
  httpStatus: number | null;
  requests: number;
  finishedAt: Date | null;
  durationMs: number | null;
}

export async function listAttemptsOfPayment(db: Queryable, paymentId: string): Promise<AttemptHistory[]> {
  const { rows } = await db.query<
    AttemptRow & {
      psp_status: string | null;
      psp_code: string | null;
      psp_message: string | null;
      http_status: number | null;
      requests: number;
      finished_at: Date | null;
      duration_ms: number | null;
    }
  >({
    name: "attempts_of_payment",
    text: "SELECT * FROM payment_attempts WHERE payment_id = $1 ORDER BY started_at, attempt_id",
    values: [paymentId],
  });
  return rows.map((r) => ({
    ...toAttempt(r),
    currency: r.currency,
    pspStatus: r.psp_status,
    pspCode: r.psp_code,
    pspMessage: r.psp_message,
    httpStatus: r.http_status,
    requests: r.requests,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
  }));
}
