import { errors, PaymentError } from "../../core/domain/errors.ts";
import type { Payment } from "../../core/domain/payment.ts";
import type { Logger } from "../../core/infra/logger.ts";
import type { Principal } from "../../core/security/api-keys.ts";
import { appendAudit } from "../../db/repositories/audit-repo.ts";
import type { Review } from "../../db/repositories/reviews-repo.ts";
import { httpStatusOf } from "../../http-ingress/presentation/error-response.ts";
import type { ProcessorContext } from "../context.ts";
import { REVIEW_ACTIONS, type ReviewAction, resolveReviewAction } from "./resolve-review.ts";

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The operator's name as recorded beside the key (resolved_by holds 64 characters). */
export const MAX_OPERATOR_NAME = 38;

/** An operator's decision as it arrives, from the JSON API or the console's form. */
export interface OperatorDecision {
  reviewId: string;
  action: unknown;
  note: unknown;
  /** The person's name when the caller sends one; the key is always recorded. */
  operatorName: string;
  clientIp: string | null;
}

/**
 * One path for every operator decision on a review: the input checked, the review resolved
 * (ops_audit row), and an audit_log row with the ops key that acted, refusals included.
 */
export async function resolveAsOperator(
  ctx: ProcessorContext,
  principal: Principal,
  d: OperatorDecision,
  logger: Logger,
): Promise<{ review: Review; payment: Payment | null }> {
  const audit = (outcome: number, paymentId: string | null, errorCode: string | null) =>
    appendAudit(ctx.pool, {
      merchantId: principal.merchantId,
      keyId: principal.keyId,
      clientIp: d.clientIp,
      action: "ops.review.resolve",
      paymentId,
      requestId: null,
      outcome,
      errorCode,
    }).catch((err: Error) => logger.error({ err: err.message }, "audit row not written"));
  try {
    if (!UUID.test(d.reviewId)) throw errors.notFound("review");
    const action = checkedAction(d.action);
    const name = d.operatorName.slice(0, MAX_OPERATOR_NAME);
    const result = await resolveReviewAction(ctx, {
      reviewId: d.reviewId,
      action,
      note: checkedNote(d.note),
      actor: name ? `${name} (${principal.keyId})` : principal.keyId,
    });
    if (!result.ok) throw result.error;
    await audit(200, result.review.paymentId, null);
    return { review: result.review, payment: result.payment };
  } catch (err) {
    const known = err instanceof PaymentError ? err : null;
    await audit(known ? httpStatusOf(known) : 500, null, known?.code ?? "internal_error");
    throw err;
  }
}

function checkedAction(action: unknown): ReviewAction {
  if (REVIEW_ACTIONS.includes(action as ReviewAction)) return action as ReviewAction;
  throw errors.validation("invalid_action", `action must be one of ${REVIEW_ACTIONS.join(", ")}`, "action");
}

function checkedNote(note: unknown): string | null {
  if (note === undefined || note === null || note === "") return null;
  if (typeof note !== "string" || note.length > 1000)
    throw errors.validation("invalid_note", "note must be a string of at most 1000 characters", "note");
  return note;
}
