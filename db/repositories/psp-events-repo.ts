import { openJson, sealJson } from "../../core/security/field-crypto.ts";
import type { Queryable } from "../pool.ts";

export interface PspEventKey {
  psp: string;
  eventId: string;
}

/** What the webhook processor did with an event (processed_psp_events.outcome). */
export type PspEventOutcome = "applied" | "stale" | "ignored" | "unknown_payment" | "deferred";

/**
 * The ingress's one write per event: take (psp, event_id) on conflict do nothing. It must be published
 * when the row is new, or when an earlier delivery stored it but never saw Kafka's ack.
 */
export async function recordPspEvent(
  db: Queryable,
  e: PspEventKey & { type: string },
): Promise<{ isNew: boolean; mustPublish: boolean }> {
  const { rows } = await db.query<{ inserted: boolean; published: boolean | null }>({
    name: "psp_event_record",
    // The outer SELECT does not see the row the CTE inserts: for a new row `published` is NULL.
    text: `WITH ins AS (
             INSERT INTO processed_psp_events (psp, event_id, event_type) VALUES ($1, $2, $3)
             ON CONFLICT (psp, event_id) DO NOTHING RETURNING 1
           )
           SELECT EXISTS (SELECT 1 FROM ins) AS inserted,
                  (SELECT published_at IS NOT NULL OR processed_at IS NOT NULL FROM processed_psp_events
                   WHERE psp = $1 AND event_id = $2) AS published`,
    values: [e.psp, e.eventId, e.type.slice(0, 64)],
  });
  const row = rows[0];
  const isNew = row?.inserted === true;
  return { isNew, mustPublish: isNew || row?.published !== true };
}

export async function markPspEventsPublished(db: Queryable, psp: string, eventIds: string[]): Promise<void> {
  await db.query({
    name: "psp_events_published",
    text: `UPDATE processed_psp_events SET published_at = now()
           WHERE psp = $1 AND event_id = ANY($2::varchar[]) AND published_at IS NULL`,
    values: [psp, eventIds],
  });
}

/**
 * The processor's claim: the inbox row, locked for the rest of the transaction (created if the event
 * reached Kafka some other way, e.g. a replay). A processed row means this delivery is a duplicate.
 */
export async function claimPspEvent(
  db: Queryable,
  e: PspEventKey & { type: string },
): Promise<{ processed: boolean }> {
  const lock = () =>
    db.query<{ processed_at: Date | null }>({
      name: "psp_event_claim_lock",
      text: "SELECT processed_at FROM processed_psp_events WHERE psp = $1 AND event_id = $2 FOR UPDATE",
      values: [e.psp, e.eventId],
    });
  // The ingress recorded the event before publishing it, so the row is usually there: one statement.
  let { rows } = await lock();
  if (rows.length === 0) {
    await db.query({
      name: "psp_event_claim_insert",
      text: `INSERT INTO processed_psp_events (psp, event_id, event_type) VALUES ($1, $2, $3)
             ON CONFLICT (psp, event_id) DO NOTHING`,
      values: [e.psp, e.eventId, e.type.slice(0, 64)],
    });
    ({ rows } = await lock());
  }
  return { processed: rows[0]?.processed_at != null };
}

export async function finishPspEvent(
  db: Queryable,
  e: PspEventKey,
  outcome: Exclude<PspEventOutcome, "deferred">,
  paymentId: string | null,
): Promise<void> {
  await db.query({
    name: "psp_event_finish",
    text: `UPDATE processed_psp_events SET processed_at = now(), outcome = $3, payment_id = $4,
             retry_at = NULL, payload = NULL
           WHERE psp = $1 AND event_id = $2`,
    values: [e.psp, e.eventId, outcome, paymentId],
  });
}

/** Parks an event with what is needed to apply it later; processed_at stays NULL. */
export async function deferPspEvent(
  db: Queryable,
  e: PspEventKey,
  d: { paymentId: string; payload: unknown; delayMs: number },
): Promise<void> {
  await db.query({
    name: "psp_event_defer",
    text: `UPDATE processed_psp_events SET outcome = 'deferred', payment_id = $3, payload = $4,
             retry_at = now() + make_interval(secs => $5 / 1000.0)
           WHERE psp = $1 AND event_id = $2`,
    values: [e.psp, e.eventId, d.paymentId, sealJson(d.payload), d.delayMs],
  });
}

/** Parked events whose time has come, oldest first. */
export async function findDuePspEvents(db: Queryable, limit: number): Promise<unknown[]> {
  const { rows } = await db.query<{ payload: unknown }>({
    name: "psp_events_due",
    text: `SELECT payload FROM processed_psp_events
           WHERE processed_at IS NULL AND retry_at <= now() AND payload IS NOT NULL
           ORDER BY retry_at LIMIT $1`,
    values: [limit],
  });
  return rows.map((r) => openJson(r.payload));
}

/** A parked event that failed to apply waits longer before the next try. */
export async function postponePspEvent(db: Queryable, e: PspEventKey, delayMs: number): Promise<void> {
  await db.query({
    name: "psp_event_postpone",
    text: `UPDATE processed_psp_events SET retry_at = now() + make_interval(secs => $3 / 1000.0)
           WHERE psp = $1 AND event_id = $2 AND processed_at IS NULL`,
    values: [e.psp, e.eventId, delayMs],
  });
}

/**
 * Inbox retention: processed events go after the window. It must outlast the PSPs' redelivery
 * (Adyen retries for 30 days, Stripe for 3), or a late duplicate would be taken for a new event.
 */
export async function deleteProcessedPspEvents(db: Queryable, olderThanMs: number): Promise<number> {
  const { rowCount } = await db.query({
    name: "psp_events_retention",
    text: `DELETE FROM processed_psp_events
           WHERE processed_at IS NOT NULL AND processed_at < now() - make_interval(secs => $1 / 1000.0)`,
    values: [olderThanMs],
  });
  return rowCount ?? 0;
}

/** A PSP event in the inbox, as the ops console's timeline shows it (never its payload). */
export interface PspEventRecord {
  psp: string;
  eventId: string;
  eventType: string;
  receivedAt: Date;
  processedAt: Date | null;
  outcome: string | null;
}

/** The events the webhook processor tied to a payment (until inbox retention removes them). */
export async function listPspEventsOfPayment(db: Queryable, paymentId: string): Promise<PspEventRecord[]> {
  const { rows } = await db.query<PspEventRecord>({
    name: "psp_events_of_payment",
    text: `SELECT psp, event_id AS "eventId", event_type AS "eventType", received_at AS "receivedAt",
                  processed_at AS "processedAt", outcome
           FROM processed_psp_events WHERE payment_id = $1 ORDER BY received_at, event_id`,
    values: [paymentId],
  });
  return rows;
}
