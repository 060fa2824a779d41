import type { CommandResult } from "../core/domain/command-result.ts";
import type { PaymentCommand } from "../core/domain/commands.ts";
import { isUniqueViolation, type PoolClient } from "../db/pool.ts";
import { saveCommandResult } from "../db/repositories/commands-repo.ts";
import { takePending, writeBehind } from "../db/write-behind.ts";
import type { ProcessorContext } from "./context.ts";

/**
 * Runs the last phase of a command: its effects, its outbox rows and its reply commit together (with
 * other commands' when a commit group forms, db/commit-group.ts). Writes
 * whose result the work does not read ride in the reply's statement (db/write-behind.ts).
 * A unique violation on the reply means another processor instance already applied the command.
 */
export async function completeCommand(
  ctx: ProcessorContext,
  cmd: PaymentCommand,
  work: (client: PoolClient) => Promise<CommandResult>,
): Promise<CommandResult | null> {
  try {
    return await ctx.commits.transaction(cmd.paymentId, async (raw) => {
      const client = writeBehind(raw);
      const reply = await work(client);
      await saveCommandResult(client, cmd, reply, takePending(client));
      return reply;
    });
  } catch (err) {
    if (isUniqueViolation(err) && (err as { constraint?: string }).constraint === "processed_commands_pkey") {
      return null;
    }
    throw err;
  }
}
