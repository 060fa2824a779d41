import type { LedgerPayment, OpenReview } from "./observations.ts";

/** In review: the legacy flag, or an open row of the review queue. */
export function reviewIndex(
  payments: LedgerPayment[],
  openReviews: OpenReview[] | null,
): Map<string, string> {
  const inReview = new Map<string, string>();
  for (const p of payments) if (p.needsReview) inReview.set(p.paymentId, p.failureReason ?? "needs_review");
  for (const r of openReviews ?? []) inReview.set(r.paymentId, r.reason ?? "");
  return inReview;
}
