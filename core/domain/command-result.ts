import type { PaymentError } from "./errors.ts";
import type { Payment, Refund } from "./payment.ts";

/**
 * A processor's decision on a command, in domain terms. It is stored with the command
 * (processed_commands) and the ingress turns it into the HTTP answer
 * (http-ingress/presentation/command-response.ts).
 * - `created`: a new payment exists;
 * - `settled`: the operation's outcome is known;
 * - `pending`: the PSP has not answered for good yet; a later settlement replaces this result.
 */
export type CommandResult =
  | { kind: "payment"; disposition: "created" | "settled" | "pending"; payment: Payment }
  | { kind: "refund"; disposition: "settled" | "pending"; refund: Refund }
  | { kind: "rejected"; error: PaymentError }
  /** A reply stored before results were typed: the HTTP status and body exactly as answered then. */
  | { kind: "legacy"; httpStatus: number; body: unknown };

export const commandResult = {
  payment: (disposition: "created" | "settled" | "pending", payment: Payment): CommandResult => ({
    kind: "payment",
    disposition,
    payment,
  }),
  refund: (disposition: "settled" | "pending", refund: Refund): CommandResult => ({
    kind: "refund",
    disposition,
    refund,
  }),
  rejected: (error: PaymentError): CommandResult => ({ kind: "rejected", error }),
};

/** Refused because a dependency was down: nothing was done, and the same request may run anew. */
export function isRefusedUnavailable(result: CommandResult): boolean {
  if (result.kind === "legacy") return result.httpStatus === 503;
  return result.kind === "rejected" && result.error.kind === "unavailable";
}
