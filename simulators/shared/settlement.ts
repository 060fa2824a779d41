import type Router from "@koa/router";
import type { SettlementFault } from "./test-tokens.ts";

/**
 * Daily settlement reports (GET /_sim/settlement-report?date=YYYY-MM-DD): each PSP simulator renders
 * its own ledger as that PSP's CSV report. Amounts are integers of minor units until rendered.
 */

/** ISO 4217 currencies without minor units that the simulators may see (the service accepts JPY, KRW…). */
const ZERO_DECIMAL: ReadonlySet<string> = new Set([
  "BIF",
  "CLP",
  "DJF",
  "GNF",
  "ISK",
  "JPY",
  "KMF",
  "KRW",
  "PYG",
  "RWF",
  "UGX",
  "VND",
  "VUV",
  "XAF",
  "XOF",
  "XPF",
]);

export const zeroDecimal = (currency: string): boolean => ZERO_DECIMAL.has(currency.toUpperCase());

/**
 * A PSP's exponent where it differs from ISO 4217 (its currency page): what its API amounts mean.
 * The service's connectors convert with the same tables; the simulators store the wire amounts as
 * they come, so a report converts them back before stating money.
 */
export type PspExponents = Readonly<Record<string, number>>;
/** docs.stripe.com/currencies, "Special cases": ISK and UGX are two-decimal at Stripe (always ,00). */
export const STRIPE_EXPONENTS: PspExponents = { ISK: 2, UGX: 2 };
/** docs.adyen.com currency codes, "differs from standard": CLP and ISK two-decimal, IDR zero-decimal. */
export const ADYEN_EXPONENTS: PspExponents = { CLP: 2, ISK: 2, IDR: 0 };

/**
 * A wire amount in the PSP's minor units as the currency's ISO 4217 minor units: ISK 500000 at
 * Stripe is 5000 krónur; IDR 10000 at Adyen is 1000000 sen. A settlement report states money, so
 * its amounts, fees and faults are in these units. (The service never sends a fraction the ISO
 * currency cannot hold; one would be cut, not rounded.)
 */
export function isoMinor(pspAmount: bigint, currency: string, psp: PspExponents): bigint {
  const iso = zeroDecimal(currency) ? 0 : 2;
  const shift = iso - (psp[currency.toUpperCase()] ?? iso);
  return shift >= 0 ? pspAmount * 10n ** BigInt(shift) : pspAmount / 10n ** BigInt(-shift);
}

/** ISO minor units (isoMinor) as a decimal string in major units: 1050n USD → "10.50", -1050n → "-10.50", 5000n JPY → "5000". */
export function majorUnits(minor: bigint, currency: string): string {
  if (zeroDecimal(currency)) return minor.toString();
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(3, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** `amount * basisPoints / 10000`, rounded half up (amounts are never negative here). */
export function percentOf(amount: bigint, basisPoints: bigint): bigint {
  return (amount * basisPoints + 5000n) / 10000n;
}

/** The amount the report settles: pm_sim_settle_amount_mismatch settles one minor unit less. */
export function settledAmount(amount: bigint, fault: SettlementFault | undefined): bigint {
  return fault === "amount_mismatch" ? amount - 1n : amount;
}

/** How many times a line appears: 0 for pm_sim_settle_missing, 2 for pm_sim_settle_duplicate. */
export function copies(fault: SettlementFault | undefined): number {
  if (fault === "missing") return 0;
  return fault === "duplicate" ? 2 : 1;
}

/** `YYYY-MM-DD` of a ms timestamp, in UTC. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** `YYYY-MM-DD HH:MM:SS` in UTC. */
export const utcDateTime = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

const CSV_SPECIAL = /[",\r\n]/;

export function csvLine(fields: readonly (string | number)[]): string {
  return `${fields
    .map((f) => {
      const s = String(f);
      return CSV_SPECIAL.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
    })
    .join(",")}\n`;
}

/** GET /_sim/settlement-report?date=YYYY-MM-DD: the day's report from this simulator's ledger, as CSV. */
export function settlementReportRoute(
  router: Router,
  psp: string,
  header: readonly string[],
  render: (date: string) => string[][],
): void {
  router.get("/_sim/settlement-report", (ctx) => {
    const date = ctx.query.date;
    if (typeof date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) {
      ctx.status = 400;
      ctx.body = { error: "date must be YYYY-MM-DD" };
      return;
    }
    ctx.status = 200;
    ctx.type = "text/csv; charset=utf-8";
    ctx.set("Content-Disposition", `attachment; filename="${psp}-settlement-${date}.csv"`);
    ctx.body = csvLine(header) + render(date).map(csvLine).join("");
  });
}
