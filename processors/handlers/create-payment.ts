import { commandResult } from "../../core/domain/command-result.ts";
import type { PaymentCommand } from "../../core/domain/commands.ts";
import type { Currency } from "../../core/domain/currency.ts";
import type { Payment } from "../../core/domain/payment.ts";
import type { CaptureMethod, PspName } from "../../core/domain/payment-status.ts";
import { isUniqueViolation } from "../../db/pool.ts";
import { findCommandResult, saveCommandResult } from "../../db/repositories/commands-repo.ts";
import { insertPaymentWrites } from "../../db/repositories/payments-repo.ts";
import type { ProcessorContext } from "../context.ts";
import { cardSummary } from "./card-summary.ts";

/** Owns payments whose create command predates merchants (db/migrations/012). */
export const DEFAULT_MERCHANT_ID = "mer_default";

type CreateCommand = Extract<PaymentCommand, { type: "create" }>;

export async function createPayment(ctx: ProcessorContext, cmd: CreateCommand): Promise<void> {
  const body = cmd.body;
  const now = new Date();
  const payment: Payment = {
    paymentId: cmd.paymentId,
    merchantId: cmd.merchantId ?? DEFAULT_MERCHANT_ID,
    partitionKey: now.toISOString().slice(0, 10),
    orderId: String(body.order_id),
    amount: BigInt(body.amount_minor),
    currency: body.currency as Currency,
    status: body.payment_method ? "requires_confirmation" : "requires_payment_method",
    captureMethod: body.capture_method as CaptureMethod,
    psp: body.psp as PspName,
    ...cardSummary(body.payment_method),
    amountCapturable: 0n,
    amountCaptured: 0n,
    amountRefunded: 0n,
    amountRefundPending: 0n,
    riskScore: null,
    riskDecision: null,
    needsReview: false,
    nextAction: null,
    failureReason: null,
    pspCode: null,
    pspReference: null,
    customerId: body.customer_id,
    description: body.description,
    metadata: body.metadata,
    version: 0,
    createdAt: now,
    updatedAt: now,
  };
  // The payment, its reply and the NOTIFY in one statement: one round trip, one commit.
  try {
    await ctx.commits.statement(cmd.paymentId, (db) =>
      saveCommandResult(db, cmd, commandResult.payment("created", payment), insertPaymentWrites(payment)),
    );
  } catch (err) {
    const constraint = isUniqueViolation(err) ? (err as { constraint?: string }).constraint : undefined;
    // Another copy of this command got there first: its reply stands.
    if (constraint === "processed_commands_pkey") return;
    if (constraint === "payment_index_pkey") {
      if (await findCommandResult(ctx.pool, cmd.commandId)) return;
      throw new Error(`payment ${cmd.paymentId} already exists under another command`);
    }
    throw err;
  }
}
