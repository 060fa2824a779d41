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

/** Minor units as a decimal string in major units: 1050n USD → "10.50", -1050n → "-10.50", 5000n JPY → "5000". */
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
