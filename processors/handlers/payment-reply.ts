import type { CommandReply } from "../../core/domain/commands.ts";
import { errors } from "../../core/domain/errors.ts";
import type { Payment } from "../../core/domain/payment.ts";
import { reply } from "../context.ts";

/** The reply a caller gets for a payment's current state: 402 when it failed, 202 while still processing. */
export function replyForPayment(p: Payment, okStatus = 200): CommandReply {
  if (p.status === "failed") {
    return reply.error(errors.declined(p.failureReason ?? "card_declined", declineMessage(p.failureReason)));
  }
  if (p.status === "processing") return reply.payment(202, p);
  return reply.payment(okStatus, p);
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
