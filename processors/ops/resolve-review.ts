import { randomUUID } from "node:crypto";
import type { AnyOutcome } from "../../core/domain/attempt-outcome.ts";
import type { CommandResult } from "../../core/domain/command-result.ts";
import type { PaymentCommand } from "../../core/domain/commands.ts";
import { errors, type PaymentError } from "../../core/domain/errors.ts";
import type { Payment } from "../../core/domain/payment.ts";
import { transaction } from "../../db/pool.ts";
import { type Attempt, lockAttempt } from "../../db/repositories/attempts-repo.ts";
import { findCommandResult, replacePendingResult } from "../../db/repositories/commands-repo.ts";
import { findPayment, lockPayment } from "../../db/repositories/payments-repo.ts";
import {
  insertAudit,
  lockReview,
  type Review,
  type ReviewResolution,
  resolveReview,
} from "../../db/repositories/reviews-repo.ts";
import { settleAttempt } from "../attempts/settle-attempt.ts";
import type { ProcessorContext } from "../context.ts";
import { cancelPayment } from "../handlers/cancel-payment.ts";
import { refundPayment } from "../handlers/refund-payment.ts";

export type ReviewAction = Exclude<ReviewResolution, "resolved_by_psp">;
export const REVIEW_ACTIONS: readonly ReviewAction[] = ["mark_succeeded", "mark_failed", "void", "refund"];

export interface ResolveRequest {
  reviewId: string;
  action: ReviewAction;
  note: string | null;
  actor: string;
}

export type ResolveResult =
  | { ok: true; review: Review; payment: Payment | null }
  | { ok: false; error: PaymentError };

/**
 * An operator's decision on a review. mark_succeeded / mark_failed answer the open attempt as the PSP
 * would have (the operator checked the PSP's dashboard), through the same settle path as every other
 * answer; void and refund run the usual commands. The review closes and an audit row is written either way.
 */
export async function resolveReviewAction(
  ctx: ProcessorContext,
  req: ResolveRequest,
): Promise<ResolveResult> {
  const review = await transaction(ctx.pool, (client) => lockReview(client, req.reviewId));
  if (!review) return { ok: false, error: errors.notFound("review") };
  if (review.resolvedAt)
    return { ok: false, error: stateError("review_resolved", "The review is already resolved") };

  if (req.action === "void" || req.action === "refund") {
    const result = await runCommand(ctx, review, req.action);
    if (result.kind === "rejected") {
      return audited(ctx, req, review, summary(result), "refused", result.error);
    }
    if (result.kind === "legacy") throw new Error("a command run now cannot have a legacy result");
    return closeReview(ctx, req, review, summary(result));
  }
  const settled = await transaction(ctx.pool, async (client) => {
    // Payment first, then attempt: the order every settle path locks in.
    const payment = await lockPayment(client, review.paymentId);
    if (!payment) throw new Error(`review ${review.reviewId} of unknown payment`);
    const attempt = review.attemptId ? await lockAttempt(client, review.attemptId) : null;
    if (!attempt || attempt.status === "succeeded" || attempt.status === "failed") return null;
    const outcome = operatorOutcome(attempt, payment, req.action === "mark_succeeded");
    const result = await settleAttempt(ctx, client, {
      paymentId: payment.paymentId,
      attemptId: attempt.attemptId,
      outcome: { ...outcome, diagnostics: { requests: 0, rawStatus: `manual ${req.action}` } },
      traceparent: null,
      firstRequest: false,
    });
    await replacePendingResult(client, attempt.commandId, result.reply);
    return summary(result.reply);
  });
  if (settled === null) {
    const error = stateError(
      "no_open_attempt",
      "The review has no open attempt to mark; void or refund instead",
    );
    return audited(ctx, req, review, { code: error.code, message: error.message }, "refused", error);
  }
  return closeReview(ctx, req, review, settled);
}

const stateError = (code: string, message: string) => errors.conflict(code, message);

/** What the PSP would have answered, as the operator found it. */
function operatorOutcome(attempt: Attempt, p: Payment, succeeded: boolean): AnyOutcome {
  const failed = { pspCode: "manual_review", message: "marked failed in manual review" };
  switch (attempt.operation) {
    case "authorize": {
      if (!succeeded) return { kind: "declined", declineCode: "manual_review", ...failed };
      const captured = p.captureMethod === "automatic";
      return {
        kind: "authorized",
        pspReference: attempt.pspReference ?? p.pspReference ?? `manual_${attempt.attemptId}`,
        captured,
        amountCapturable: captured ? 0n : p.amount,
        amountCaptured: captured ? p.amount : 0n,
      };
    }
    case "capture":
      return succeeded
        ? {
            kind: "captured",
            amountCaptured: attempt.amount ?? p.amountCapturable,
            pspReference: p.pspReference ?? "",
          }
        : { kind: "rejected", ...failed };
    case "cancel":
      return succeeded
        ? { kind: "canceled", pspReference: p.pspReference ?? "" }
        : { kind: "rejected", ...failed };
    case "refund":
      return succeeded
        ? {
            kind: "refund_succeeded",
            pspRefundReference: attempt.pspReference ?? `manual_${attempt.attemptId}`,
          }
        : { kind: "refund_failed", ...failed };
  }
}

async function runCommand(ctx: ProcessorContext, review: Review, action: "void" | "refund") {
  const base = {
    commandId: randomUUID(),
    paymentId: review.paymentId,
    issuedAt: new Date(),
    idempotencyKey: null,
    merchantId: review.merchantId,
    traceparent: null,
  };
  const cmd: PaymentCommand & { traceparent: null } =
    action === "void"
      ? { ...base, type: "cancel", body: { reason: "manual_review" } }
      : {
          ...base,
          type: "refund",
          body: { refund_id: randomUUID(), amount_minor: null, reason: "manual_review" },
        };
  // A fresh command id: the handler always ends by storing its reply (or throws).
  await ctx.claims.run(
    cmd.commandId,
    () =>
      cmd.type === "cancel"
        ? cancelPayment(ctx, cmd)
        : refundPayment(ctx, cmd as Extract<typeof cmd, { type: "refund" }>),
    () => true,
  );
  const reply = await findCommandResult(ctx.pool, cmd.commandId);
  if (!reply) throw new Error(`ops ${action} command ${cmd.commandId} left no reply`);
  return reply;
}

async function closeReview(
  ctx: ProcessorContext,
  req: ResolveRequest,
  review: Review,
  outcome: unknown,
): Promise<ResolveResult> {
  // Settling the attempt may have closed the review as resolved by the PSP; the operator's decision wins.
  const resolved = await transaction(ctx.pool, async (client) => {
    const done = await resolveReview(client, review.reviewId, {
      resolution: req.action,
      resolvedBy: req.actor,
      note: req.note,
    });
    await insertAudit(client, auditRow(req, review, "resolved", outcome));
    return done;
  });
  const payment = await findPayment(ctx.pool, review.paymentId);
  return { ok: true, review: resolved, payment };
}

async function audited(
  ctx: ProcessorContext,
  req: ResolveRequest,
  review: Review,
  detail: unknown,
  outcome: string,
  error?: PaymentError,
): Promise<ResolveResult> {
  await insertAudit(ctx.pool, auditRow(req, review, outcome, detail));
  return { ok: false, error: error ?? stateError("action_refused", JSON.stringify(detail).slice(0, 300)) };
}

/** What the audit row keeps of a command's result: what happened, never the payment's details. */
function summary(result: CommandResult): Record<string, unknown> {
  switch (result.kind) {
    case "payment":
      return { result: `payment.${result.disposition}`, status: result.payment.status };
    case "refund":
      return {
        result: `refund.${result.disposition}`,
        status: result.refund.status,
        refund_id: result.refund.refundId,
      };
    case "rejected":
      return { result: "rejected", code: result.error.code, message: result.error.message };
    case "legacy":
      return { result: "legacy", http_status: result.httpStatus };
  }
}

const auditRow = (req: ResolveRequest, review: Review, outcome: string, detail: unknown) => ({
  actor: req.actor,
  action: `review.${req.action}`,
  paymentId: review.paymentId,
  reviewId: review.reviewId,
  outcome,
  detail: { note: req.note, result: detail },
});
