import type { PaymentCommand } from "../../core/domain/commands.ts";
import { errors, type PaymentError } from "../../core/domain/errors.ts";
import type { Payment } from "../../core/domain/payment.ts";
import { transition } from "../../core/domain/state-machine.ts";
import type { ProcessorContext } from "../context.ts";
import { callAndSettle, startPspOperation } from "./start-psp-operation.ts";

type CaptureCommand = Extract<PaymentCommand, { type: "capture" }>;
type Traced = { traceparent: string | null };

export async function capturePayment(ctx: ProcessorContext, cmd: CaptureCommand & Traced): Promise<void> {
  const requested = (p: Payment) =>
    cmd.body.amount_minor === null ? p.amountCapturable : BigInt(cmd.body.amount_minor);
  const started = await startPspOperation(ctx, cmd, "capture", {
    refuse: (p) => captureRefusal(p, requested(p)),
    amount: requested,
  });
  if (!started) return;
  const { payment, attemptId } = started;
  const amount = started.amount ?? requested(payment);
  await callAndSettle(ctx, cmd, started, "capture", () =>
    ctx.connectors[payment.psp].capture({
      paymentId: payment.paymentId,
      attemptId,
      pspReference: payment.pspReference ?? "",
      amount: { minor: amount, currency: payment.currency },
    }),
  );
}

export function captureRefusal(p: Payment, amount: bigint): PaymentError | null {
  if (!transition(p.status, "capture").ok)
    return errors.invalidState(`Payment in status ${p.status} cannot be captured`);
  if (amount <= 0n || amount > p.amountCapturable) return errors.captureExceedsAuthorized();
  return null;
}
