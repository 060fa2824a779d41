import type { PaymentCommand } from "../../core/domain/commands.ts";
import { errors, type PaymentError } from "../../core/domain/errors.ts";
import type { Payment } from "../../core/domain/payment.ts";
import { transition } from "../../core/domain/state-machine.ts";
import { finishAttempt } from "../../db/repositories/attempts-repo.ts";
import { insertOutboxEvents } from "../../db/repositories/outbox-repo.ts";
import { updatePayment } from "../../db/repositories/payments-repo.ts";
import { type ProcessorContext, reply } from "../context.ts";
import { finishUnapplied } from "./finish-unapplied.ts";
import { callPsp } from "./psp-call.ts";
import { startPspOperation } from "./start-psp-operation.ts";

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
  const amount = requested(payment);
  const outcome = await callPsp(payment.psp, "capture", () =>
    ctx.connectors[payment.psp].capture({
      paymentId: payment.paymentId,
      attemptId,
      pspReference: payment.pspReference ?? "",
      amount: { minor: amount, currency: payment.currency },
    }),
  );
  await started.complete(async (client, p) => {
    const base = {
      requests: outcome.diagnostics.requests,
      httpStatus: outcome.diagnostics.httpStatus ?? null,
    };
    switch (outcome.kind) {
      case "captured": {
        const next = {
          ...p,
          status: step(p, "psp_captured"),
          amountCaptured: outcome.amountCaptured,
          amountCapturable: 0n,
        };
        await finishAttempt(client, attemptId, {
          ...base,
          status: "succeeded",
          pspStatus: outcome.diagnostics.rawStatus,
        });
        const saved = await updatePayment(client, next);
        await insertOutboxEvents(client, [ctx.events.captured(saved, cmd.traceparent)]);
        return reply.payment(200, saved);
      }
      default:
        return finishUnapplied(client, attemptId, p, outcome, "capture");
    }
  });
}

function captureRefusal(p: Payment, amount: bigint): PaymentError | null {
  if (!transition(p.status, "capture").ok)
    return errors.invalidState(`Payment in status ${p.status} cannot be captured`);
  if (amount <= 0n || amount > p.amountCapturable) return errors.captureExceedsAuthorized();
  return null;
}

function step(p: Payment, event: "psp_captured") {
  const result = transition(p.status, event);
  if (!result.ok) throw new Error(`illegal transition ${p.status} --${event}--> for ${p.paymentId}`);
  return result.to;
}
