import type { PaymentCommand } from "../core/domain/commands.ts";
import { findCommandResult } from "../db/repositories/commands-repo.ts";
import type { ProcessorContext } from "./context.ts";
import { cancelPayment } from "./handlers/cancel-payment.ts";
import { capturePayment } from "./handlers/capture-payment.ts";
import { confirmPayment } from "./handlers/confirm-payment.ts";
import { createPayment } from "./handlers/create-payment.ts";
import { refundPayment } from "./handlers/refund-payment.ts";
import { openCommand } from "./open-command.ts";

export type TracedCommand = PaymentCommand & { traceparent: string | null };

/**
 * Applies a command at most once: under its claim (which keeps a second copy from acting while the
 * first one works), a command id with a stored reply is a redelivery and changes nothing.
 */
export async function applyCommand(
  ctx: ProcessorContext,
  cmd: TracedCommand,
): Promise<"applied" | "duplicate"> {
  return ctx.claims.run(cmd.commandId, async () => {
    if (await findCommandResult(ctx.pool, cmd.commandId)) return "duplicate";
    await dispatch(ctx, await openCommand(ctx.pool, cmd));
    return "applied";
  });
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
