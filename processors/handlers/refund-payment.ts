import type { PaymentCommand } from "../../core/domain/commands.ts";
import { errors, type PaymentError } from "../../core/domain/errors.ts";
import type { Payment, Refund } from "../../core/domain/payment.ts";
import { transition } from "../../core/domain/state-machine.ts";
import type { PoolClient } from "../../db/pool.ts";
import { finishAttempt } from "../../db/repositories/attempts-repo.ts";
import { insertOutboxEvents } from "../../db/repositories/outbox-repo.ts";
import { updatePayment } from "../../db/repositories/payments-repo.ts";
import { findRefund, insertRefund, settleRefund } from "../../db/repositories/refunds-repo.ts";
import { type ProcessorContext, reply } from "../context.ts";
import { callPsp } from "./psp-call.ts";
import { startPspOperation } from "./start-psp-operation.ts";

type RefundCommand = Extract<PaymentCommand, { type: "refund" }>;
type Traced = { traceparent: string | null };

const refundable = (p: Payment) => p.amountCaptured - p.amountRefunded - p.amountRefundPending;

/**
 * The refund amount is reserved (amount_refund_pending) in the opening transaction under the payment's
 * row lock, so concurrent refunds can never add up to more than was captured; a CHECK constraint backs it.
 */
export async function refundPayment(ctx: ProcessorContext, cmd: RefundCommand & Traced): Promise<void> {
  const { refund_id: refundId, reason } = cmd.body;
  const requested = (p: Payment) =>
    cmd.body.amount_minor === null ? refundable(p) : BigInt(cmd.body.amount_minor);
  const started = await startPspOperation(ctx, cmd, "refund", {
    refuse: (p) => refundRefusal(p, requested(p)),
    amount: requested,
    open: async (client, p) => {
      const amount = requested(p);
      const now = new Date();
      await insertRefund(client, {
        refundId,
        paymentId: p.paymentId,
        amount,
        currency: p.currency,
        reason,
        status: "pending",
        createdAt: now,
        processedAt: null,
      });
      await updatePayment(client, { ...p, amountRefundPending: p.amountRefundPending + amount });
      return { refundId };
    },
  });
  if (!started) return;
  const { payment, attemptId } = started;
  const refund = await findRefund(ctx.pool, refundId, payment.currency);
  if (!refund) throw new Error(`refund ${refundId} vanished`);
  const outcome = await callPsp(payment.psp, "refund", () =>
    ctx.connectors[payment.psp].refund({
      paymentId: payment.paymentId,
      refundId,
      attemptId,
      pspReference: payment.pspReference ?? "",
      amount: { minor: refund.amount, currency: refund.currency },
      ...(reason ? { reason } : {}),
    }),
  );
  const currentRefund = async (client: PoolClient) =>
    reply.refund(200, (await findRefund(client, refundId, payment.currency)) ?? refund);

  await started.complete(async (client, p) => {
    const base = {
      requests: outcome.diagnostics.requests,
      httpStatus: outcome.diagnostics.httpStatus ?? null,
    };
    switch (outcome.kind) {
      case "refund_succeeded": {
        await finishAttempt(client, attemptId, {
          ...base,
          status: "succeeded",
          pspReference: outcome.pspRefundReference,
        });
        const settled = await settleRefundSucceeded(client, p, refund);
        // Already settled by its webhook: the refund is as stored, and its event is out.
        if (!settled) return currentRefund(client);
        await insertOutboxEvents(client, [
          ctx.events.refunded(settled.payment, settled.refund, cmd.traceparent),
        ]);
        return reply.refund(200, settled.refund);
      }
      case "refund_pending":
        await finishAttempt(client, attemptId, {
          ...base,
          status: "succeeded",
          pspReference: outcome.pspRefundReference,
          pspStatus: "pending",
        });
        return reply.refund(200, refund);
      case "indeterminate":
        await finishAttempt(client, attemptId, { ...base, status: "unknown", pspMessage: outcome.reason });
        return reply.refund(202, refund);
      case "unavailable":
        await finishAttempt(client, attemptId, { ...base, status: "failed", pspMessage: outcome.reason });
        await releaseRefund(client, p, refund);
        return reply.error(errors.unavailable(`The ${p.psp} payment processor is unavailable; retry later`));
      default: {
        await finishAttempt(client, attemptId, {
          ...base,
          status: "failed",
          pspCode: outcome.pspCode,
          pspMessage: outcome.message,
        });
        return reply.refund(200, await releaseRefund(client, p, refund));
      }
    }
  }, currentRefund);
}

function refundRefusal(p: Payment, amount: bigint): PaymentError | null {
  if (p.status === "refunded") return errors.refundExceedsCaptured();
  if (!transition(p.status, "refund").ok)
    return errors.invalidState(`Payment in status ${p.status} cannot be refunded`);
  if (amount <= 0n || amount > refundable(p)) return errors.refundExceedsCaptured();
  return null;
}

/**
 * Moves a pending refund to succeeded and the payment to partially_refunded / refunded. The caller holds
 * the payment's row lock; a refund no longer pending (its handler and its webhook both report it) is
 * left alone and null returned, so the amounts move once.
 */
export async function settleRefundSucceeded(
  client: PoolClient,
  p: Payment,
  refund: Refund,
): Promise<{ payment: Payment; refund: Refund } | null> {
  if ((await findRefund(client, refund.refundId, p.currency))?.status !== "pending") return null;
  const amountRefunded = p.amountRefunded + refund.amount;
  const result = transition(p.status, amountRefunded === p.amountCaptured ? "refund_full" : "refund_partial");
  if (!result.ok) throw new Error(`illegal refund transition from ${p.status} for ${p.paymentId}`);
  const payment = await updatePayment(client, {
    ...p,
    status: result.to,
    amountRefunded,
    amountRefundPending: p.amountRefundPending - refund.amount,
  });
  return { payment, refund: await settleRefund(client, refund.refundId, "succeeded", p.currency) };
}

/** A refund that failed gives its reservation back (once: a refund no longer pending is returned as is). */
export async function releaseRefund(client: PoolClient, p: Payment, refund: Refund): Promise<Refund> {
  const current = await findRefund(client, refund.refundId, p.currency);
  if (current && current.status !== "pending") return current;
  await updatePayment(client, { ...p, amountRefundPending: p.amountRefundPending - refund.amount });
  return settleRefund(client, refund.refundId, "failed", p.currency);
}
