import type { CommandBody, PaymentCommand } from "../core/domain/commands.ts";
import type { IngressContext, IngressDeps } from "./context.ts";
import { locationFor } from "./location.ts";
import { principalOf } from "./middleware/authenticate.ts";
import { presentResult } from "./presentation/command-response.ts";

/**
 * Publishes the command this request stands for and answers with the processor's result, presented.
 * When the reply does not come within REPLY_TIMEOUT_MS the answer is 202 with what is known now
 * (`whileProcessing`) and a Location to poll; the command still runs.
 */
export async function dispatch(
  ctx: IngressContext,
  deps: IngressDeps,
  body: CommandBody,
  whileProcessing: (command: PaymentCommand) => Promise<unknown>,
): Promise<void> {
  const ids = ctx.state.ids;
  if (!ids) throw new Error("dispatch needs the idempotency middleware in front of it");
  const command = {
    ...body,
    commandId: ids.commandId,
    paymentId: ids.paymentId,
    issuedAt: new Date(),
    idempotencyKey: ctx.get("idempotency-key") || null,
    merchantId: principalOf(ctx).merchantId,
  } as PaymentCommand;
  const log = ctx.state.log.child({ command_id: command.commandId, command_type: command.type });
  const reply = await deps.commandBus.send(command, { traceparent: ctx.state.traceparent });

  if (reply === "timeout") {
    log.warn(
      { timeout_ms: deps.config.REPLY_TIMEOUT_MS },
      "no reply from the processor in time; answering 202",
    );
    ctx.status = 202;
    ctx.body = await whileProcessing(command);
  } else {
    const answer = presentResult(reply);
    ctx.status = answer.status;
    ctx.body = answer.body;
    // A processor's 503 (a dependency down) invites a retry, like every other 503 we answer.
    if (answer.status === 503) ctx.set("Retry-After", "1");
  }
  const location = locationFor(ctx.status, command.paymentId);
  if (location) ctx.set("Location", location);
}
