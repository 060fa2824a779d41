import { step } from "../../core/domain/attempt-outcome.ts";
import { transaction } from "../../db/pool.ts";
import { type Attempt, finishAttempt, lockAttempt } from "../../db/repositories/attempts-repo.ts";
import { replacePendingResult } from "../../db/repositories/commands-repo.ts";
import { insertOutboxEvents } from "../../db/repositories/outbox-repo.ts";
import { lockPayment, updatePayment } from "../../db/repositories/payments-repo.ts";
import type { ProcessorContext } from "../context.ts";
import { replyForPayment } from "../handlers/payment-reply.ts";

/**
 * A parked authorization past its deadline never reached the PSP (every try was refused before
 * sending), so nothing can have been charged: the payment fails with psp_unavailable (or
 * fraud_unavailable when it could never be scored) and its payment.failed.v1.
 */
export async function giveUpParked(ctx: ProcessorContext, attempt: Attempt): Promise<void> {
  await transaction(ctx.pool, async (client) => {
    const payment = await lockPayment(client, attempt.paymentId);
    const current = await lockAttempt(client, attempt.attemptId);
    if (!payment || current?.status !== "parked" || payment.status !== "processing") return;
    const reason = payment.riskDecision === null ? "fraud_unavailable" : "psp_unavailable";
    const saved = await updatePayment(client, {
      ...step(payment, ["abandoned"]),
      failureReason: reason,
      pspCode: null,
    });
    await finishAttempt(client, attempt.attemptId, {
      status: "failed",
      requests: 0,
      pspMessage: `${reason}: gave up after the park deadline; never reached the PSP`,
    });
    await insertOutboxEvents(client, [ctx.events.failed(saved, null)]);
    await replacePendingResult(client, attempt.commandId, replyForPayment(saved));
  });
}
