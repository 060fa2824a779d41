import {
  type AnyOutcome,
  type AttemptEnd,
  type Decision,
  decideOutcome,
  type OperationResult,
} from "../../core/domain/attempt-outcome.ts";
import { type CommandResult, commandResult } from "../../core/domain/command-result.ts";
import { errors } from "../../core/domain/errors.ts";
import type { Payment, Refund } from "../../core/domain/payment.ts";
import {
  authorizedTotal,
  pspConfigurationErrors,
  recordAuthorizationOutcome,
} from "../../core/infra/metrics.ts";
import type { CallDiagnostics } from "../../core/ports/payment-connector.ts";
import type { PoolClient } from "../../db/pool.ts";
import { type Attempt, finishAttempt, keepAttemptOpen } from "../../db/repositories/attempts-repo.ts";
import {
  insertOutboxEvents,
  type OutboxEvent,
  type TakenSequence,
} from "../../db/repositories/outbox-repo.ts";
import { lockPaymentAndAttempt } from "../../db/repositories/payment-attempt-lock.ts";
import { updatePayment, updatePaymentTakingSequence } from "../../db/repositories/payments-repo.ts";
import { findRefund, settleRefund } from "../../db/repositories/refunds-repo.ts";
import { openReview, resolveReviewsOfAttempt } from "../../db/repositories/reviews-repo.ts";
import type { ProcessorContext } from "../context.ts";
import { declineMessage, replyForPayment } from "../handlers/payment-reply.ts";
import { nextCheckMs } from "./lifecycle.ts";

export interface SettleInput {
  paymentId: string;
  attemptId: string;
  outcome: AnyOutcome & { diagnostics: CallDiagnostics };
  traceparent: string | null;
  /** The call was the first request of an attempt this very handler recorded: nothing was sent before. */
  firstRequest: boolean;
  /** A janitor check: counts toward the backoff and the review threshold. */
  janitorCheck?: boolean;
  /** Reason carried by a payment.canceled.v1 this settlement emits. */
  cancelReason?: string | null;
}

export interface Settled {
  reply: CommandResult;
  payment: Payment;
  /** The attempt is still open (unknown, parked or accepted) after this outcome. */
  open: boolean;
  attempt: Attempt;
}

/**
 * Load → decide → persist for one PSP outcome, inside the caller's transaction. Every path that learns
 * an outcome (the handler's own call, the janitor's re-send or sync, a webhook) goes through here, so
 * the same answer always moves the ledger the same way. An attempt that is already closed was settled
 * by someone else: the current state is replied and nothing moves.
 */
export async function settleAttempt(
  ctx: ProcessorContext,
  client: PoolClient,
  input: SettleInput,
): Promise<Settled> {
  const locked = await lockPaymentAndAttempt(client, input.paymentId, input.attemptId);
  if (!locked) throw new Error(`outcome for unknown payment/attempt ${input.attemptId}`);
  const { payment, attempt } = locked;
  const refund = attempt.refundId ? await findRefund(client, attempt.refundId, payment.currency) : null;
  if (attempt.status === "succeeded" || attempt.status === "failed") {
    return { reply: currentReply(attempt, payment, refund), payment, open: false, attempt };
  }
  if (refund && refund.status !== "pending") {
    // Its refund was already booked (by a notification): the attempt ends as the refund did, nothing moves twice.
    await finishAttempt(client, attempt.attemptId, {
      status: refund.status,
      requests: input.outcome.diagnostics.requests,
      pspStatus: `refund ${refund.status} already`,
    });
    return { reply: currentReply(attempt, payment, refund), payment, open: false, attempt };
  }
  const view = {
    operation: attempt.operation,
    status: attempt.status,
    amount: attempt.amount,
    mayHaveReachedPsp: !(input.firstRequest || attempt.status === "parked"),
  };
  const noCaller = payment.metadata?.source === "order.created.v1";
  let decision: Decision;
  try {
    decision = decideOutcome(payment, view, refund, input.outcome, { noCaller });
  } catch (err) {
    return conflict(ctx, client, { payment, attempt, refund, input, err: err as Error });
  }
  return persistDecision(ctx, client, { payment, attempt, refund, decision, input });
}

interface Persist {
  payment: Payment;
  attempt: Attempt;
  refund: Refund | null;
  decision: Decision;
  input: SettleInput;
}

export async function persistDecision(
  ctx: ProcessorContext,
  client: PoolClient,
  { payment, attempt, refund, decision, input }: Persist,
): Promise<Settled> {
  let saved = payment;
  let taken: TakenSequence | undefined;
  if (decision.payment !== payment && decision.events.length > 0) {
    const updated = await updatePaymentTakingSequence(client, decision.payment, decision.events.length);
    saved = updated.payment;
    taken = {
      paymentId: saved.paymentId,
      firstSequence: updated.firstSequence,
      count: decision.events.length,
    };
  } else if (decision.payment !== payment) saved = await updatePayment(client, decision.payment);
  let savedRefund = refund;
  if (decision.refund && refund)
    savedRefund = await settleRefund(client, refund.refundId, decision.refund.status, payment.currency);
  const open = await persistAttemptEnd(ctx, client, attempt, decision.attempt, input);
  await insertOutboxEvents(client, outboxEvents(ctx, decision, saved, savedRefund, input), taken);
  if (decision.review) {
    await openReview(client, {
      paymentId: payment.paymentId,
      attemptId: attempt.attemptId,
      reason: decision.review,
    });
  }
  observe(ctx, attempt, saved, input.outcome);
  return { reply: present(decision.result, saved, savedRefund), payment: saved, open, attempt };
}

async function persistAttemptEnd(
  ctx: ProcessorContext,
  client: PoolClient,
  attempt: Attempt,
  end: AttemptEnd,
  input: SettleInput,
): Promise<boolean> {
  const d = input.outcome.diagnostics;
  const base = {
    requests: d.requests,
    httpStatus: d.httpStatus ?? null,
    countSync: input.janitorCheck ?? false,
  };
  const lifecycle = ctx.lifecycle;
  switch (end.status) {
    case "succeeded":
    case "failed":
      await finishAttempt(client, attempt.attemptId, {
        requests: base.requests,
        httpStatus: base.httpStatus,
        status: end.status,
        pspReference: end.pspReference ?? null,
        pspStatus:
          end.status === "succeeded" ? (end.pspStatus ?? d.rawStatus ?? null) : (d.rawStatus ?? null),
        pspCode: end.status === "failed" ? (end.pspCode ?? null) : null,
        pspMessage: end.status === "failed" ? (end.message ?? null) : null,
      });
      // Only the janitor opens a review about an attempt, after checking it: a first answer has none.
      if (attempt.syncCount > 0) await resolveReviewsOfAttempt(client, attempt.attemptId);
      return false;
    case "unknown":
      await keepAttemptOpen(client, attempt.attemptId, {
        ...base,
        status: "unknown",
        pspReference: end.pspReference ?? null,
        pspMessage: end.reason,
        nextCheckMs: nextCheckMs(lifecycle, lifecycle.unknownCheckMs, attempt.syncCount),
      });
      return true;
    case "parked":
      await keepAttemptOpen(client, attempt.attemptId, {
        ...base,
        status: "parked",
        pspMessage: end.reason,
        nextCheckMs: lifecycle.parkRetryMs,
        giveUpAfterMs: lifecycle.parkDeadlineMs,
      });
      return true;
    case "accepted":
      await keepAttemptOpen(client, attempt.attemptId, {
        ...base,
        status: "accepted",
        pspReference: end.pspReference,
        nextCheckMs: nextCheckMs(lifecycle, lifecycle.acceptedCheckMs, attempt.syncCount),
      });
      return true;
  }
}

function outboxEvents(
  ctx: ProcessorContext,
  decision: Decision,
  p: Payment,
  refund: Refund | null,
  input: SettleInput,
): OutboxEvent[] {
  const build = (kind: Decision["events"][number]): OutboxEvent => {
    if (kind === "authorized") return ctx.events.authorized(p, input.traceparent);
    if (kind === "captured") return ctx.events.captured(p, input.traceparent);
    if (kind === "failed") return ctx.events.failed(p, input.traceparent);
    if (kind === "canceled") return ctx.events.canceled(p, input.cancelReason ?? null, input.traceparent);
    if (!refund) throw new Error(`refunded event without a refund for ${p.paymentId}`);
    return ctx.events.refunded(p, refund, input.traceparent);
  };
  return decision.events.map(build);
}

function observe(ctx: ProcessorContext, attempt: Attempt, p: Payment, outcome: SettleInput["outcome"]) {
  if (attempt.operation === "authorize") {
    recordAuthorizationOutcome(p.psp, outcome.kind);
    if (outcome.kind === "authorized") authorizedTotal.inc({ psp: p.psp, capture_method: p.captureMethod });
  }
  if (outcome.kind === "configuration_error") {
    pspConfigurationErrors.inc({ psp: p.psp, operation: attempt.operation });
    ctx.logger.error(
      { payment_id: p.paymentId, psp: p.psp, operation: attempt.operation, psp_code: outcome.pspCode },
      "PSP refused our credentials or account configuration; nothing was charged, the payment stays retryable",
    );
  }
}

/** The typed result, presented as the HTTP answer the caller receives. */
export function present(result: OperationResult, p: Payment, refund: Refund | null): CommandResult {
  switch (result.kind) {
    case "payment":
      return result.final ? replyForPayment(p) : commandResult.payment("pending", p);
    case "refund":
      if (!refund) throw new Error(`refund result without a refund for ${p.paymentId}`);
      return commandResult.refund(result.final ? "settled" : "pending", refund);
    case "declined":
      return commandResult.rejected(errors.declined(result.code, declineMessage(result.code)));
    case "refused":
      return commandResult.rejected(errors.invalidState(result.message));
    case "unavailable":
      return commandResult.rejected(
        errors.pspUnavailable(
          result.code,
          result.code === "psp_unavailable"
            ? `The ${p.psp} payment processor is unavailable; nothing was charged, retry later`
            : `The ${p.psp} payment processor refused our configuration; nothing was charged, retry later`,
        ),
      );
  }
}

function currentReply(attempt: Attempt, p: Payment, refund: Refund | null): CommandResult {
  if (attempt.operation === "refund" && refund) return commandResult.refund("settled", refund);
  return replyForPayment(p);
}

/**
 * An outcome the payment's state cannot take (a capture answer for a payment a webhook already
 * canceled, say): the attempt ends as the PSP said, the payment stays, and a person looks at it.
 */
async function conflict(
  ctx: ProcessorContext,
  client: PoolClient,
  c: { payment: Payment; attempt: Attempt; refund: Refund | null; input: SettleInput; err: Error },
): Promise<Settled> {
  const { payment, attempt, input } = c;
  ctx.logger.error(
    {
      payment_id: payment.paymentId,
      attempt_id: attempt.attemptId,
      outcome: input.outcome.kind,
      err: c.err.message,
    },
    "PSP outcome conflicts with the payment's state; sent to manual review",
  );
  await finishAttempt(client, attempt.attemptId, {
    status: "failed",
    requests: input.outcome.diagnostics.requests,
    pspStatus: input.outcome.kind.slice(0, 64),
    pspMessage: `conflicts with payment status ${payment.status}`,
  });
  await openReview(client, {
    paymentId: payment.paymentId,
    attemptId: attempt.attemptId,
    reason: "outcome_conflicts_with_state",
    detail: `${attempt.operation} ${input.outcome.kind} while ${payment.status}`,
  });
  return { reply: currentReply(attempt, payment, c.refund), payment, open: false, attempt };
}
