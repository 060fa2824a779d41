import { describe, expect, it } from "vitest";
import { mergeJoin } from "../../core/recon/merge-join.ts";
import type { LedgerItem, SettlementItem } from "../../core/recon/model.ts";

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

const charge = (reference: string, amount = "10.00"): LedgerItem => ({
  reference,
  recordType: "charge",
  paymentId: `p-${reference}`,
  refundId: null,
  currency: "USD",
  amount,
  status: "succeeded",
});

const line = (reference: string, o: Partial<SettlementItem> = {}): SettlementItem => ({
  reference,
  recordType: "charge",
  paymentId: null,
  refundId: null,
  currency: "USD",
  gross: "10.00",
  fee: "0.59",
  net: "9.41",
  ledgerStatus: null,
  batchId: "po_1",
  lineNo: 2,
  ...o,
});

async function classes(ledger: LedgerItem[], report: SettlementItem[]): Promise<string[]> {
  const out: string[] = [];
  for await (const l of mergeJoin(from(ledger), from(report))) out.push(`${l.reference}:${l.class}`);
  return out;
}

describe("the reconciliation merge join", () => {
  it("walks both sorted sides once, in key order", async () => {
    expect(
      await classes(
        [charge("a"), charge("c"), charge("e", "10.01")],
        [
          line("b"),
          line("b"),
          line("c"),
          line("c"),
          line("d", { paymentId: "p-d", ledgerStatus: "failed" }),
          line("e"),
        ],
      ),
    ).toEqual([
      "a:missing_in_psp",
      "b:missing_in_ledger",
      "b:duplicate_in_psp",
      "c:matched",
      "c:duplicate_in_psp",
      "d:status_mismatch",
      "e:amount_mismatch",
    ]);
  });

  it("names a refund reported as a charge, a foreign currency, a fee above the gross, and empty sides", async () => {
    const refund: LedgerItem = { ...charge("r", "-1.00"), recordType: "refund" };
    expect(await classes([refund], [line("r", { gross: "-1.00", fee: "0.00", net: "-1.00" })])).toEqual([
      "r:status_mismatch",
    ]);
    expect(await classes([charge("x")], [line("x", { currency: "EUR" })])).toEqual(["x:currency_mismatch"]);
    expect(await classes([charge("f")], [line("f", { fee: "10.01", net: "-0.01" })])).toEqual([
      "f:fee_unexpected",
    ]);
    expect(await classes([], [])).toEqual([]);
    expect(await classes([charge("z")], [])).toEqual(["z:missing_in_psp"]);
  });

  it("takes a refund's fixed fee above its amount as expected, never a negative fee", async () => {
    // Adyen charges its 0.12 commission on a refund, whatever its amount: a 0.10 refund costs 0.12.
    const refund: LedgerItem = { ...charge("r", "-0.10"), recordType: "refund" };
    const refundLine = (fee: string, net: string) =>
      line("r", { recordType: "refund", gross: "-0.10", fee, net });
    expect(await classes([refund], [refundLine("0.12", "-0.22")])).toEqual(["r:matched"]);
    expect(await classes([refund], [refundLine("-0.01", "-0.09")])).toEqual(["r:fee_unexpected"]);
    expect(await classes([charge("n")], [line("n", { fee: "-0.01", net: "10.01" })])).toEqual([
      "n:fee_unexpected",
    ]);
  });
});
