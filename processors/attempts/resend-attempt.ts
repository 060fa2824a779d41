import type { AnyOutcome } from "../../core/domain/attempt-outcome.ts";
import type { Payment } from "../../core/domain/payment.ts";
import type { CallDiagnostics } from "../../core/ports/payment-connector.ts";
import type { Attempt } from "../../db/repositories/attempts-repo.ts";
import { findRefund } from "../../db/repositories/refunds-repo.ts";
import type { ProcessorContext } from "../context.ts";
import { authorizeRequest } from "../handlers/confirm-payment.ts";
import { callPsp } from "../handlers/psp-call.ts";
import { scoreParked } from "./score-parked.ts";

type Diagnosed = AnyOutcome & { diagnostics: CallDiagnostics };

/**
 * Asks the PSP again about an open attempt, always under the attempt's own idempotency key, so the
 * answer is about the original request (ADR 0008): a parked request is sent (it never left); an
 * authorization is re-read (Stripe: retrieve by id, or replay; Adyen: replay); a capture, void or refund
 * is re-sent, which the PSP answers from its idempotency store; a refund the PSP accepted is re-read.
 * Null when there is nothing to ask (a parked payment that fraud scoring blocked, or still cannot score).
 */
export async function resendAttempt(
  ctx: ProcessorContext,
  attempt: Attempt,
  payment: Payment,
): Promise<Diagnosed | null> {
  const connector = ctx.connectors[payment.psp];
  const base = { paymentId: payment.paymentId, attemptId: attempt.attemptId };
  const timed = (call: () => Promise<Diagnosed>) => callPsp(payment.psp, attempt.operation, call);
  switch (attempt.operation) {
    case "authorize": {
      if (attempt.status === "parked") {
        const scored = payment.riskDecision === null ? await scoreParked(ctx, attempt, payment) : payment;
        return scored ? timed(() => authorizeRequest(ctx, scored, attempt.attemptId)) : null;
      }
      return timed(() =>
        connector.sync({
          ...base,
          amount: { minor: payment.amount, currency: payment.currency },
          ...((attempt.pspReference ?? payment.pspReference)
            ? { pspReference: (attempt.pspReference ?? payment.pspReference) as string }
            : {}),
          ...(payment.paymentMethodToken ? { paymentMethodToken: payment.paymentMethodToken } : {}),
          captureMethod: payment.captureMethod,
        }),
      );
    }
    case "capture":
      return timed(() =>
        connector.capture({
          ...base,
          pspReference: payment.pspReference ?? "",
          amount: { minor: attempt.amount ?? payment.amountCapturable, currency: payment.currency },
        }),
      );
    case "cancel":
      return timed(() => connector.cancel({ ...base, pspReference: payment.pspReference ?? "" }));
    case "refund": {
      const refund = attempt.refundId ? await findRefund(ctx.pool, attempt.refundId, payment.currency) : null;
      if (!refund) throw new Error(`refund attempt ${attempt.attemptId} without its refund`);
      if (attempt.status === "accepted" && attempt.pspReference) {
        const pspRefundReference = attempt.pspReference;
        return timed(() =>
          connector.refundStatus({
            ...base,
            refundId: refund.refundId,
            pspReference: payment.pspReference ?? "",
            pspRefundReference,
          }),
        );
      }
      return timed(() =>
        connector.refund({
          ...base,
          refundId: refund.refundId,
          pspReference: payment.pspReference ?? "",
          amount: { minor: refund.amount, currency: refund.currency },
          ...(refund.reason ? { reason: refund.reason } : {}),
        }),
      );
    }
  }
}
