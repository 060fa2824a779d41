/** The reconciliation's vocabulary (docs/adr/0011-reconciliation.md). Amounts are NUMERIC(12,2) text. */
export const EXCEPTION_CLASSES = [
  "missing_in_psp",
  "missing_in_ledger",
  "amount_mismatch",
  "currency_mismatch",
  "status_mismatch",
  "duplicate_in_psp",
  "fee_unexpected",
] as const;
export type ExceptionClass = (typeof EXCEPTION_CLASSES)[number];
export type LineClass = "matched" | ExceptionClass;

/** One item the ledger expects in the day's report: a settled charge or a refund. */
export interface LedgerItem {
  reference: string;
  recordType: "charge" | "refund";
  paymentId: string;
  refundId: string | null;
  currency: string;
  /** Signed like the report: positive for a charge, negative for a refund. */
  amount: string;
  status: string;
}

/** One psp_settlement line; `linkedPaymentId` is what the importer linked it to, `ledgerStatus` that payment's status. */
export interface SettlementItem {
  reference: string;
  recordType: string;
  paymentId: string | null;
  refundId: string | null;
  currency: string;
  gross: string;
  fee: string;
  net: string;
  ledgerStatus: string | null;
  batchId: string;
  lineNo: number;
}

export interface ReconLine {
  class: LineClass;
  reference: string;
  paymentId: string | null;
  refundId: string | null;
  recordType: string;
  currency: string;
  ledgerAmount: string | null;
  pspGross: string | null;
  pspFee: string | null;
  pspNet: string | null;
  ledgerStatus: string | null;
  detail: string;
}
