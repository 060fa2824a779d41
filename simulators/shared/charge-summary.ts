/** The shape of GET /_sim/charges?payment_id=…, identical for every PSP simulator. */
export interface ChargeSummary {
  payment_id: string;
  /** Successful authorizations: money actually reserved or charged at the PSP. */
  authorizations: number;
  captures: number;
  captured_amount: bigint;
  refunds: number;
  refunded_amount: bigint;
  intents: unknown[];
}

export interface LedgerEntry {
  authorized: boolean;
  captures: number;
  capturedAmount: bigint;
  refundsSucceeded: number;
  refundedAmount: bigint;
}

export function summarize(paymentId: string, entries: LedgerEntry[], rendered: unknown[]): ChargeSummary {
  return {
    payment_id: paymentId,
    authorizations: entries.filter((e) => e.authorized).length,
    captures: entries.reduce((n, e) => n + e.captures, 0),
    captured_amount: entries.reduce((sum, e) => sum + e.capturedAmount, 0n),
    refunds: entries.reduce((n, e) => n + e.refundsSucceeded, 0),
    refunded_amount: entries.reduce((sum, e) => sum + e.refundedAmount, 0n),
    intents: rendered,
  };
}
