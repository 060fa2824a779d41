import type { Currency } from "../../core/domain/currency.ts";
import { numericFromMinor } from "../../core/domain/money.ts";
import type { Queryable } from "../pool.ts";

export interface DisputeRecord {
  paymentId: string;
  psp: string;
  pspDisputeReference: string;
  stage: string;
  reason: string | null;
  amountMinor: bigint;
  currency: Currency;
  eventId: string;
  eventAt: Date;
}

/**
 * One row per PSP dispute. A later event moves its stage on; an older one delivered late only fills
 * in what is missing, so out-of-order notifications cannot turn a lost dispute back into an open one.
 */
export async function upsertDispute(db: Queryable, d: DisputeRecord): Promise<{ created: boolean }> {
  const { rows } = await db.query<{ created: boolean }>({
    name: "dispute_upsert",
    text: `INSERT INTO payment_disputes AS d (payment_id, psp, psp_dispute_reference, stage, reason, amount, currency,
             last_event_id, last_event_at, opened_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
           ON CONFLICT (psp, psp_dispute_reference) DO UPDATE SET
             stage = CASE WHEN EXCLUDED.last_event_at >= d.last_event_at THEN EXCLUDED.stage ELSE d.stage END,
             reason = COALESCE(d.reason, EXCLUDED.reason),
             last_event_id = CASE WHEN EXCLUDED.last_event_at >= d.last_event_at
                                  THEN EXCLUDED.last_event_id ELSE d.last_event_id END,
             last_event_at = GREATEST(d.last_event_at, EXCLUDED.last_event_at),
             opened_at = LEAST(d.opened_at, EXCLUDED.opened_at),
             updated_at = now()
           RETURNING (xmax = 0) AS created`,
    values: [
      d.paymentId,
      d.psp,
      d.pspDisputeReference.slice(0, 128),
      d.stage.slice(0, 64),
      d.reason?.slice(0, 255) ?? null,
      numericFromMinor(d.amountMinor, d.currency),
      d.currency,
      d.eventId,
      d.eventAt,
    ],
  });
  return { created: rows[0]?.created === true };
}
