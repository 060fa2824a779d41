import type { Pool } from "../../db/pool.ts";
import { reviewIndex } from "./checks/review.ts";
import {
  countUnappliedWebhooks,
  readOpenAttempts,
  readOpenReviews,
  readOutbox,
  readPayments,
  readRefunds,
} from "./ledger-reader.ts";
import type { OutcomeCollector } from "./outcome-collector.ts";
import { sleep } from "./time.ts";

/** What still keeps the run from being quiet; empty when it has settled. */
export async function unsettled(
  pool: Pool,
  collector: Pick<OutcomeCollector, "hasEvent">,
  expectedIds: string[],
): Promise<string[]> {
  const [payments, attempts, refunds, reviews, outbox, webhooks] = await Promise.all([
    readPayments(pool),
    readOpenAttempts(pool),
    readRefunds(pool),
    readOpenReviews(pool),
    readOutbox(pool),
    countUnappliedWebhooks(pool),
  ]);
  const inReview = reviewIndex(payments, reviews);
  const busy = new Set<string>();
  for (const p of payments) if (p.status === "processing" || p.refundPendingMinor > 0n) busy.add(p.paymentId);
  for (const a of attempts) busy.add(a.paymentId);
  for (const r of refunds) if (r.status === "pending") busy.add(r.paymentId);
  for (const id of inReview.keys()) busy.delete(id);
  const known = new Set(payments.map((p) => p.paymentId));
  const missing = new Set(expectedIds.filter((id) => !known.has(id)));
  const unseen = outbox.ids.filter((id) => !collector.hasEvent(id)).length;
  const reasons: string[] = [];
  if (busy.size > 0) reasons.push(`${busy.size} payment(s) still in flight`);
  if (missing.size > 0) reasons.push(`${missing.size} promised payment(s) missing`);
  if (outbox.unpublished > 0) reasons.push(`${outbox.unpublished} outbox row(s) unpublished`);
  if (unseen > 0) reasons.push(`${unseen} outbox event(s) not seen on Kafka`);
  // A payment waiting for its webhook looks settled (requires_capture, say) until the webhook is applied.
  if (webhooks > 0) reasons.push(`${webhooks} published webhook event(s) not applied yet`);
  return reasons;
}

/**
 * Waits until the run is quiet, and stays quiet for a moment (a late webhook may still move a
 * payment). Returns what was still unsettled at the deadline, or [] when it settled.
 */
export async function waitForQuiet(
  pool: Pool,
  collector: Pick<OutcomeCollector, "hasEvent">,
  expectedIds: string[],
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let quietSince: number | null = null;
  let reasons: string[] = ["not checked yet"];
  while (Date.now() < deadline) {
    reasons = await unsettled(pool, collector, expectedIds).catch((err: Error) => [
      `ledger unreadable: ${err.message}`,
    ]);
    if (reasons.length === 0) {
      quietSince ??= Date.now();
      if (Date.now() - quietSince >= 3_000) return [];
    } else {
      quietSince = null;
    }
    await sleep(1_000);
  }
  return reasons;
}
