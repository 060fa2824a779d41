import type { PaymentCommand } from "../core/domain/commands.ts";
import { dbBatchSize } from "../core/infra/metrics.ts";
import { BatchedLookup, type BatchLimits } from "../db/natural-batches.ts";
import type { Pool } from "../db/pool.ts";
import {
  type CommandIntake,
  type IntakeRequest,
  readCommandIntakes,
} from "../db/repositories/commands-repo.ts";
import { DEFAULT_MERCHANT_ID } from "./handlers/create-payment.ts";

/**
 * The first read of every command (db/repositories/commands-repo.ts, readCommandIntakes): commands
 * reaching it at the same time share one statement.
 */
export class CommandIntakes {
  private readonly lookups: BatchedLookup<IntakeRequest, CommandIntake>;

  constructor(pool: Pool, limits: BatchLimits) {
    this.lookups = new BatchedLookup(
      limits,
      (requests) => readCommandIntakes(pool, requests),
      (size) => dbBatchSize.observe({ kind: "intake" }, size),
    );
  }

  read(cmd: PaymentCommand): Promise<CommandIntake> {
    return this.lookups.load(intakeRequestOf(cmd));
  }
}

/** What the intake of `cmd` reads: a confirm decides on its payment first, so that comes back too. */
export function intakeRequestOf(cmd: PaymentCommand): IntakeRequest {
  return {
    commandId: cmd.commandId,
    paymentId: cmd.type === "confirm" ? cmd.paymentId : null,
    vaultRef: vaultRefOf(cmd),
    merchantId: cmd.merchantId ?? DEFAULT_MERCHANT_ID,
  };
}

function vaultRefOf(cmd: PaymentCommand): string | null {
  if (cmd.type === "create" || cmd.type === "confirm") return cmd.body.payment_method?.vault_ref ?? null;
  return null;
}
