import type { Payment } from "./payment.ts";

export type CompensationAction = "void" | "refund";

/** A success the PSP reports for an authorization of this payment. */
export interface LateSuccess {
  pspReference: string;
  captured: boolean;
  amountMinor: bigint;
}

/**
 * Whether a PSP success must be undone: the ledger already ended the payment (failed, or canceled
 * without ever knowing this authorization — a void we made ourselves names the same reference), so the
 * money the PSP holds for it is voided, or refunded once captured. Null when the fact is just late.
 */
export function compensationFor(
  p: Payment,
  success: LateSuccess,
): { action: CompensationAction; amountMinor: bigint; reason: string } | null {
  const unknownToLedger =
    p.status === "failed" || (p.status === "canceled" && success.pspReference !== p.pspReference);
  if (!unknownToLedger || success.amountMinor <= 0n) return null;
  return {
    action: success.captured ? "refund" : "void",
    amountMinor: success.amountMinor,
    reason: `late_success_after_${p.status}`,
  };
}
