import { step } from "../../core/domain/attempt-outcome.ts";
import { commandResult } from "../../core/domain/command-result.ts";
import type { PaymentCommand } from "../../core/domain/commands.ts";
import { errors } from "../../core/domain/errors.ts";
import { transition } from "../../core/domain/state-machine.ts";
import { insertOutboxEvents } from "../../db/repositories/outbox-repo.ts";
import { findPayment, lockPayment, updatePayment } from "../../db/repositories/payments-repo.ts";
import { completeCommand } from "../command-transaction.ts";
import type { ProcessorContext } from "../context.ts";
import { ownedPayment } from "./owned-payment.ts";
import { callAndSettle, startPspOperation } from "./start-psp-operation.ts";

type CancelCommand = Extract<PaymentCommand, { type: "cancel" }>;
type Traced = { traceparent: string | null };

/** Before confirmation nothing exists at the PSP, so the cancel is local; after it, the PSP voids first. */
export async function cancelPayment(ctx: ProcessorContext, cmd: CancelCommand & Traced): Promise<void> {
  const reason = cmd.body.reason;
  const local = await completeLocalCancel(ctx, cmd);
  if (local) return;

  const started = await startPspOperation(ctx, cmd, "cancel", {
    refuse: (p) =>
      transition(p.status, "cancel").ok
        ? null
        : errors.invalidState(`Payment in status ${p.status} cannot be canceled`),
    amount: () => null,
  });
  if (!started) return;
  const { payment, attemptId } = started;
  await callAndSettle(
    ctx,
    cmd,
    started,
    "cancel",
    () =>
      ctx.connectors[payment.psp].cancel({
        paymentId: payment.paymentId,
        attemptId,
        pspReference: payment.pspReference ?? "",
      }),
    { cancelReason: reason },
  );
}

const PRE_CONFIRMATION = new Set(["requires_payment_method", "requires_confirmation"]);

async function completeLocalCancel(ctx: ProcessorContext, cmd: CancelCommand & Traced): Promise<boolean> {
  const current = await findPayment(ctx.pool, cmd.paymentId);
  if (current && !PRE_CONFIRMATION.has(current.status)) return false;
  await completeCommand(ctx, cmd, async (client) => {
    const p = ownedPayment(await lockPayment(client, cmd.paymentId), cmd);
    if (!p) return commandResult.rejected(errors.notFound("payment"));
    if (!PRE_CONFIRMATION.has(p.status)) return commandResult.rejected(errors.operationInProgress());
    const saved = await updatePayment(client, step(p, ["cancel"]));
    await insertOutboxEvents(client, [ctx.events.canceled(saved, cmd.body.reason, cmd.traceparent)]);
    return commandResult.payment("settled", saved);
  });
  return true;
}
