import type { PspFact } from "../../core/domain/psp-facts.ts";
import { reviewsOpened } from "../../core/infra/metrics.ts";
import { findOpenAttempts } from "../../db/repositories/attempts-repo.ts";
import { replacePendingResult } from "../../db/repositories/commands-repo.ts";
import type { PspEventOutcome } from "../../db/repositories/psp-events-repo.ts";
import { openReview } from "../../db/repositories/reviews-repo.ts";
import { settleAttempt } from "../attempts/settle-attempt.ts";
import { type FactInput, webhookDiagnostics } from "./webhook-fact-input.ts";

type OperationFailed = Extract<PspFact, { kind: "capture_failed" | "cancel_failed" }>;

/**
 * The PSP reports that a capture or void it had accepted failed (Adyen CAPTURE / CANCELLATION with
 * success=false). The accepted attempt ends failed through the usual settle path, so the payment stays
 * where the money is (requires_capture); a person is told either way. Never left `succeeded`.
 */
export async function applyOperationFailed(
  input: FactInput,
  fact: OperationFailed,
): Promise<PspEventOutcome> {
  const { ctx, client, payment, event } = input;
  const operation = fact.kind === "capture_failed" ? "capture" : "cancel";
  const attempt = (await findOpenAttempts(client, payment.paymentId)).find((a) => a.operation === operation);
  if (attempt) {
    const settled = await settleAttempt(ctx, client, {
      paymentId: payment.paymentId,
      attemptId: attempt.attemptId,
      outcome: {
        kind: "rejected",
        pspCode: fact.pspCode,
        message: fact.message,
        diagnostics: webhookDiagnostics(event),
      },
      traceparent: input.traceparent,
      firstRequest: false,
    });
    await replacePendingResult(client, attempt.commandId, settled.reply);
  }
  const reason = `${fact.kind}`;
  await openReview(client, {
    paymentId: payment.paymentId,
    attemptId: null,
    reason,
    detail: `${fact.pspCode}: ${fact.message}; payment ${attempt ? "left" : "was"} ${payment.status}`,
  });
  reviewsOpened.inc({ reason });
  ctx.logger.warn(
    { payment_id: payment.paymentId, psp: payment.psp, psp_code: fact.pspCode, reason },
    "the PSP reports a failed capture or cancellation; sent to manual review",
  );
  return "applied";
}
