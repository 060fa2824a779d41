import {
  ADYEN_EXPONENTS,
  copies,
  isoMinor,
  majorUnits,
  percentOf,
  settledAmount,
  utcDateTime,
  utcDay,
} from "../shared/settlement.ts";
import type { AdyenLedger, AdyenPayment } from "./ledger.ts";

/** Adyen's Settlement details report: the default columns, in their order. */
export const ADYEN_REPORT_COLUMNS = [
  "Company Account",
  "Merchant Account",
  "Psp Reference",
  "Merchant Reference",
  "Payment Method",
  "Creation Date",
  "TimeZone",
  "Type",
  "Modification Reference",
  "Gross Currency",
  "Gross Debit (GC)",
  "Gross Credit (GC)",
  "Exchange Rate",
  "Net Currency",
  "Net Debit (NC)",
  "Net Credit (NC)",
  "Commission (NC)",
  "Markup (NC)",
  "Scheme Fees (NC)",
  "Interchange (NC)",
  "Payment Method Variant",
  "Modification Merchant Reference",
  "Batch Number",
] as const;

export const ADYEN_COMPANY_ACCOUNT = "PaymentServiceCompany";

/**
 * The simulator's Interchange++ fees on a settled capture: interchange 0.30%, scheme fees 0.20%,
 * markup 0.60% (each rounded half up to a minor unit) and a commission of 12 minor units. A refund
 * costs the commission only.
 */
export function adyenFees(amount: bigint) {
  return {
    commission: 12n,
    markup: percentOf(amount, 60n),
    schemeFees: percentOf(amount, 20n),
    interchange: percentOf(amount, 30n),
  };
}

/** One settlement batch per report day: days since 1970-01-01. */
export const adyenBatchNumber = (date: string): number => Math.floor(Date.parse(date) / 86_400_000);

interface Entry {
  payment: AdyenPayment;
  type: "Settled" | "Refunded";
  modificationReference: string;
  modificationMerchantReference: string;
  createdMs: number;
  amount: bigint;
}

function entries(payment: AdyenPayment): Entry[] {
  const found: Entry[] = [];
  const iso = (amount: bigint) => isoMinor(amount, payment.currency, ADYEN_EXPONENTS);
  const settled = (modificationReference: string, ref: string, createdMs: number, amount: bigint) => {
    const entry: Entry = {
      payment,
      type: "Settled",
      modificationReference,
      modificationMerchantReference: ref,
      createdMs,
      amount: settledAmount(iso(amount), payment.profile.settlement),
    };
    for (let i = 0; i < copies(payment.profile.settlement); i++) found.push(entry);
  };
  if (!payment.manualCapture && payment.capturedAmount > 0n)
    settled(payment.pspReference, payment.merchantReference, payment.createdMs, payment.capturedAmount);
  for (const m of payment.modifications) {
    if (!m.success || m.amount === undefined) continue;
    const ref = m.reference ?? "";
    if (m.kind === "capture") settled(m.pspReference, ref, m.createdMs, m.amount);
    if (m.kind === "refund") {
      found.push({
        payment,
        type: "Refunded",
        modificationReference: m.pspReference,
        modificationMerchantReference: ref,
        createdMs: m.createdMs,
        amount: iso(m.amount),
      });
    }
  }
  return found;
}

export function adyenSettlementReport(ledger: AdyenLedger, date: string): string[][] {
  return [...ledger.payments.values()]
    .flatMap(entries)
    .filter((e) => utcDay(e.createdMs) === date)
    .sort((a, b) => a.createdMs - b.createdMs)
    .map((e) => line(e, date));
}

function line(e: Entry, date: string): string[] {
  const { payment } = e;
  const amount = (minor: bigint) => majorUnits(minor, payment.currency);
  const fees = e.type === "Settled" ? adyenFees(e.amount) : { commission: 12n };
  const totalFees = Object.values(fees).reduce((sum, fee) => sum + fee, 0n);
  const optional = (minor: bigint | undefined) => (minor === undefined ? "" : amount(minor));
  const credit = e.type === "Settled";
  return [
    ADYEN_COMPANY_ACCOUNT,
    payment.merchantAccount,
    payment.pspReference,
    payment.merchantReference,
    payment.profile.brand,
    utcDateTime(e.createdMs),
    "UTC",
    e.type,
    e.modificationReference,
    payment.currency,
    credit ? "" : amount(e.amount),
    credit ? amount(e.amount) : "",
    "1",
    payment.currency,
    credit ? "" : amount(e.amount + totalFees),
    credit ? amount(e.amount - totalFees) : "",
    amount(fees.commission),
    optional("markup" in fees ? fees.markup : undefined),
    optional("schemeFees" in fees ? fees.schemeFees : undefined),
    optional("interchange" in fees ? fees.interchange : undefined),
    payment.profile.brand,
    e.modificationMerchantReference,
    String(adyenBatchNumber(date)),
  ];
}
