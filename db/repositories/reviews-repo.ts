import type { Queryable } from "../pool.ts";
import { write } from "../write-behind.ts";

export type ReviewResolution = "mark_succeeded" | "mark_failed" | "void" | "refund" | "resolved_by_psp";

export interface Review {
  reviewId: string;
  paymentId: string;
  merchantId: string;
  attemptId: string | null;
  reason: string;
  detail: string | null;
  openedAt: Date;
  resolvedAt: Date | null;
  resolution: string | null;
  resolvedBy: string | null;
  note: string | null;
}

interface ReviewRow {
  review_id: string;
  payment_id: string;
  merchant_id: string;
  attempt_id: string | null;
  reason: string;
  detail: string | null;
  opened_at: Date;
  resolved_at: Date | null;
  resolution: string | null;
  resolved_by: string | null;
  note: string | null;
}

const toReview = (r: ReviewRow): Review => ({
  reviewId: r.review_id,
  paymentId: r.payment_id,
  merchantId: r.merchant_id,
  attemptId: r.attempt_id,
  reason: r.reason,
  detail: r.detail,
  openedAt: r.opened_at,
  resolvedAt: r.resolved_at,
  resolution: r.resolution,
  resolvedBy: r.resolved_by,
  note: r.note,
});

/**
 * Opens a review unless one is already open for the payment (one open review per payment; a second
 * reason is appended to its detail), and flags the payment. Returns the open review.
 */
export async function openReview(
  db: Queryable,
  r: { paymentId: string; attemptId: string | null; reason: string; detail?: string },
): Promise<Review> {
  const { rows } = await db.query<ReviewRow>({
    name: "review_open",
    text: `INSERT INTO payment_reviews (payment_id, attempt_id, reason, detail, merchant_id)
           SELECT $1,$2,$3,$4, merchant_id FROM payment_index WHERE payment_id = $1
           ON CONFLICT (payment_id) WHERE resolved_at IS NULL
           DO UPDATE SET detail = left(concat_ws('; ', payment_reviews.detail, EXCLUDED.reason), 1000)
           RETURNING *`,
    values: [r.paymentId, r.attemptId, r.reason, r.detail?.slice(0, 1000) ?? null],
  });
  await db.query({
    name: "review_flag_payment",
    text: `UPDATE payments p SET needs_review = true, updated_at = now() FROM payment_index i
           WHERE i.payment_id = $1 AND p.payment_id = i.payment_id AND p.partition_key = i.partition_key
             AND NOT p.needs_review`,
    values: [r.paymentId],
  });
  return toReview(rows[0] as ReviewRow);
}

export async function findOpenReview(db: Queryable, paymentId: string): Promise<Review | null> {
  const { rows } = await db.query<ReviewRow>({
    name: "review_open_for_payment",
    text: "SELECT * FROM payment_reviews WHERE payment_id = $1 AND resolved_at IS NULL",
    values: [paymentId],
  });
  return rows[0] ? toReview(rows[0]) : null;
}

export async function lockReview(db: Queryable, reviewId: string): Promise<Review | null> {
  const { rows } = await db.query<ReviewRow>({
    name: "review_lock",
    text: "SELECT * FROM payment_reviews WHERE review_id = $1 FOR UPDATE",
    values: [reviewId],
  });
  return rows[0] ? toReview(rows[0]) : null;
}

export async function listReviews(
  db: Queryable,
  filter: { open: boolean; limit: number },
): Promise<Review[]> {
  const { rows } = await db.query<ReviewRow>({
    name: "reviews_list",
    text: `SELECT * FROM payment_reviews WHERE (resolved_at IS NULL) = $1 ORDER BY opened_at LIMIT $2`,
    values: [filter.open, filter.limit],
  });
  return rows.map(toReview);
}

export async function listReviewsOfPayment(db: Queryable, paymentId: string): Promise<Review[]> {
  const { rows } = await db.query<ReviewRow>({
    name: "reviews_of_payment",
    text: "SELECT * FROM payment_reviews WHERE payment_id = $1 ORDER BY opened_at",
    values: [paymentId],
  });
  return rows.map(toReview);
}

export async function resolveReview(
  db: Queryable,
  reviewId: string,
  r: { resolution: ReviewResolution; resolvedBy: string; note: string | null },
): Promise<Review> {
  const { rows } = await db.query<ReviewRow>({
    name: "review_resolve",
    text: `UPDATE payment_reviews SET resolved_at = now(), resolution = $2, resolved_by = $3, note = $4
           WHERE review_id = $1 RETURNING *`,
    values: [reviewId, r.resolution, r.resolvedBy, r.note?.slice(0, 1000) ?? null],
  });
  return toReview(rows[0] as ReviewRow);
}

/** The PSP answered for the attempt a review was opened about: the review closes itself. */
export async function resolveReviewsOfAttempt(db: Queryable, attemptId: string): Promise<void> {
  await write(db, {
    name: "review_resolve_by_attempt",
    text: `UPDATE payment_reviews SET resolved_at = now(), resolution = 'resolved_by_psp', resolved_by = 'janitor'
           WHERE attempt_id = $1 AND resolved_at IS NULL`,
    values: [attemptId],
  });
}

export async function insertAudit(
  db: Queryable,
  a: {
    actor: string;
    action: string;
    paymentId: string | null;
    reviewId: string | null;
    outcome: string;
    detail: Record<string, unknown>;
  },
): Promise<void> {
  await db.query({
    name: "ops_audit_insert",
    text: `INSERT INTO ops_audit (actor, action, payment_id, review_id, outcome, detail) VALUES ($1,$2,$3,$4,$5,$6)`,
    values: [a.actor, a.action, a.paymentId, a.reviewId, a.outcome, JSON.stringify(a.detail)],
  });
}
