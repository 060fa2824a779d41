import type { Payment } from "../../core/domain/payment.ts";
import { transaction } from "../../db/pool.ts";
import {
  type Attempt,
  finishAttempt,
  keepAttemptOpen,
  lockAttempt,
} from "../../db/repositories/attempts-repo.ts";
import { replacePendingResult } from "../../db/repositories/commands-repo.ts";
import { lockPayment, updatePayment } from "../../db/repositories/payments-repo.ts";
import type { ProcessorContext } from "../context.ts";
import { failBlocked, screen, withVerdict } from "../handlers/fraud-screen.ts";
import { replyForPayment } from "../handlers/payment-reply.ts";

/**
 * A parked authorization that was never scored (fraud scoring was down when it was confirmed) is scored
 * before it is sent: blocked, it fails with its event; still unscorable, it stays parked; otherwise the
 * scored payment is returned, ready to send.
 */
export async function scoreParked(
  ctx: ProcessorContext,
  attempt: Attempt,
  payment: Payment,
): Promise<Payment | null> {
  const verdict = await screen(ctx, payment, payment.paymentMethodToken ?? "");
  return transaction(ctx.pool, async (client) => {
    const locked = await lockPayment(client, payment.paymentId);
    const current = await lockAttempt(client, attempt.attemptId);
    if (!locked || current?.status !== "parked" || locked.status !== "processing") return null;
    if (verdict.action === "refuse") {
      await keepAttemptOpen(client, attempt.attemptId, {
        status: "parked",
        requests: 0,
        pspMessage: `fraud scoring unavailable: ${verdict.reason}`,
        nextCheckMs: ctx.lifecycle.parkRetryMs,
        countSync: true,
      });
      return null;
    }
    if (verdict.action === "block") {
      const failed = await failBlocked(ctx, client, locked, verdict, null);
      await finishAttempt(client, attempt.attemptId, {
        status: "failed",
        requests: 0,
        pspMessage: "blocked by fraud scoring before it was sent",
      });
      await replacePendingResult(client, attempt.commandId, replyForPayment(failed));
      return null;
    }
    return updatePayment(client, withVerdict(locked, verdict));
  });
}
