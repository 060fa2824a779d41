import { refundSucceeded, releaseReservation } from "../../core/domain/attempt-outcome.ts";
import type { PaymentCommand } from "../../core/domain/commands.ts";
import { errors, type PaymentError } from "../../core/domain/errors.ts";
import type { Payment, Refund } from "../../core/domain/payment.ts";
import { transition } from "../../core/domain/state-machine.ts";
import type { PoolClient } from "../../db/pool.ts";
import { updatePayment } from "../../db/repositories/payments-repo.ts";
import { findRefund, insertRefund, settleRefund } from "../../db/repositories/refunds-repo.ts";
import type { ProcessorContext } from "../context.ts";
import { callAndSettle, startPspOperation } from "./start-psp-operation.ts";

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
      await insertRefund(client, {
        refundId,
        paymentId: p.paymentId,
        amount,
        currency: p.currency,
        reason,
        status: "pending",
        createdAt: new Date(),
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
  await callAndSettle(ctx, cmd, started, "refund", () =>
    ctx.connectors[payment.psp].refund({
      paymentId: payment.paymentId,
      refundId,
      attemptId,
      pspReference: payment.pspReference ?? "",
      amount: { minor: refund.amount, currency: refund.currency },
      ...(reason ? { reason } : {}),
    }),
  );
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
 * the payment's row lock; a refund no longer pending is left alone and null returned, so the amounts
 * move once.
 */
export async function settleRefundSucceeded(
  client: PoolClient,
  p: Payment,
  refund: Refund,
): Promise<{ payment: Payment; refund: Refund } | null> {
  if ((await findRefund(client, refund.refundId, p.currency))?.status !== "pending") return null;
  const payment = await updatePayment(client, refundSucceeded(p, refund));
  return { payment, refund: await settleRefund(client, refund.refundId, "succeeded", p.currency) };
}

/** A refund that failed gives its reservation back (once: a refund no longer pending is returned as is). */
export async function releaseRefund(client: PoolClient, p: Payment, refund: Refund): Promise<Refund> {
  const current = await findRefund(client, refund.refundId, p.currency);
  if (current && current.status !== "pending") return current;
  await updatePayment(client, releaseReservation(p, refund));
  return settleRefund(client, refund.refundId, "failed", p.currency);
}
