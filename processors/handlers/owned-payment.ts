import type { PaymentCommand } from "../../core/domain/commands.ts";
import type { Payment } from "../../core/domain/payment.ts";

/**
 * The payment a command may act on: a command issued for another merchant's payment sees none (404),
 * even though the ingress already checked it. Commands written before merchants existed carry none.
 */
export function ownedPayment(
  payment: Payment | null,
  cmd: Pick<PaymentCommand, "merchantId">,
): Payment | null {
  if (!payment) return null;
  return cmd.merchantId === null || payment.merchantId === cmd.merchantId ? payment : null;
}
