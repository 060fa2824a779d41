import { randomUUID } from "node:crypto";
import type { CommandReply, PaymentCommand } from "../../core/domain/commands.ts";
import { errors, type PaymentError } from "../../core/domain/errors.ts";
import type { Payment } from "../../core/domain/payment.ts";
import { type PoolClient, transaction } from "../../db/pool.ts";
import {
  type AttemptOperation,
  findAttemptForCommand,
  findOpenAttempts,
  insertAttempt,
  lockAttempt,
} from "../../db/repositories/attempts-repo.ts";
import { saveCommandReply } from "../../db/repositories/commands-repo.ts";
import { findPayment, lockPayment } from "../../db/repositories/payments-repo.ts";
import { completeCommand } from "../command-transaction.ts";
import { type ProcessorContext, reply } from "../context.ts";

export interface Started {
  payment: Payment;
  attemptId: string;
  /** Final phase: `work` runs with the payment locked, unless the attempt was already settled elsewhere. */
  complete(
    work: (client: PoolClient, payment: Payment) => Promise<CommandReply>,
    settled?: (client: PoolClient, payment: Payment) => Promise<CommandReply>,
  ): Promise<void>;
}

interface Options {
  refuse(p: Payment): PaymentError | null;
  amount(p: Payment): bigint | null;
  /** Extra writes of the opening transaction (e.g. reserving a refund); returns the attempt's refund id. */
  open?(client: PoolClient, p: Payment): Promise<{ refundId?: string }>;
}

/**
 * Opening phase of a PSP operation: with the payment locked, check the command is allowed and record a
 * pending attempt, then commit before any network call. Refusals are replied here. A redelivered
 * command gets its existing attempt back, so the PSP sees the same idempotency key again.
 */
export async function startPspOperation(
  ctx: ProcessorContext,
  cmd: PaymentCommand,
  operation: AttemptOperation,
  options: Options,
): Promise<Started | null> {
  const resumed = await findAttemptForCommand(ctx.pool, cmd.commandId, operation);
  if (resumed) {
    const payment = await findPayment(ctx.pool, cmd.paymentId);
    if (!payment) throw new Error(`attempt ${resumed.attemptId} without payment`);
    return started(ctx, cmd, payment, resumed.attemptId);
  }
  const attemptId = randomUUID();
  const opened = await transaction(ctx.pool, async (client) => {
    const payment = await lockPayment(client, cmd.paymentId);
    const refusal = !payment
      ? errors.notFound("payment")
      : (options.refuse(payment) ??
        ((await findOpenAttempts(client, payment.paymentId)).length > 0
          ? errors.operationInProgress()
          : null));
    if (refusal || !payment) {
      await saveCommandReply(client, cmd, reply.error(refusal ?? errors.notFound("payment")));
      return null;
    }
    const { refundId } = (await options.open?.(client, payment)) ?? {};
    await insertAttempt(client, {
      attemptId,
      paymentId: payment.paymentId,
      commandId: cmd.commandId,
      operation,
      psp: payment.psp,
      amount: options.amount(payment),
      currency: payment.currency,
      pspReference: payment.pspReference,
      ...(refundId ? { refundId } : {}),
    });
    return payment;
  });
  return opened ? started(ctx, cmd, opened, attemptId) : null;
}

function started(ctx: ProcessorContext, cmd: PaymentCommand, payment: Payment, attemptId: string): Started {
  return {
    payment,
    attemptId,
    async complete(work, settled) {
      await completeCommand(ctx, cmd, async (client) => {
        const locked = await lockPayment(client, payment.paymentId);
        const attempt = await lockAttempt(client, attemptId);
        if (!locked || !attempt) throw new Error(`payment or attempt ${attemptId} vanished`);
        if (attempt.status === "succeeded" || attempt.status === "failed") {
          return settled ? settled(client, locked) : reply.payment(200, locked);
        }
        return work(client, locked);
      });
    },
  };
}
