import type { ReconLine } from "./model.ts";

export const CSV_HEADER =
  "class,psp_reference,record_type,payment_id,refund_id,currency,ledger_amount,psp_gross,psp_fee,psp_net,ledger_status,detail\n";

/** One CSV line (RFC 4180 quoting); amounts stay the database's decimal strings. */
export function csvLine(line: ReconLine): string {
  return `${[
    line.class,
    line.reference,
    line.recordType,
    line.paymentId,
    line.refundId,
    line.currency,
    line.ledgerAmount,
    line.pspGross,
    line.pspFee,
    line.pspNet,
    line.ledgerStatus,
    line.detail,
  ]
    .map(csvField)
    .join(",")}\n`;
}

function csvField(value: string | null): string {
  if (value === null) return "";
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
