import type pg from "pg";
import Cursor from "pg-cursor";
import type { LedgerItem, SettlementItem } from "./model.ts";

const BATCH = 2000;

/**
 * What the ledger expects in a PSP's report for `date` (UTC), ordered by reference (COLLATE "C"):
 * - a charge per payment whose money-moving attempt succeeded on that date: the `capture` attempt,
 *   or the `authorize` attempt of an automatic-capture payment; key payments.psp_reference,
 *   amount payments.amount_captured;
 * - a refund per `refund` attempt that succeeded on that date; key the attempt's psp_reference,
 *   amount minus the attempt's amount (the report's sign).
 */
export const LEDGER_SQL = `
  SELECT * FROM (
   SELECT * FROM (
    SELECT DISTINCT ON (p.payment_id)
           p.psp_reference AS reference, 'charge' AS "recordType", p.payment_id AS "paymentId",
           NULL::uuid AS "refundId", p.currency, p.amount_captured::text AS amount, p.status
      FROM payment_attempts a
      JOIN payment_index i ON i.payment_id = a.payment_id
      JOIN payments p ON p.payment_id = i.payment_id AND p.partition_key = i.partition_key
     WHERE a.psp = $1 AND a.status = 'succeeded'
       AND (a.operation = 'capture' OR (a.operation = 'authorize' AND p.capture_method = 'automatic'))
       AND a.finished_at >= $2::date AT TIME ZONE 'UTC' AND a.finished_at < ($2::date + 1) AT TIME ZONE 'UTC'
       AND p.psp_reference IS NOT NULL AND p.amount_captured > 0
     ORDER BY p.payment_id, a.finished_at DESC
  ) charges
  UNION ALL
  SELECT a.psp_reference, 'refund', a.payment_id, a.refund_id, a.currency, (-a.amount)::text, p.status
    FROM payment_attempts a
    JOIN payment_index i ON i.payment_id = a.payment_id
    JOIN payments p ON p.payment_id = i.payment_id AND p.partition_key = i.partition_key
   WHERE a.psp = $1 AND a.operation = 'refund' AND a.status = 'succeeded' AND a.psp_reference IS NOT NULL
     AND a.finished_at >= $2::date AT TIME ZONE 'UTC' AND a.finished_at < ($2::date + 1) AT TIME ZONE 'UTC'
  ) items
  ORDER BY reference COLLATE "C", "recordType"`;

/** The report's lines settled on `date`, ordered like the ledger, with the linked payment's status. */
export const SETTLEMENT_SQL = `
  SELECT s.psp_reference AS reference, s.record_type AS "recordType", s.payment_id AS "paymentId",
         s.refund_id AS "refundId", s.currency, s.gross_amount::text AS gross, s.fee_amount::text AS fee,
         s.net_amount::text AS net, p.status AS "ledgerStatus", s.batch_id AS "batchId", s.line_no AS "lineNo"
    FROM psp_settlement s
    LEFT JOIN payment_index i ON i.payment_id = s.payment_id
    LEFT JOIN payments p ON p.payment_id = i.payment_id AND p.partition_key = i.partition_key
   WHERE s.psp = $1 AND s.settled_on = $2::date
   ORDER BY s.psp_reference COLLATE "C", s.batch_id, s.line_no`;

/** Streams a query through a server-side cursor, BATCH rows at a time; the client is held until done. */
async function* streamRows<R>(client: pg.ClientBase, text: string, values: unknown[]): AsyncGenerator<R> {
  const cursor = client.query(new Cursor<R>(text, values));
  try {
    for (;;) {
      const rows = await cursor.read(BATCH);
      if (rows.length === 0) return;
      yield* rows;
    }
  } finally {
    await cursor.close();
  }
}

/** Columns are aliased to the item's field names, so rows are items as they come. */
export function ledgerItems(client: pg.ClientBase, psp: string, date: string): AsyncGenerator<LedgerItem> {
  return streamRows<LedgerItem>(client, LEDGER_SQL, [psp, date]);
}

export function settlementItems(
  client: pg.ClientBase,
  psp: string,
  date: string,
): AsyncGenerator<SettlementItem> {
  return streamRows<SettlementItem>(client, SETTLEMENT_SQL, [psp, date]);
}
