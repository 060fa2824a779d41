import {
  copies,
  isoMinor,
  majorUnits,
  percentOf,
  STRIPE_EXPONENTS,
  settledAmount,
  utcDateTime,
  utcDay,
  zeroDecimal,
} from "../shared/settlement.ts";
import type { Intent, StripeLedger } from "./ledger.ts";

/**
 * Stripe's itemized payout reconciliation report (payout_reconciliation.itemized.5, the columns a
 * report run asks for): one balance transaction per line, amounts in major units, fees on charges only.
 */
export const STRIPE_REPORT_COLUMNS = [
  "balance_transaction_id",
  "created_utc",
  "created",
  "available_on_utc",
  "available_on",
  "currency",
  "gross",
  "fee",
  "net",
  "reporting_category",
  "source_id",
  "description",
  "customer_facing_amount",
  "customer_facing_currency",
  "automatic_payout_id",
  "automatic_payout_effective_at",
  "charge_id",
  "payment_intent_id",
  "charge_created_utc",
  "payment_method_type",
  "card_brand",
  "payment_metadata[payment_id]",
] as const;

const DAY_MS = 86_400_000;
/** Funds become available two days later (Stripe's standard T+2), paid out that day. */
const AVAILABLE_AFTER_MS = 2 * DAY_MS;

/** The simulator's fee on ISO minor units: 2.9% + 30 minor units, or 3.6% flat for zero-decimal currencies (JPY, ISK). */
export function stripeFee(amount: bigint, currency: string): bigint {
  return zeroDecimal(currency) ? percentOf(amount, 360n) : percentOf(amount, 290n) + 30n;
}

/** One automatic payout per report day: its id is the batch the importer keys lines by. */
export const stripePayoutId = (date: string): string => `po_sim_${date.replaceAll("-", "")}`;

interface Entry {
  txn: string;
  createdMs: number;
  category: "charge" | "refund";
  source: string;
  gross: bigint;
  fee: bigint;
  intent: Intent;
  customerAmount: bigint;
}

export function stripeSettlementReport(ledger: StripeLedger, date: string): string[][] {
  const entries: Entry[] = [];
  for (const intent of ledger.intents.values()) {
    if (intent.amountReceived <= 0n || intent.latestCharge === null) continue;
    const received = isoMinor(intent.amountReceived, intent.currency, STRIPE_EXPONENTS);
    const gross = settledAmount(received, intent.profile?.settlement);
    const entry: Entry = {
      txn: `txn_${intent.latestCharge.slice(3)}`,
      createdMs: intent.created * 1000,
      category: "charge",
      source: intent.latestCharge,
      gross,
      fee: stripeFee(gross, intent.currency),
      intent,
      customerAmount: received,
    };
    for (let i = 0; i < copies(intent.profile?.settlement); i++) entries.push(entry);
  }
  for (const refund of ledger.refunds.values()) {
    const intent = ledger.intents.get(refund.paymentIntent);
    if (refund.status !== "succeeded" || intent === undefined) continue;
    const amount = isoMinor(refund.amount, intent.currency, STRIPE_EXPONENTS);
    entries.push({
      txn: `txn_${refund.id.slice(3)}`,
      createdMs: refund.created * 1000,
      category: "refund",
      source: refund.id,
      gross: -amount,
      fee: 0n,
      intent,
      customerAmount: amount,
    });
  }
  return entries
    .filter((e) => utcDay(e.createdMs) === date)
    .sort((a, b) => a.createdMs - b.createdMs || a.txn.localeCompare(b.txn))
    .map((e) => line(e, date));
}

function line(e: Entry, date: string): string[] {
  const currency = e.intent.currency.toLowerCase();
  const amount = (minor: bigint) => majorUnits(minor, currency);
  const created = utcDateTime(e.createdMs);
  const available = `${utcDay(e.createdMs + AVAILABLE_AFTER_MS)} 00:00:00`;
  return [
    e.txn,
    created,
    created,
    available,
    available,
    currency,
    amount(e.gross),
    amount(e.fee),
    amount(e.gross - e.fee),
    e.category,
    e.source,
    e.intent.description ?? "",
    amount(e.customerAmount),
    currency,
    stripePayoutId(date),
    available,
    e.intent.latestCharge ?? "",
    e.intent.id,
    utcDateTime(e.intent.created * 1000),
    "card",
    e.intent.profile?.brand ?? "",
    e.intent.metadata.payment_id ?? "",
  ];
}
