import type { PaymentCommand } from "../core/domain/commands.ts";
import type { Payment } from "../core/domain/payment.ts";
import type { ProcessorContext } from "./context.ts";
import { cancelPayment } from "./handlers/cancel-payment.ts";
import { capturePayment } from "./handlers/capture-payment.ts";
import { confirmPayment } from "./handlers/confirm-payment.ts";
import { createPayment } from "./handlers/create-payment.ts";
import { refundPayment } from "./handlers/refund-payment.ts";
import { openCommand } from "./open-command.ts";

export type TracedCommand = PaymentCommand & {
  traceparent: string | null;
  /** False when the command is known to have started no PSP attempt yet: nothing to resume. */
  mayHaveAttempt?: boolean;
  /** The payment as read with the command's progress, after its claim (null: none); unset: not read. */
  paymentAsRead?: Payment | null;
};

/**
 * Applies a command at most once: a command id with a stored reply is a redelivery and changes nothing.
 * A command that calls a PSP runs under its claim, which keeps a second copy from acting while the first
 * one works. A create does not need one: it is a single transaction, and a second copy running at the
 * same time fails on the payment's or the reply's primary key and finds the reply when retried.
 */
export async function applyCommand(
  ctx: ProcessorContext,
  cmd: TracedCommand,
): Promise<"applied" | "duplicate"> {
  const apply = async () => {
    // Its reply, its attempt, its vaulted card and (for a confirm) its payment: one read, shared with
    // the other commands reaching this step at the same time.
    const intake = await ctx.intake.read(cmd);
    if (intake.result) return "duplicate" as const;
    const opened = openCommand(cmd, intake.vaultCiphertext);
    await dispatch(ctx, { ...opened, mayHaveAttempt: intake.hasAttempt, paymentAsRead: intake.payment });
    return "applied" as const;
  };
  return cmd.type === "create" ? apply() : ctx.claims.run(cmd.commandId, apply, (r) => r === "applied");
}

async function dispatch(ctx: ProcessorContext, cmd: TracedCommand): Promise<void> {
  switch (cmd.type) {
    case "create":
      await createPayment(ctx, cmd);
      break;
    case "confirm":
      await confirmPayment(ctx, cmd);
      break;
    case "capture":
      await capturePayment(ctx, cmd);
      break;
    case "cancel":
      await cancelPayment(ctx, cmd);
      break;
    case "refund":
      await refundPayment(ctx, cmd);
      break;
  }
}
