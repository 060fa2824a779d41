import { hundredths } from "./hundredths.ts";
import type { LedgerItem, ReconLine, SettlementItem } from "./model.ts";

/** Statuses of a payment whose charge the PSP may settle. */
const SETTLEABLE = new Set(["succeeded", "partially_refunded", "refunded"]);

/**
 * Sorted merge join of the ledger and the report, both ordered by reference (byte order, COLLATE "C").
 * Holds one item of each side plus the last report reference, so memory is flat whatever the day's size.
 */
export async function* mergeJoin(
  ledger: AsyncIterable<LedgerItem>,
  report: AsyncIterable<SettlementItem>,
): AsyncGenerator<ReconLine> {
  const l = ledger[Symbol.asyncIterator]();
  const r = report[Symbol.asyncIterator]();
  let left = await l.next();
  let right = await r.next();
  let lastReported: string | null = null;
  while (!left.done || !right.done) {
    if (!right.done && right.value.reference === lastReported) {
      yield fromReport(right.value, "duplicate_in_psp", "reference reported more than once");
      right = await r.next();
      continue;
    }
    if (right.done || (!left.done && left.value.reference < right.value.reference)) {
      const item = left.value as LedgerItem;
      yield fromLedger(item, "missing_in_psp", "expected in the report, not reported");
      left = await l.next();
      continue;
    }
    lastReported = right.value.reference;
    if (left.done || right.value.reference < left.value.reference) {
      yield unmatchedReport(right.value);
    } else {
      yield compare(left.value, right.value);
      left = await l.next();
    }
    right = await r.next();
  }
}

function compare(ledger: LedgerItem, line: SettlementItem): ReconLine {
  const base = { ...fromReport(line, "matched", ""), paymentId: ledger.paymentId, refundId: ledger.refundId };
  const withLedger = { ...base, ledgerAmount: ledger.amount, ledgerStatus: ledger.status };
  if (line.recordType !== ledger.recordType) {
    return {
      ...withLedger,
      class: "status_mismatch",
      detail: `ledger ${ledger.recordType}, report ${line.recordType}`,
    };
  }
  if (line.currency !== ledger.currency) {
    return {
      ...withLedger,
      class: "currency_mismatch",
      detail: `ledger ${ledger.currency}, report ${line.currency}`,
    };
  }
  if (hundredths(line.gross) !== hundredths(ledger.amount)) {
    return {
      ...withLedger,
      class: "amount_mismatch",
      detail: `ledger ${ledger.amount}, report ${line.gross}`,
    };
  }
  const fee = hundredths(line.fee);
  if (fee < 0n) return { ...withLedger, class: "fee_unexpected", detail: `negative fee ${line.fee}` };
  // A charge's fee is a share of it; a refund's is a fixed processing cost (Adyen's commission), which
  // may exceed a small refund.
  if (line.recordType === "charge" && fee > hundredths(line.gross)) {
    return {
      ...withLedger,
      class: "fee_unexpected",
      detail: `fee ${line.fee} above the gross ${line.gross}`,
    };
  }
  return withLedger;
}

/** A report line the day's ledger does not expect: a known payment in another state, or unknown. */
function unmatchedReport(line: SettlementItem): ReconLine {
  if (line.paymentId !== null && line.ledgerStatus !== null) {
    const why = SETTLEABLE.has(line.ledgerStatus)
      ? `ledger ${line.ledgerStatus}, but no ${line.recordType} confirmed on this date`
      : `ledger ${line.ledgerStatus}`;
    return fromReport(line, "status_mismatch", why);
  }
  return fromReport(line, "missing_in_ledger", "reference unknown to the ledger");
}

function fromLedger(item: LedgerItem, cls: ReconLine["class"], detail: string): ReconLine {
  return {
    class: cls,
    reference: item.reference,
    paymentId: item.paymentId,
    refundId: item.refundId,
    recordType: item.recordType,
    currency: item.currency,
    ledgerAmount: item.amount,
    pspGross: null,
    pspFee: null,
    pspNet: null,
    ledgerStatus: item.status,
    detail,
  };
}

function fromReport(line: SettlementItem, cls: ReconLine["class"], detail: string): ReconLine {
  return {
    class: cls,
    reference: line.reference,
    paymentId: line.paymentId,
    refundId: line.refundId,
    recordType: line.recordType,
    currency: line.currency,
    ledgerAmount: null,
    pspGross: line.gross,
    pspFee: line.fee,
    pspNet: line.net,
    ledgerStatus: line.ledgerStatus,
    detail: detail ? `${detail} (batch ${line.batchId} line ${line.lineNo})` : "",
  };
}
