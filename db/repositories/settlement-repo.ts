import { numericFromMinor } from "../../core/domain/money.ts";
import type { SettlementLine, SettlementPsp } from "../../core/settlement/settlement-line.ts";
import type { Queryable } from "../pool.ts";

export interface UpsertCounts {
  inserted: number;
  updated: number;
}

/**
 * Writes report lines keyed by (psp, batch_id, line_no), linking each to the ledger by its PSP
 * reference: a charge to the payment, a refund to its refund attempt (and that refund's payment).
 * A line already stored with the same content is left alone, so a re-import changes nothing.
 */
export async function upsertSettlementLines(
  db: Queryable,
  psp: SettlementPsp,
  lines: readonly SettlementLine[],
): Promise<UpsertCounts> {
  if (lines.length === 0) return { inserted: 0, updated: 0 };
  const col = <T>(f: (l: SettlementLine) => T) => lines.map(f);
  const result = await db.query<{ inserted: boolean }>({
    text: `WITH input AS (
        SELECT * FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[],
                             $7::numeric[], $8::numeric[], $9::numeric[], $10::date[], $11::jsonb[])
          AS t(line_no, batch_id, record_type, psp_reference, currency, gross, fee, net, settled_on, raw)
      ), refund_attempt AS (
        SELECT DISTINCT ON (a.psp_reference) a.psp_reference, a.payment_id, a.refund_id
        FROM payment_attempts a JOIN input i ON a.psp_reference = i.psp_reference
        WHERE a.psp = $1 AND a.operation = 'refund' AND i.record_type = 'refund'
        ORDER BY a.psp_reference, a.started_at DESC
      ), linked AS (
        SELECT i.*,
          CASE WHEN i.record_type = 'refund' THEN r.payment_id
               WHEN i.record_type = 'charge' THEN
                 (SELECT p.payment_id FROM payments p WHERE p.psp = $1 AND p.psp_reference = i.psp_reference LIMIT 1)
          END AS payment_id,
          CASE WHEN i.record_type = 'refund' THEN r.refund_id END AS refund_id
        FROM input i LEFT JOIN refund_attempt r ON r.psp_reference = i.psp_reference
      )
      INSERT INTO psp_settlement AS s (psp, batch_id, line_no, record_type, psp_reference, payment_id,
        refund_id, currency, gross_amount, fee_amount, net_amount, settled_on, raw)
      SELECT $1, batch_id, line_no, record_type, psp_reference, payment_id, refund_id, currency, gross, fee,
        net, settled_on, raw FROM linked
      ON CONFLICT (psp, batch_id, line_no) DO UPDATE SET
        record_type = EXCLUDED.record_type, psp_reference = EXCLUDED.psp_reference,
        payment_id = EXCLUDED.payment_id, refund_id = EXCLUDED.refund_id, currency = EXCLUDED.currency,
        gross_amount = EXCLUDED.gross_amount, fee_amount = EXCLUDED.fee_amount,
        net_amount = EXCLUDED.net_amount, settled_on = EXCLUDED.settled_on, raw = EXCLUDED.raw,
        imported_at = now()
      WHERE (s.record_type, s.psp_reference, s.payment_id, s.refund_id, s.currency, s.gross_amount,
             s.fee_amount, s.net_amount, s.settled_on, s.raw)
        IS DISTINCT FROM (EXCLUDED.record_type, EXCLUDED.psp_reference, EXCLUDED.payment_id,
             EXCLUDED.refund_id, EXCLUDED.currency, EXCLUDED.gross_amount, EXCLUDED.fee_amount,
             EXCLUDED.net_amount, EXCLUDED.settled_on, EXCLUDED.raw)
      RETURNING (xmax = 0) AS inserted`,
    values: [
      psp,
      col((l) => l.lineNo),
      col((l) => l.batchId),
      col((l) => l.recordType),
      col((l) => l.pspReference),
      col((l) => l.currency),
      col((l) => numericFromMinor(l.gross, l.currency)),
      col((l) => numericFromMinor(l.fee, l.currency)),
      col((l) => numericFromMinor(l.net, l.currency)),
      col((l) => l.settledOn),
      col((l) => JSON.stringify(l.raw)),
    ],
  });
  const inserted = result.rows.filter((r) => r.inserted).length;
  return { inserted, updated: result.rows.length - inserted };
}

/** A report replaces its batches: lines of these batches that it no longer has are removed. */
export async function pruneSettlementBatch(
  db: Queryable,
  psp: SettlementPsp,
  batchId: string,
  keptLines: readonly number[],
): Promise<number> {
  const result = await db.query(
    "DELETE FROM psp_settlement WHERE psp = $1 AND batch_id = $2 AND NOT (line_no = ANY($3::int[]))",
    [psp, batchId, keptLines],
  );
  return result.rowCount ?? 0;
}
