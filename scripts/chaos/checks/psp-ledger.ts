import type { LedgerPayment, Observations, PspView, Violation } from "./observations.ts";
import { reviewIndex } from "./review.ts";

const AUTHORIZED_STATUSES = new Set(["requires_capture", "succeeded", "partially_refunded", "refunded"]);
const NOTHING_AT_PSP: PspView = { authorizations: 0, capturedMinor: 0n, refundedMinor: 0n, heldMinor: 0n };

/** Money the ledger says the PSP holds for us: an uncaptured authorization. */
function ledgerHeld(p: LedgerPayment): bigint {
  return p.status === "requires_capture" ? p.capturableMinor : 0n;
}

/**
 * A review the service opened because it could not learn what the PSP did (a notification lost at a
 * PSP with no status API, an answer that never came): the ledger cannot equal the PSP there until a
 * person looks, which is what the review asks for.
 */
const UNKNOWN_AT_PSP = /_unresolved$|^capture_failed$|^cancel_failed$|^compensation_/;

/**
 * Per payment, the PSP's authorized (held), captured and refunded amounts equal the ledger's, and
 * the PSP authorized at most once. This holds for payments in review too (a fraud-fallback review
 * flags a payment whose money is in order); the violation then names the review. Only a review that
 * says the PSP's state is unknown excuses an amount difference; a double charge is never excused.
 */
export function checkPspAgainstLedger(o: Observations): Violation[] {
  const violations: Violation[] = [];
  const inReview = reviewIndex(o.payments, o.openReviews);
  for (const p of o.payments) {
    const review = inReview.get(p.paymentId);
    const status = review === undefined ? p.status : `${p.status} (in review: ${review || "no reason"})`;
    const psp = o.psp.get(p.paymentId) ?? NOTHING_AT_PSP;
    const add = (detail: string) =>
      violations.push({
        check: "psp-ledger",
        paymentId: p.paymentId,
        detail: `${p.psp} ${status}: ${detail}`,
      });
    if (psp.authorizations > 1) add(`PSP authorized ${psp.authorizations} times (double charge)`);
    if (review !== undefined && UNKNOWN_AT_PSP.test(review)) continue;
    if (psp.capturedMinor !== p.capturedMinor)
      add(`captured: PSP ${psp.capturedMinor}, ledger ${p.capturedMinor} (minor units)`);
    if (psp.refundedMinor !== p.refundedMinor)
      add(`refunded: PSP ${psp.refundedMinor}, ledger ${p.refundedMinor}`);
    if (psp.heldMinor !== ledgerHeld(p))
      add(`authorized and held: PSP ${psp.heldMinor}, ledger ${ledgerHeld(p)}`);
    if (AUTHORIZED_STATUSES.has(p.status) && psp.authorizations === 0)
      add("ledger authorized, the PSP never did");
  }
  return violations;
}
