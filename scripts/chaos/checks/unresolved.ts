import type { Observations, Violation } from "./observations.ts";
import { reviewIndex } from "./review.ts";

const AWAITING_CONFIRM = new Set(["requires_payment_method", "requires_confirmation"]);

/**
 * Nothing is left hanging: every payment rests (no `processing`, no open attempt, no pending
 * refund, no autopay payment waiting for a confirm nobody will send), or is in review with a reason;
 * every payment the API or an autopay order promised exists.
 */
export function checkNothingUnresolved(o: Observations): Violation[] {
  const violations: Violation[] = [];
  const inReview = reviewIndex(o.payments, o.openReviews);
  const add = (paymentId: string, detail: string) =>
    violations.push({ check: "unresolved", paymentId, detail });
  const open = new Map<string, string[]>();
  for (const a of o.openAttempts)
    open.set(a.paymentId, [...(open.get(a.paymentId) ?? []), `${a.operation}:${a.status}`]);
  const pendingRefunds = new Set(o.refunds.filter((r) => r.status === "pending").map((r) => r.paymentId));

  const autopay = new Set(o.autopayPaymentIds);
  for (const p of o.payments) {
    const reason = inReview.get(p.paymentId);
    if (reason !== undefined) {
      if (reason === "" && o.openReviews !== null) add(p.paymentId, "in review without a reason");
      continue;
    }
    const problems: string[] = [];
    if (p.status === "processing") problems.push("status processing");
    if (autopay.has(p.paymentId) && AWAITING_CONFIRM.has(p.status))
      problems.push("autopay order never confirmed");
    const attempts = open.get(p.paymentId);
    if (attempts) problems.push(`open attempts ${attempts.join(",")}`);
    if (pendingRefunds.has(p.paymentId)) problems.push("refund pending");
    else if (p.refundPendingMinor > 0n) problems.push(`amount_refund_pending ${p.refundPendingMinor}`);
    if (problems.length > 0) add(p.paymentId, `${p.psp} ${p.status}: ${problems.join("; ")}, not in review`);
  }
  const known = new Set(o.payments.map((p) => p.paymentId));
  for (const id of new Set(o.expectedPaymentIds)) {
    if (!known.has(id)) add(id, "promised (API answer or autopay order) but not in the ledger");
  }
  return violations;
}
