import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseSettlementReport } from "../../core/settlement/parse-report.ts";
import type { SettlementPsp } from "../../core/settlement/settlement-line.ts";

const STRIPE_HEADER =
  "balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category,source_id,automatic_payout_id,payment_intent_id";
const ADYEN_HEADER =
  "Psp Reference,Creation Date,Type,Modification Reference,Gross Currency,Gross Debit (GC),Gross Credit (GC),Net Currency,Net Debit (NC),Net Credit (NC),Commission (NC),Markup (NC),Scheme Fees (NC),Interchange (NC),Batch Number";

async function parse(psp: SettlementPsp, csv: string) {
  const lines = [];
  for await (const line of parseSettlementReport(psp, Readable.from([csv]))) lines.push(line);
  return lines;
}

describe("settlement report parsing", () => {
  it("reads Stripe charges and refunds into signed minor units, JPY included", async () => {
    const lines = await parse(
      "stripe",
      `${STRIPE_HEADER}\n` +
        "txn_1,2026-12-01 10:00:00,usd,10.00,0.59,9.41,charge,ch_1,po_1,pi_1\n" +
        "txn_2,2026-12-01 11:00:00,jpy,-1000,0,-1000,refund,re_2,po_1,pi_2\n",
    );
    expect(lines).toMatchObject([
      {
        lineNo: 2,
        batchId: "po_1",
        recordType: "charge",
        pspReference: "pi_1",
        currency: "USD",
        gross: 1000n,
        fee: 59n,
        net: 941n,
        settledOn: "2026-12-01",
      },
      {
        lineNo: 3,
        recordType: "refund",
        pspReference: "re_2",
        currency: "JPY",
        gross: -1000n,
        fee: 0n,
        net: -1000n,
      },
    ]);
  });

  it("reads Adyen credits and debits, the fee as the sum of the fee columns", async () => {
    const lines = await parse(
      "adyen",
      `${ADYEN_HEADER}\n` +
        "P1,2026-12-01 10:00:00,Settled,P1,EUR,,10.00,EUR,,9.77,0.12,0.06,0.02,0.03,20788\n" +
        "P1,2026-12-01 11:00:00,Refunded,R1,EUR,4.00,,EUR,4.12,,0.12,,,,20788\n",
    );
    expect(lines).toMatchObject([
      { recordType: "charge", pspReference: "P1", gross: 1000n, fee: 23n, net: 977n, batchId: "20788" },
      { recordType: "refund", pspReference: "R1", gross: -400n, fee: 12n, net: -412n },
    ]);
  });

  it.each([
    [
      "an amount that is not a decimal",
      "txn_1,2026-12-01 10:00:00,usd,1e3,0.59,9.41,charge,ch_1,po_1,pi_1",
      "gross is not an amount",
    ],
    [
      "more decimals than the currency has",
      "txn_1,2026-12-01 10:00:00,jpy,10.5,0,10.5,charge,ch_1,po_1,pi_1",
      "more decimals",
    ],
    [
      "net that is not gross minus fee",
      "txn_1,2026-12-01 10:00:00,usd,10.00,0.59,9.42,charge,ch_1,po_1,pi_1",
      "net is not gross minus fee",
    ],
    [
      "an unknown currency",
      "txn_1,2026-12-01 10:00:00,xyz,10.00,0.59,9.41,charge,ch_1,po_1,pi_1",
      "unsupported currency",
    ],
    ["a missing field", "txn_1,2026-12-01 10:00:00,usd", "line 3"],
  ])("refuses %s, naming the line", async (_, bad, message) => {
    const csv = `${STRIPE_HEADER}\ntxn_0,2026-12-01 09:00:00,usd,1.00,0.33,0.67,charge,ch_0,po_1,pi_0\n${bad}\n`;
    await expect(parse("stripe", csv)).rejects.toThrow(/line 3/);
    await expect(parse("stripe", csv)).rejects.toThrow(message);
  });

  it("refuses a file that is not the PSP's report at line 1", async () => {
    await expect(parse("adyen", `${STRIPE_HEADER}\n`)).rejects.toThrow(
      /line 1: not a settlement report of adyen/,
    );
  });
});
