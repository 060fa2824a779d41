import type { PspName } from "../../core/domain/payment-status.ts";
import { isPaymentFact, type PspEventRefs, type PspFact } from "../../core/domain/psp-facts.ts";
import { linkActiveSpan, tracing } from "../../core/infra/tracing/spans.ts";
import { toWebhookRecord, type WebhookDelivery } from "../../core/infra/webhook-codec.ts";
import { findOpenAttempts, latestAttemptTraceparent } from "../../db/repositories/attempts-repo.ts";
import { findPaymentIdByPspReference, lockPayment } from "../../db/repositories/payments-repo.ts";
import {
  claimPspEvent,
  deferPspEvent,
  finishPspEvent,
  type PspEventOutcome,
} from "../../db/repositories/psp-events-repo.ts";
import { findRefundPaymentId } from "../../db/repositories/refunds-repo.ts";
import type { ProcessorContext } from "../context.ts";
import { recordDispute } from "./record-dispute.ts";
import type { FactInput } from "./webhook-fact-input.ts";
import { applyOperationFailed } from "./webhook-operation-failed.ts";
import { applyPaymentFact } from "./webhook-payment-fact.ts";
import { applyRefundFact } from "./webhook-refund-fact.ts";

export interface WebhookPolicy {
  /** A pending attempt younger than this belongs to its live handler (the janitor's JANITOR_MIN_AGE_MS). */
  liveAttemptMs: number;
  /** How soon a parked event is looked at again (WEBHOOK_RETRY_MS). */
  retryMs: number;
}

export type TracedDelivery = WebhookDelivery & { traceparent: string | null };

/** A parked event, as stored in processed_psp_events.payload. */
export const parkedPayload = (d: TracedDelivery) => ({ ...toWebhookRecord(d), traceparent: d.traceparent });

/**
 * Applies one verified PSP event exactly once in effect: the inbox row (psp, event_id) is locked, its
 * effects and processed_at commit together, and a processed row makes a redelivery a no-op. While a PSP
 * call on the payment is live, its handler owns the outcome: the event is parked and applied afterwards.
 */
export async function applyWebhookEvent(
  ctx: ProcessorContext,
  delivery: TracedDelivery,
  policy: WebhookPolicy,
): Promise<PspEventOutcome | "duplicate"> {
  const { event } = delivery;
  const key = { psp: event.psp, eventId: event.eventId, type: event.type };
  const { refs, fact } = ctx.connectors[event.psp].interpretWebhook(event);
  const paymentId = await resolvePaymentId(ctx, event.psp, refs);
  if (paymentId && tracing())
    linkActiveSpan(await latestAttemptTraceparent(ctx.pool, paymentId), { "payment.id": paymentId });
  const outcome = await ctx.commits.transaction(paymentId ?? event.eventId, async (client) => {
    if ((await claimPspEvent(client, key)).processed) return "duplicate" as const;
    const payment = paymentId ? await lockPayment(client, paymentId) : null;
    if (!payment) {
      await finishPspEvent(client, key, "unknown_payment", null);
      return "unknown_payment" as const;
    }
    const input: FactInput = { ctx, client, payment, refs, event, traceparent: delivery.traceparent };
    const result = await applyFact(input, fact, policy);
    if (result === "deferred") {
      const payload = parkedPayload(delivery);
      await deferPspEvent(client, key, { paymentId: payment.paymentId, payload, delayMs: policy.retryMs });
    } else await finishPspEvent(client, key, result, payment.paymentId);
    return result;
  });
  const log = ctx.logger.child({
    psp: event.psp,
    event_id: event.eventId,
    event_type: event.type,
    payment_id: paymentId ?? undefined,
    outcome,
  });
  if (outcome === "applied") log.info({ fact: fact.kind }, "webhook applied");
  else if (outcome === "stale")
    log.info({ fact: fact.kind }, "webhook does not apply to the payment's status; ignored");
  else if (outcome === "unknown_payment") log.info("webhook names no payment we know; recorded and skipped");
  else log.debug({ fact: fact.kind }, "webhook handled");
  return outcome;
}

async function applyFact(input: FactInput, fact: PspFact, policy: WebhookPolicy): Promise<PspEventOutcome> {
  if (fact.kind === "informational") return "ignored";
  if (fact.kind === "dispute") return recordDispute(input, fact);
  if (await liveAttempt(input, policy.liveAttemptMs)) return "deferred";
  if (fact.kind === "refund_succeeded" || fact.kind === "refund_failed") return applyRefundFact(input, fact);
  if (fact.kind === "capture_failed" || fact.kind === "cancel_failed")
    return applyOperationFailed(input, fact);
  if (isPaymentFact(fact)) return applyPaymentFact(input, fact);
  return "ignored";
}

/** A PSP call on the payment that is still running: pending, and younger than a call with its retries. */
async function liveAttempt(input: FactInput, liveAttemptMs: number): Promise<boolean> {
  const cutoff = Date.now() - liveAttemptMs;
  const open = await findOpenAttempts(input.client, input.payment.paymentId);
  return open.some((a) => a.status === "pending" && a.startedAt.getTime() > cutoff);
}

/** Our payment, by the most specific reference the event carries (re-derived, not the record's key). */
async function resolvePaymentId(
  ctx: ProcessorContext,
  psp: PspName,
  refs: PspEventRefs,
): Promise<string | null> {
  const db = ctx.pool;
  if (refs.attemptId) {
    const paymentId = await ctx.attemptOwners.paymentOf(refs.attemptId);
    if (paymentId) return paymentId;
  }
  if (refs.paymentId) return refs.paymentId;
  if (refs.refundId) {
    const paymentId = await findRefundPaymentId(db, refs.refundId);
    if (paymentId) return paymentId;
  }
  return refs.pspReference ? findPaymentIdByPspReference(db, psp, refs.pspReference) : null;
}
