import {
  checkNet,
  currencyOf,
  dayOf,
  field,
  minorOf,
  type RawRow,
  type SettlementLine,
} from "./settlement-line.ts";

/** The columns of Stripe's itemized payout reconciliation report the importer reads. */
export const STRIPE_REQUIRED_COLUMNS = [
  "balance_transaction_id",
  "created_utc",
  "currency",
  "gross",
  "fee",
  "net",
  "reporting_category",
  "source_id",
  "automatic_payout_id",
  "payment_intent_id",
] as const;

/**
 * The batch is the automatic payout. A charge is referenced by its PaymentIntent (what the ledger
 * stores), a refund by its `re_…` id.
 */
export function stripeLine(row: RawRow, lineNo: number): SettlementLine {
  const currency = currencyOf(field(row, lineNo, "currency"), lineNo);
  const category = field(row, lineNo, "reporting_category");
  const amount = (column: string) => minorOf(field(row, lineNo, column), currency, lineNo, column);
  const pspReference =
    category === "charge" ? field(row, lineNo, "payment_intent_id") : field(row, lineNo, "source_id");
  return checkNet({
    lineNo,
    batchId: field(row, lineNo, "automatic_payout_id"),
    recordType: category.toLowerCase(),
    pspReference,
    currency,
    gross: amount("gross"),
    fee: amount("fee"),
    net: amount("net"),
    settledOn: dayOf(field(row, lineNo, "created_utc"), lineNo, "created_utc"),
    raw: row,
  });
}
