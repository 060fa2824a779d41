import type { CreatePaymentBody, PaymentCommand } from "../../core/domain/commands.ts";
import type { Currency } from "../../core/domain/currency.ts";
import { formatAmount } from "../../core/domain/money.ts";
import type { Payment } from "../../core/domain/payment.ts";
import type { CaptureMethod, PspName } from "../../core/domain/payment-status.ts";
import type { Pool } from "../../db/pool.ts";
import { findPayment } from "../../db/repositories/payments-repo.ts";
import { type PaymentResponse, toPaymentResponse } from "../presentation/resource-dto.ts";

/**
 * The 202 body of a create whose reply did not come in time. If the processor has recorded the
 * payment we show it; otherwise what the command says, with status `processing` (not recorded yet).
 */
export async function createdSoFar(
  pool: Pool,
  command: PaymentCommand,
  body: CreatePaymentBody,
): Promise<PaymentResponse> {
  const stored = await findPayment(pool, command.paymentId);
  if (stored) return toPaymentResponse(stored);
  const zero = formatAmount(0n, body.currency as Currency);
  const at = command.issuedAt.toISOString();
  const response: PaymentResponse = {
    payment_id: command.paymentId,
    order_id: body.order_id,
    amount: body.amount,
    currency: body.currency,
    status: "processing",
    capture_method: body.capture_method as CaptureMethod,
    psp: body.psp as PspName,
    payment_method: body.payment_method ? { type: body.payment_method.type } : null,
    amount_capturable: zero,
    amount_captured: zero,
    amount_refunded: zero,
    metadata: body.metadata,
    created_at: at,
    updated_at: at,
  };
  if (body.customer_id) response.customer_id = body.customer_id;
  if (body.description) response.description = body.description;
  return response;
}

/** The 202 body of confirm / capture / cancel: the payment as stored right now. */
export async function paymentNow(pool: Pool, fallback: Payment): Promise<PaymentResponse> {
  return toPaymentResponse((await findPayment(pool, fallback.paymentId)) ?? fallback);
}
