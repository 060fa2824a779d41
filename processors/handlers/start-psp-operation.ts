import { randomUUID } from "node:crypto";
import type { AnyOutcome } from "../../core/domain/attempt-outcome.ts";
import { commandResult } from "../../core/domain/command-result.ts";
import type { PaymentCommand } from "../../core/domain/commands.ts";
import { errors, type PaymentError } from "../../core/domain/errors.ts";
import type { Payment } from "../../core/domain/payment.ts";
import type { CallDiagnostics } from "../../core/ports/payment-connector.ts";
import type { PoolClient } from "../../db/pool.ts";
import {
  type Attempt,
  type AttemptOperation,
  findAttemptForCommand,
  findOpenAttempts,
  insertAttempt,
} from "../../db/repositories/attempts-repo.ts";
import { saveCommandResult } from "../../db/repositories/commands-repo.ts";
import { findPayment, lockPayment } from "../../db/repositories/payments-repo.ts";
import { settleAttempt } from "../attempts/settle-attempt.ts";
import { completeCommand } from "../command-transaction.ts";
import type { ProcessorContext } from "../context.ts";
import { ownedPayment } from "./owned-payment.ts";
import { callPsp } from "./psp-call.ts";

export interface Started {
  payment: Payment;
  attemptId: string;
  amount: bigint | null;
  refundId: string | null;
  /** This handler recorded the attempt just now: its first request cannot have reached the PSP before. */
  firstRequest: boolean;
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
  cmd: PaymentCommand & { mayHaveAttempt?: boolean },
  operation: AttemptOperation,
  options: Options,
): Promise<Started | null> {
  const resumed =
    cmd.mayHaveAttempt === false ? null : await findAttemptForCommand(ctx.pool, cmd.commandId, operation);
  if (resumed) {
    const payment = await findPayment(ctx.pool, cmd.paymentId);
    if (!payment) throw new Error(`attempt ${resumed.attemptId} without payment`);
    return fromAttempt(payment, resumed);
  }
  const attemptId = randomUUID();
  return ctx.commits.transaction(cmd.paymentId, async (client) => {
    const payment = ownedPayment(await lockPayment(client, cmd.paymentId), cmd);
    const refusal = !payment
      ? errors.notFound("payment")
      : (options.refuse(payment) ??
        ((await findOpenAttempts(client, payment.paymentId)).some(blocks)
          ? errors.operationInProgress()
          : null));
    if (refusal || !payment) {
      await saveCommandResult(client, cmd, commandResult.rejected(refusal ?? errors.notFound("payment")));
      return null;
    }
    const { refundId } = (await options.open?.(client, payment)) ?? {};
    const amount = options.amount(payment);
    await insertAttempt(client, {
      attemptId,
      paymentId: payment.paymentId,
      commandId: cmd.commandId,
      operation,
      psp: payment.psp,
      amount,
      currency: payment.currency,
      pspReference: payment.pspReference,
      firstCheckMs: ctx.lifecycle.pendingCheckMs,
      ...(refundId ? { refundId } : {}),
    });
    return { payment, attemptId, amount, refundId: refundId ?? null, firstRequest: true };
  });
}

/**
 * An open attempt keeps new operations off the payment while its PSP call may be running. A refund the
 * PSP accepted and settles later does not: its amount stays reserved, so further refunds are safe.
 */
const blocks = (a: Attempt) => !(a.operation === "refund" && a.status === "accepted");

export function fromAttempt(payment: Payment, attempt: Attempt): Started {
  return {
    payment,
    attemptId: attempt.attemptId,
    amount: attempt.amount,
    refundId: attempt.refundId,
    firstRequest: false,
  };
}

/** Calls the PSP (no transaction open), then settles the outcome and the command's reply in one commit. */
export async function callAndSettle(
  ctx: ProcessorContext,
  cmd: PaymentCommand & { traceparent: string | null },
  started: Started,
  operation: AttemptOperation,
  call: () => Promise<Diagnosed>,
  extra: { cancelReason?: string | null } = {},
): Promise<void> {
  const outcome = await callPsp(started.payment.psp, operation, call);
  await settleCommand(ctx, cmd, started, outcome, extra);
}

type Diagnosed = AnyOutcome & { diagnostics: CallDiagnostics };

/** Settles a PSP outcome and stores the command's reply, in one transaction. */
export async function settleCommand(
  ctx: ProcessorContext,
  cmd: PaymentCommand & { traceparent: string | null },
  started: Started,
  outcome: Diagnosed,
  extra: { cancelReason?: string | null } = {},
): Promise<void> {
  await completeCommand(ctx, cmd, async (client) => {
    const settled = await settleAttempt(ctx, client, {
      paymentId: started.payment.paymentId,
      attemptId: started.attemptId,
      outcome,
      traceparent: cmd.traceparent,
      firstRequest: started.firstRequest,
      ...extra,
    });
    return settled.reply;
  });
}
