import { randomUUID } from "node:crypto";
import type { PaymentCommand } from "../../core/domain/commands.ts";
import type { PspName } from "../../core/domain/payment-status.ts";
import { fallbackPsps } from "../../core/domain/psp-routing.ts";
import { pspReroutes } from "../../core/infra/metrics.ts";
import type { CallDiagnostics } from "../../core/ports/payment-connector.ts";
import { transaction } from "../../db/pool.ts";
import { finishAttempt, insertAttempt, lockAttempt } from "../../db/repositories/attempts-repo.ts";
import { lockPayment, updatePayment } from "../../db/repositories/payments-repo.ts";
import type { ProcessorContext } from "../context.ts";
import type { Started } from "./start-psp-operation.ts";

/**
 * The preferred PSP could not take an authorization whose first request provably never left (breaker
 * open, connection refused): the attempt ends unsent and a new one goes to the next PSP of the
 * currency's PSP_ROUTING. Null when there is none left, and the authorization parks instead.
 */
export async function rerouteUnsent(
  ctx: ProcessorContext,
  cmd: PaymentCommand,
  started: Started,
  unsent: { reason: string; diagnostics: CallDiagnostics },
  tried: readonly PspName[],
): Promise<Started | null> {
  const [next] = fallbackPsps(ctx.routing, started.payment.currency, started.payment.psp, tried);
  if (!next) return null;
  const attemptId = randomUUID();
  const rerouted = await transaction(ctx.pool, async (client) => {
    const payment = await lockPayment(client, started.payment.paymentId);
    const attempt = await lockAttempt(client, started.attemptId);
    if (payment?.status !== "processing" || attempt?.status !== "pending") return null;
    await finishAttempt(client, started.attemptId, {
      status: "failed",
      requests: unsent.diagnostics.requests,
      pspMessage: `not sent (${unsent.reason}); rerouted to ${next}`,
    });
    const moved = await updatePayment(client, { ...payment, psp: next, pspReference: null });
    await insertAttempt(client, {
      attemptId,
      paymentId: moved.paymentId,
      commandId: cmd.commandId,
      operation: "authorize",
      psp: next,
      amount: moved.amount,
      currency: moved.currency,
      firstCheckMs: ctx.lifecycle.pendingCheckMs,
    });
    return { payment: moved, attemptId, amount: moved.amount, refundId: null, firstRequest: true };
  });
  if (rerouted) {
    pspReroutes.inc({ from: started.payment.psp, to: next });
    ctx.logger.warn(
      { payment_id: started.payment.paymentId, from: started.payment.psp, to: next, reason: unsent.reason },
      "PSP could not take the authorization; rerouted",
    );
  }
  return rerouted;
}
