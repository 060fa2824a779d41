import { type Currency, isSupportedCurrency } from "../domain/currency.ts";
import { minorFromNumeric } from "../domain/money.ts";

export type SettlementPsp = "stripe" | "adyen";

/**
 * One line of a PSP settlement report, as psp_settlement stores it. `recordType` is `charge` (money
 * in: a capture) or `refund` (money out) for the lines reconciliation matches; any other PSP category
 * is kept under its own name, lower case. Amounts are signed minor units: gross and net are negative
 * for a refund, the fee is what the PSP kept (positive), and `net = gross - fee` always.
 */
export interface SettlementLine {
  /** The line of the file (the header is line 1). */
  lineNo: number;
  batchId: string;
  recordType: string;
  /** The ledger's reference: the payment's for a charge, the refund's for a refund. */
  pspReference: string;
  currency: Currency;
  gross: bigint;
  fee: bigint;
  net: bigint;
  settledOn: string;
  raw: Record<string, string>;
}

/** A report line that cannot be loaded; the whole import is refused. */
export class SettlementLineError extends Error {
  constructor(
    readonly lineNo: number,
    reason: string,
  ) {
    super(`line ${lineNo}: ${reason}`);
  }
}

export type RawRow = Record<string, string>;

export function field(row: RawRow, lineNo: number, column: string): string {
  const value = row[column]?.trim() ?? "";
  if (value === "") throw new SettlementLineError(lineNo, `${column} is empty`);
  return value;
}

export function currencyOf(code: string, lineNo: number): Currency {
  const upper = code.toUpperCase();
  if (!isSupportedCurrency(upper)) throw new SettlementLineError(lineNo, `unsupported currency ${code}`);
  return upper;
}

/** A decimal amount in major units ("-10.50", "5000") to minor units; never through a float. */
export function minorOf(value: string, currency: Currency, lineNo: number, column: string): bigint {
  if (!/^-?\d+(\.\d+)?$/.test(value))
    throw new SettlementLineError(lineNo, `${column} is not an amount: ${value}`);
  try {
    return minorFromNumeric(value, currency);
  } catch {
    throw new SettlementLineError(lineNo, `${column} ${value} has more decimals than ${currency} allows`);
  }
}

/** `YYYY-MM-DD` from a `YYYY-MM-DD HH:MM:SS` timestamp. */
export function dayOf(value: string, lineNo: number, column: string): string {
  const day = value.slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/.test(value) || Number.isNaN(Date.parse(day)))
    throw new SettlementLineError(lineNo, `${column} is not a date: ${value}`);
  return day;
}

export function checkNet(line: SettlementLine): SettlementLine {
  if (line.gross - line.fee !== line.net)
    throw new SettlementLineError(line.lineNo, "net is not gross minus fee");
  return line;
}

export function missingColumns(header: readonly string[], required: readonly string[]): string[] {
  return required.filter((c) => !header.includes(c));
}
