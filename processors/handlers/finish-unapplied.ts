import type { CommandReply } from "../../core/domain/commands.ts";
import { errors } from "../../core/domain/errors.ts";
import type { Payment } from "../../core/domain/payment.ts";
import type { CallDiagnostics, PspFailure } from "../../core/ports/payment-connector.ts";
import type { PoolClient } from "../../db/pool.ts";
import { finishAttempt } from "../../db/repositories/attempts-repo.ts";
import { reply } from "../context.ts";

/** Records a capture or void the PSP did not (or may not have) performed; the payment itself is unchanged. */
export async function finishUnapplied(
  client: PoolClient,
  attemptId: string,
  p: Payment,
  outcome: PspFailure & { diagnostics: CallDiagnostics },
  operation: "capture" | "cancellation",
): Promise<CommandReply> {
  const base = { requests: outcome.diagnostics.requests, httpStatus: outcome.diagnostics.httpStatus ?? null };
  switch (outcome.kind) {
    case "indeterminate":
      await finishAttempt(client, attemptId, { ...base, status: "unknown", pspMessage: outcome.reason });
      return reply.payment(202, p);
    case "unavailable":
      await finishAttempt(client, attemptId, { ...base, status: "failed", pspMessage: outcome.reason });
      return reply.error(errors.unavailable(`The ${p.psp} payment processor is unavailable; retry later`));
    default:
      await finishAttempt(client, attemptId, {
        ...base,
        status: "failed",
        pspCode: outcome.pspCode,
        pspMessage: outcome.message,
      });
      return reply.error(
        errors.invalidState(`The payment processor refused the ${operation}: ${outcome.message}`),
      );
  }
}
