import { type CommandResult, commandResult } from "../../core/domain/command-result.ts";
import { errors } from "../../core/domain/errors.ts";
import type { Payment } from "../../core/domain/payment.ts";

/** The result for a payment's current state: a decline when it failed, pending while still processing. */
export function replyForPayment(p: Payment): CommandResult {
  if (p.status === "failed") {
    return commandResult.rejected(
      errors.declined(p.failureReason ?? "card_declined", declineMessage(p.failureReason)),
    );
  }
  if (p.status === "processing") return commandResult.payment("pending", p);
  return commandResult.payment("settled", p);
}

const MESSAGES: Record<string, string> = {
  card_declined: "The card was declined",
  insufficient_funds: "The card has insufficient funds",
  fraudulent: "The card was declined as fraudulent",
  fraud_blocked: "The payment was blocked by fraud screening",
  processing_error: "The payment processor refused the payment",
};

export function declineMessage(reason: string | null): string {
  return MESSAGES[reason ?? ""] ?? "The payment was declined";
}
