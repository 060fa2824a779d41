import type { Currency } from "../../core/domain/currency.ts";
import { minorFromNumeric, numericFromMinor } from "../../core/domain/money.ts";
import type { NextAction, Payment } from "../../core/domain/payment.ts";
import type { CaptureMethod, PaymentStatus, PspName } from "../../core/domain/payment-status.ts";
import { openJson, openText, sealJson, sealText } from "../../core/security/field-crypto.ts";
import type { Queryable } from "../pool.ts";
import { guardedWrites, type Statement } from "../statement.ts";

export interface PaymentRow {
  payment_id: string;
  merchant_id: string;
  partition_key: string;
  order_id: string;
  amount: string;
  currency: string;
  status: string;
  capture_method: string;
  psp: string;
  payment_method_type: string | null;
  payment_method_token: string | null;
  card_brand: string | null;
  card_last4: string | null;
  amount_capturable: string;
  amount_captured: string;
  amount_refunded: string;
  amount_refund_pending: string;
  risk_score: number | null;
  risk_decision: string | null;
  needs_review: boolean;
  failure_reason: string | null;
  psp_code: string | null;
  psp_reference: string | null;
  customer_id: string | null;
  description: string | null;
  /** Sealed text as a JSON string; a plain object in rows written before encryption at rest. */
  metadata: unknown;
  next_action: NextAction | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export function toPayment(row: PaymentRow): Payment {
  const currency = row.currency as Currency;
  const minor = (numeric: string) => minorFromNumeric(numeric, currency);
  return {
    paymentId: row.payment_id,
    merchantId: row.merchant_id,
    partitionKey: row.partition_key,
    orderId: row.order_id,
    amount: minor(row.amount),
    currency,
    status: row.status as PaymentStatus,
    captureMethod: row.capture_method as CaptureMethod,
    psp: row.psp as PspName,
    paymentMethodType: row.payment_method_type,
    paymentMethodToken: openText(row.payment_method_token),
    cardBrand: row.card_brand,
    cardLast4: row.card_last4,
    amountCapturable: minor(row.amount_capturable),
    amountCaptured: minor(row.amount_captured),
    amountRefunded: minor(row.amount_refunded),
    amountRefundPending: minor(row.amount_refund_pending),
    riskScore: row.risk_score,
    riskDecision: row.risk_decision,
    needsReview: row.needs_review,
    failureReason: row.failure_reason,
    pspCode: row.psp_code,
    pspReference: row.psp_reference,
    customerId: openText(row.customer_id),
    description: openText(row.description),
    metadata: openJson<Record<string, string>>(row.metadata),
    nextAction: row.next_action,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const SELECT_BY_ID = `
  SELECT p.* FROM payment_index i
  JOIN payments p ON p.payment_id = i.payment_id AND p.partition_key = i.partition_key
  WHERE i.payment_id = $1`;

export async function findPayment(db: Queryable, paymentId: string): Promise<Payment | null> {
  const { rows } = await db.query<PaymentRow>({
    name: "payment_by_id",
    text: SELECT_BY_ID,
    values: [paymentId],
  });
  return rows[0] ? toPayment(rows[0]) : null;
}

/** Row lock for the rest of the transaction: two processors can never both move one payment. */
export async function lockPayment(db: Queryable, paymentId: string): Promise<Payment | null> {
  const { rows } = await db.query<PaymentRow>({
    name: "payment_lock",
    text: `${SELECT_BY_ID} FOR UPDATE OF p`,
    values: [paymentId],
  });
  return rows[0] ? toPayment(rows[0]) : null;
}

/** A merchant's own payment; another merchant's is not found, exactly like one that does not exist. */
export async function findMerchantPayment(
  db: Queryable,
  merchantId: string,
  paymentId: string,
): Promise<Payment | null> {
  const { rows } = await db.query<PaymentRow>({
    name: "payment_by_merchant_id",
    text: `${SELECT_BY_ID} AND i.merchant_id = $2`,
    values: [paymentId, merchantId],
  });
  return rows[0] ? toPayment(rows[0]) : null;
}

export async function listPaymentsByOrder(
  db: Queryable,
  merchantId: string,
  orderId: string,
): Promise<Payment[]> {
  const { rows } = await db.query<PaymentRow>({
    name: "payments_by_order",
    text: `SELECT p.* FROM payment_index i
           JOIN payments p ON p.payment_id = i.payment_id AND p.partition_key = i.partition_key
           WHERE i.merchant_id = $1 AND i.order_id = $2 ORDER BY i.created_at DESC, i.payment_id`,
    values: [merchantId, orderId],
  });
  return rows.map(toPayment);
}

export async function insertPayment(db: Queryable, p: Payment): Promise<void> {
  for (const statement of insertPaymentWrites(p)) await db.query(statement);
}

/** The inserts of a new payment (its index row, then the row), for one statement with other writes. */
export function insertPaymentWrites(p: Payment): [Statement, Statement] {
  const n = (minor: bigint) => numericFromMinor(minor, p.currency);
  return [
    {
      name: "payment_index_insert",
      text: `INSERT INTO payment_index (payment_id, partition_key, order_id, created_at, merchant_id)
             VALUES ($1, $2, $3, $4, $5)`,
      values: [p.paymentId, p.partitionKey, p.orderId, p.createdAt, p.merchantId],
    },
    {
      name: "payment_insert",
      text: `INSERT INTO payments (payment_id, partition_key, order_id, amount, currency, status, capture_method, psp,
               payment_method_type, payment_method_token, card_brand, card_last4, customer_id, description, metadata,
               created_at, updated_at, merchant_id)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$16,$17)`,
      values: [
        p.paymentId,
        p.partitionKey,
        p.orderId,
        n(p.amount),
        p.currency,
        p.status,
        p.captureMethod,
        p.psp,
        p.paymentMethodType,
        sealText(p.paymentMethodToken),
        p.cardBrand,
        p.cardLast4,
        sealText(p.customerId),
        sealText(p.description),
        sealJson(p.metadata),
        p.createdAt,
        p.merchantId,
      ],
    },
  ];
}

/** Writes every mutable column; the version check turns a lost update into an error instead of silence. */
export async function updatePayment(db: Queryable, p: Payment): Promise<Payment> {
  const { rows } = await db.query<PaymentRow>(updatePaymentStatement(p));
  if (!rows[0]) throw new Error(`concurrent update of payment ${p.paymentId}`);
  return toPayment(rows[0]);
}

/**
 * updatePayment that also takes the next `count` numbers of the payment's event sequence
 * (payment_index.event_sequence, locked until COMMIT as insertOutboxEvents would lock it) in the same
 * statement, for the events this update emits: one round trip fewer. Returns the first number. Only
 * inside a transaction: when the version check fails, the throw rolls the taken numbers back with it.
 */
export async function updatePaymentTakingSequence(
  db: Queryable,
  p: Payment,
  count: number,
): Promise<{ payment: Payment; firstSequence: number }> {
  const update = updatePaymentStatement(p);
  const { rows } = await db.query<PaymentRow & { event_sequence_last: string }>({
    name: "payment_update_taking_sequence",
    text: `WITH seq AS (
             UPDATE payment_index SET event_sequence = event_sequence + $${update.values.length + 1}
             WHERE payment_id = $1 RETURNING event_sequence
           )
           ${update.text.replace(/RETURNING \*\s*$/, "RETURNING *, (SELECT event_sequence FROM seq) AS event_sequence_last")}`,
    values: [...update.values, count],
  });
  const row = rows[0];
  if (!row) throw new Error(`concurrent update of payment ${p.paymentId}`);
  return { payment: toPayment(row), firstSequence: Number(row.event_sequence_last) - count + 1 };
}

/**
 * The update of `p` and, in the same statement, `writes` (one-row inserts), all only if the payment is
 * still at `p.version`: no lock, no transaction, one round trip. Null when it moved on meanwhile; then
 * nothing was written and the caller decides again under a lock.
 */
export async function updatePaymentIfUnchanged(
  db: Queryable,
  p: Payment,
  writes: readonly Statement[],
): Promise<Payment | null> {
  const { rows } = await db.query<PaymentRow>(guardedWrites(updatePaymentStatement(p), writes));
  return rows[0] ? toPayment(rows[0]) : null;
}

function updatePaymentStatement(p: Payment): Statement {
  const n = (minor: bigint) => numericFromMinor(minor, p.currency);
  return {
    name: "payment_update",
    text: `UPDATE payments SET status=$3, payment_method_type=$4, payment_method_token=$5, card_brand=$6,
             card_last4=$7, amount_capturable=$8, amount_captured=$9, amount_refunded=$10,
             amount_refund_pending=$11, risk_score=$12, risk_decision=$13, needs_review=$14, failure_reason=$15,
             psp_code=$16, psp_reference=$17, psp=$19, next_action=$20, version=version+1, updated_at=now()
           WHERE payment_id=$1 AND partition_key=$2 AND version=$18
           RETURNING *`,
    values: [
      p.paymentId,
      p.partitionKey,
      p.status,
      p.paymentMethodType,
      sealText(p.paymentMethodToken),
      p.cardBrand,
      p.cardLast4,
      n(p.amountCapturable),
      n(p.amountCaptured),
      n(p.amountRefunded),
      n(p.amountRefundPending),
      p.riskScore,
      p.riskDecision,
      p.needsReview,
      p.failureReason,
      p.pspCode,
      p.pspReference,
      p.version,
      p.psp,
      p.nextAction === null ? null : JSON.stringify(p.nextAction),
    ],
  };
}

/** Escalation for payments the PSP will not tell us about: manual review, status untouched. */
export async function flagForReview(db: Queryable, paymentId: string): Promise<void> {
  await db.query({
    name: "payment_flag_review",
    text: `UPDATE payments p SET needs_review = true, updated_at = now() FROM payment_index i
           WHERE i.payment_id = $1 AND p.payment_id = i.payment_id AND p.partition_key = i.partition_key`,
    values: [paymentId],
  });
}

/** The payment a PSP reference belongs to (webhooks that name only the PSP's id). */
export async function findPaymentIdByPspReference(
  db: Queryable,
  psp: PspName,
  pspReference: string,
): Promise<string | null> {
  const { rows } = await db.query<{ payment_id: string }>({
    name: "payment_by_psp_reference",
    text: "SELECT payment_id FROM payments WHERE psp_reference = $1 AND psp = $2 LIMIT 1",
    values: [pspReference, psp],
  });
  return rows[0]?.payment_id ?? null;
}

/** What the ops console searches by; every field is optional, and they combine with AND. */
export interface PaymentSearch {
  paymentId?: string;
  merchantId?: string;
  orderId?: string;
  status?: PaymentStatus;
  psp?: PspName;
  /** Created at or after this instant, and before `createdBefore`. */
  createdFrom?: Date;
  createdBefore?: Date;
  /** Keyset pagination: the payments after this one in the order (newest first). */
  after?: string;
}

/**
 * Platform-wide search for operators (ops scope, ADR 0009), newest first. The date bounds also bound
 * partition_key (the UTC creation date), so a date range reads only its months' partitions.
 */
export async function searchPayments(db: Queryable, s: PaymentSearch, limit: number): Promise<Payment[]> {
  const { rows } = await db.query<PaymentRow>({
    name: "payments_search",
    text: `SELECT p.* FROM payment_index i
           JOIN payments p ON p.payment_id = i.payment_id AND p.partition_key = i.partition_key
           WHERE ($1::uuid IS NULL OR i.payment_id = $1)
             AND ($2::varchar IS NULL OR i.merchant_id = $2)
             AND ($3::bigint IS NULL OR i.order_id = $3)
             AND ($4::varchar IS NULL OR p.status = $4)
             AND ($5::varchar IS NULL OR p.psp = $5)
             AND ($6::timestamptz IS NULL OR (i.created_at >= $6 AND p.partition_key >= ($6 AT TIME ZONE 'UTC')::date))
             AND ($7::timestamptz IS NULL OR (i.created_at < $7 AND p.partition_key <= ($7 AT TIME ZONE 'UTC')::date))
             AND ($8::uuid IS NULL OR (i.created_at, i.payment_id) <
                  (SELECT created_at, payment_id FROM payment_index WHERE payment_id = $8))
           ORDER BY i.created_at DESC, i.payment_id DESC
           LIMIT $9`,
    values: [
      s.paymentId ?? null,
      s.merchantId ?? null,
      s.orderId ?? null,
      s.status ?? null,
      s.psp ?? null,
      s.createdFrom ?? null,
      s.createdBefore ?? null,
      s.after ?? null,
      limit,
    ],
  });
  return rows.map(toPayment);
}
