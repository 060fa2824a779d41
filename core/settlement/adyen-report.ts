import type { Currency } from "../domain/currency.ts";
import {
  checkNet,
  currencyOf,
  dayOf,
  field,
  minorOf,
  type RawRow,
  type SettlementLine,
  SettlementLineError,
} from "./settlement-line.ts";

/** The columns of Adyen's Settlement details report the importer reads. */
export const ADYEN_REQUIRED_COLUMNS = [
  "Psp Reference",
  "Creation Date",
  "Type",
  "Modification Reference",
  "Gross Currency",
  "Gross Debit (GC)",
  "Gross Credit (GC)",
  "Net Currency",
  "Net Debit (NC)",
  "Net Credit (NC)",
  "Commission (NC)",
  "Markup (NC)",
  "Scheme Fees (NC)",
  "Interchange (NC)",
  "Batch Number",
] as const;

const FEE_COLUMNS = ["Commission (NC)", "Markup (NC)", "Scheme Fees (NC)", "Interchange (NC)"];
const RECORD_TYPES: Readonly<Record<string, string>> = { Settled: "charge", Refunded: "refund" };

/**
 * Credits are money in, debits money out: gross and net are signed accordingly, the fee is the sum of
 * the four fee columns. A capture is referenced by the payment's Psp Reference, a refund by its
 * Modification Reference. Currency conversion (Net Currency ≠ Gross Currency) is not supported.
 */
export function adyenLine(row: RawRow, lineNo: number): SettlementLine {
  const currency = currencyOf(field(row, lineNo, "Gross Currency"), lineNo);
  if (currencyOf(field(row, lineNo, "Net Currency"), lineNo) !== currency)
    throw new SettlementLineError(
      lineNo,
      "Net Currency differs from Gross Currency (conversion is not supported)",
    );
  const type = field(row, lineNo, "Type");
  const recordType = RECORD_TYPES[type] ?? type.toLowerCase();
  const fee = FEE_COLUMNS.reduce((sum, column) => sum + optionalMinor(row, column, currency, lineNo), 0n);
  return checkNet({
    lineNo,
    batchId: field(row, lineNo, "Batch Number"),
    recordType,
    pspReference: field(row, lineNo, recordType === "refund" ? "Modification Reference" : "Psp Reference"),
    currency,
    gross: signed(row, "Gross Credit (GC)", "Gross Debit (GC)", currency, lineNo),
    fee,
    net: signed(row, "Net Credit (NC)", "Net Debit (NC)", currency, lineNo),
    settledOn: dayOf(field(row, lineNo, "Creation Date"), lineNo, "Creation Date"),
    raw: row,
  });
}

function optionalMinor(row: RawRow, column: string, currency: Currency, lineNo: number): bigint {
  const value = row[column]?.trim() ?? "";
  return value === "" ? 0n : minorOf(value, currency, lineNo, column);
}

/** Exactly one of the credit and debit columns holds the amount. */
function signed(row: RawRow, credit: string, debit: string, currency: Currency, lineNo: number): bigint {
  const c = row[credit]?.trim() ?? "";
  const d = row[debit]?.trim() ?? "";
  if ((c === "") === (d === ""))
    throw new SettlementLineError(lineNo, `exactly one of ${credit} and ${debit} must be given`);
  return c !== "" ? minorOf(c, currency, lineNo, credit) : -minorOf(d, currency, lineNo, debit);
}
